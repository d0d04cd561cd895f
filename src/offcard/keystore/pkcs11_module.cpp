#include "offcard/keystore/pkcs11_module.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sefleet::offcard {
namespace {

struct RvName {
  CK_RV rv;
  const char* name;
};

#define SEFLEET_CKR(name) \
  RvName {                \
    name, #name           \
  }
constexpr RvName kRvNames[] = {
    SEFLEET_CKR(CKR_OK),
    SEFLEET_CKR(CKR_CANCEL),
    SEFLEET_CKR(CKR_HOST_MEMORY),
    SEFLEET_CKR(CKR_SLOT_ID_INVALID),
    SEFLEET_CKR(CKR_GENERAL_ERROR),
    SEFLEET_CKR(CKR_FUNCTION_FAILED),
    SEFLEET_CKR(CKR_ARGUMENTS_BAD),
    SEFLEET_CKR(CKR_CANT_LOCK),
    SEFLEET_CKR(CKR_ATTRIBUTE_READ_ONLY),
    SEFLEET_CKR(CKR_ATTRIBUTE_SENSITIVE),
    SEFLEET_CKR(CKR_ATTRIBUTE_TYPE_INVALID),
    SEFLEET_CKR(CKR_ATTRIBUTE_VALUE_INVALID),
    SEFLEET_CKR(CKR_DATA_INVALID),
    SEFLEET_CKR(CKR_DATA_LEN_RANGE),
    SEFLEET_CKR(CKR_DEVICE_ERROR),
    SEFLEET_CKR(CKR_DEVICE_MEMORY),
    SEFLEET_CKR(CKR_DEVICE_REMOVED),
    SEFLEET_CKR(CKR_ENCRYPTED_DATA_INVALID),
    SEFLEET_CKR(CKR_ENCRYPTED_DATA_LEN_RANGE),
    SEFLEET_CKR(CKR_FUNCTION_CANCELED),
    SEFLEET_CKR(CKR_FUNCTION_NOT_SUPPORTED),
    SEFLEET_CKR(CKR_KEY_HANDLE_INVALID),
    SEFLEET_CKR(CKR_KEY_SIZE_RANGE),
    SEFLEET_CKR(CKR_KEY_TYPE_INCONSISTENT),
    SEFLEET_CKR(CKR_KEY_FUNCTION_NOT_PERMITTED),
    SEFLEET_CKR(CKR_KEY_NOT_WRAPPABLE),
    SEFLEET_CKR(CKR_KEY_UNEXTRACTABLE),
    SEFLEET_CKR(CKR_MECHANISM_INVALID),
    SEFLEET_CKR(CKR_MECHANISM_PARAM_INVALID),
    SEFLEET_CKR(CKR_OBJECT_HANDLE_INVALID),
    SEFLEET_CKR(CKR_OPERATION_ACTIVE),
    SEFLEET_CKR(CKR_OPERATION_NOT_INITIALIZED),
    SEFLEET_CKR(CKR_PIN_INCORRECT),
    SEFLEET_CKR(CKR_PIN_INVALID),
    SEFLEET_CKR(CKR_PIN_LEN_RANGE),
    SEFLEET_CKR(CKR_PIN_EXPIRED),
    SEFLEET_CKR(CKR_PIN_LOCKED),
    SEFLEET_CKR(CKR_SESSION_CLOSED),
    SEFLEET_CKR(CKR_SESSION_COUNT),
    SEFLEET_CKR(CKR_SESSION_HANDLE_INVALID),
    SEFLEET_CKR(CKR_SESSION_READ_ONLY),
    SEFLEET_CKR(CKR_SESSION_EXISTS),
    SEFLEET_CKR(CKR_SIGNATURE_INVALID),
    SEFLEET_CKR(CKR_SIGNATURE_LEN_RANGE),
    SEFLEET_CKR(CKR_TEMPLATE_INCOMPLETE),
    SEFLEET_CKR(CKR_TEMPLATE_INCONSISTENT),
    SEFLEET_CKR(CKR_TOKEN_NOT_PRESENT),
    SEFLEET_CKR(CKR_TOKEN_NOT_RECOGNIZED),
    SEFLEET_CKR(CKR_TOKEN_WRITE_PROTECTED),
    SEFLEET_CKR(CKR_UNWRAPPING_KEY_HANDLE_INVALID),
    SEFLEET_CKR(CKR_UNWRAPPING_KEY_SIZE_RANGE),
    SEFLEET_CKR(CKR_UNWRAPPING_KEY_TYPE_INCONSISTENT),
    SEFLEET_CKR(CKR_USER_ALREADY_LOGGED_IN),
    SEFLEET_CKR(CKR_USER_NOT_LOGGED_IN),
    SEFLEET_CKR(CKR_USER_PIN_NOT_INITIALIZED),
    SEFLEET_CKR(CKR_USER_TYPE_INVALID),
    SEFLEET_CKR(CKR_WRAPPED_KEY_INVALID),
    SEFLEET_CKR(CKR_WRAPPED_KEY_LEN_RANGE),
    SEFLEET_CKR(CKR_WRAPPING_KEY_HANDLE_INVALID),
    SEFLEET_CKR(CKR_WRAPPING_KEY_SIZE_RANGE),
    SEFLEET_CKR(CKR_WRAPPING_KEY_TYPE_INCONSISTENT),
    SEFLEET_CKR(CKR_RANDOM_NO_RNG),
    SEFLEET_CKR(CKR_BUFFER_TOO_SMALL),
    SEFLEET_CKR(CKR_CRYPTOKI_NOT_INITIALIZED),
    SEFLEET_CKR(CKR_CRYPTOKI_ALREADY_INITIALIZED),
};
#undef SEFLEET_CKR

Errc errc_of(CK_RV rv) {
  switch (rv) {
    case CKR_OBJECT_HANDLE_INVALID:
    case CKR_KEY_HANDLE_INVALID:
    case CKR_TOKEN_NOT_PRESENT:
    case CKR_SLOT_ID_INVALID:
      return Errc::not_found;
    case CKR_PIN_INCORRECT:
    case CKR_PIN_INVALID:
    case CKR_PIN_LEN_RANGE:
    case CKR_PIN_EXPIRED:
    case CKR_PIN_LOCKED:
    case CKR_USER_NOT_LOGGED_IN:
    case CKR_USER_PIN_NOT_INITIALIZED:
    case CKR_TOKEN_WRITE_PROTECTED:
    case CKR_SESSION_READ_ONLY:
      return Errc::state_error;
    case CKR_ATTRIBUTE_VALUE_INVALID:
    case CKR_ATTRIBUTE_TYPE_INVALID:
    case CKR_TEMPLATE_INCONSISTENT:
    case CKR_TEMPLATE_INCOMPLETE:
    case CKR_KEY_SIZE_RANGE:
    case CKR_DATA_LEN_RANGE:
    case CKR_KEY_FUNCTION_NOT_PERMITTED:
      return Errc::invalid_argument;
    case CKR_DEVICE_ERROR:
    case CKR_DEVICE_MEMORY:
    case CKR_DEVICE_REMOVED:
    case CKR_TOKEN_NOT_RECOGNIZED:
      return Errc::io_error;
    case CKR_MECHANISM_INVALID:
    case CKR_FUNCTION_NOT_SUPPORTED:
      return Errc::unsupported;
    default:
      return Errc::crypto_error;
  }
}

// The padded 32-byte token label as a string without its trailing blanks.
std::string trimmed_label(const CK_UTF8CHAR (&label)[32]) {
  std::string text(reinterpret_cast<const char*>(label), sizeof label);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) text.pop_back();
  return text;
}

std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

std::map<std::filesystem::path, std::weak_ptr<Pkcs11Module>>& registry() {
  static std::map<std::filesystem::path, std::weak_ptr<Pkcs11Module>> modules;
  return modules;
}

}  // namespace

std::string ckr_name(CK_RV rv) {
  for (const auto& entry : kRvNames) {
    if (entry.rv == rv) return entry.name;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "CKR_0x%08lX", rv);
  return buffer;
}

void check_ckr(CK_RV rv, std::string_view what) {
  if (rv == CKR_OK) return;
  throw Error(errc_of(rv), std::string(what) + ": " + ckr_name(rv));
}

Pkcs11Module::Pkcs11Module(std::filesystem::path path, void* handle, CK_FUNCTION_LIST_PTR functions)
    : path_(std::move(path)), handle_(handle), functions_(functions) {}

Pkcs11Module::~Pkcs11Module() {
  functions_->C_Finalize(nullptr);
  dlclose(handle_);  // RTLD_NODELETE: the module stays mapped (see the header)
}

std::shared_ptr<Pkcs11Module> Pkcs11Module::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw Error(Errc::not_found,
                "PKCS#11 module " + path.string() + " not found (e.g. /usr/lib/softhsm/libsofthsm2.so)");
  }
  const std::filesystem::path canonical = std::filesystem::canonical(path);
  std::lock_guard lock(registry_mutex());
  if (auto existing = registry()[canonical].lock()) return existing;

  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (handle == nullptr) {
    const char* reason = dlerror();
    throw Error(Errc::io_error, "cannot load PKCS#11 module " + canonical.string() + ": " +
                                    (reason != nullptr ? reason : "dlopen failed"));
  }
  auto* get_function_list = reinterpret_cast<CK_C_GetFunctionList>(dlsym(handle, "C_GetFunctionList"));
  CK_FUNCTION_LIST_PTR functions = nullptr;
  if (get_function_list == nullptr || get_function_list(&functions) != CKR_OK || functions == nullptr) {
    dlclose(handle);
    throw Error(Errc::io_error, canonical.string() + " is not a PKCS#11 module (no usable C_GetFunctionList)");
  }
  // The library may use its own OS locking; we call it from several threads without an outer lock.
  CK_C_INITIALIZE_ARGS args{};
  args.flags = CKF_OS_LOCKING_OK;
  const CK_RV rv = functions->C_Initialize(&args);
  if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
    dlclose(handle);
    check_ckr(rv, "C_Initialize of " + canonical.string());
  }
  std::shared_ptr<Pkcs11Module> module(new Pkcs11Module(canonical, handle, functions));
  registry()[canonical] = module;
  return module;
}

CK_SLOT_ID Pkcs11Module::find_token(std::string_view label) const {
  CK_ULONG count = 0;
  check_ckr(functions_->C_GetSlotList(CK_TRUE, nullptr, &count), "C_GetSlotList");
  std::vector<CK_SLOT_ID> slots(count);
  if (count > 0) check_ckr(functions_->C_GetSlotList(CK_TRUE, slots.data(), &count), "C_GetSlotList");
  slots.resize(count);
  std::string seen;
  for (const CK_SLOT_ID slot : slots) {
    CK_TOKEN_INFO info{};
    if (functions_->C_GetTokenInfo(slot, &info) != CKR_OK) continue;
    const std::string name = trimmed_label(info.label);
    if (name == label) return slot;
    if (!seen.empty()) seen += ", ";
    seen += "'" + name + "'";
  }
  throw Error(Errc::not_found, "no PKCS#11 token labelled '" + std::string(label) + "' in " + path_.string() +
                                   " (tokens: " + (seen.empty() ? std::string("none") : seen) + ")");
}

}  // namespace sefleet::offcard

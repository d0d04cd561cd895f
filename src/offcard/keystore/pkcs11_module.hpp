// A PKCS#11 module loaded with dlopen (any vendor's library; SoftHSM2 in CI), initialized once per
// process with CKF_OS_LOCKING_OK so several threads may call it at once, and finalized when the last
// user releases it. Several keystores on the same module (e.g. two tokens of one HSM, or a test that
// opens the same token twice) share one Pkcs11Module, because C_Initialize may run only once per
// process and module.
//
// The module is loaded with RTLD_NODELETE: unloading a library that may have started threads of its
// own is unsafe, and keeping it mapped lets leak reports name its functions.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <p11-kit/pkcs11.h>

namespace sefleet::offcard {

// "CKR_PIN_INCORRECT" for a known return value, "CKR_0x…" otherwise.
std::string ckr_name(CK_RV rv);
// Throws Error with a code chosen from the return value (not_found for unknown objects, state_error
// for a bad PIN or locked token, invalid_argument for refused attributes, io_error for device errors,
// unsupported for mechanisms the token lacks, crypto_error otherwise) and a message
// "<what>: <CKR name>". Does nothing for CKR_OK.
void check_ckr(CK_RV rv, std::string_view what);

class Pkcs11Module {
 public:
  // Loads `path` (or returns the already loaded module of the same canonical path) and calls
  // C_Initialize. Error(not_found) when the file is missing, Error(io_error) when dlopen or
  // C_GetFunctionList fails, the CKR error of C_Initialize otherwise.
  static std::shared_ptr<Pkcs11Module> load(const std::filesystem::path& path);

  ~Pkcs11Module();  // C_Finalize
  Pkcs11Module(const Pkcs11Module&) = delete;
  Pkcs11Module& operator=(const Pkcs11Module&) = delete;

  CK_FUNCTION_LIST_PTR functions() const noexcept { return functions_; }
  const std::filesystem::path& path() const noexcept { return path_; }

  // The slot whose token has this label (CKA_LABEL of CK_TOKEN_INFO, blank-padded on the token).
  // Error(not_found) listing the labels found when none matches.
  CK_SLOT_ID find_token(std::string_view label) const;

 private:
  Pkcs11Module(std::filesystem::path path, void* handle, CK_FUNCTION_LIST_PTR functions);

  std::filesystem::path path_;
  void* handle_ = nullptr;
  CK_FUNCTION_LIST_PTR functions_ = nullptr;
};

}  // namespace sefleet::offcard

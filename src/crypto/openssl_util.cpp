#include "crypto/openssl_util.hpp"

#include <openssl/err.h>
#include <openssl/provider.h>

#include <array>
#include <map>
#include <mutex>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto::detail {

void throw_openssl(const std::string& what) {
  std::string message = what;
  unsigned long code = 0;
  bool first = true;
  while ((code = ERR_get_error()) != 0) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    message += first ? ": " : "; ";
    message += text.data();
    first = false;
  }
  throw Error(Errc::crypto_error, message);
}

Bn bn_from(ByteView bytes) {
  Bn value(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!value) throw_openssl("BN_bin2bn");
  BN_set_flags(value.get(), BN_FLG_CONSTTIME);
  return value;
}

Bn bn_new() {
  Bn value(BN_new());
  if (!value) throw_openssl("BN_new");
  return value;
}

Bytes bytes_of_bn(const BIGNUM* value, std::size_t size) {
  const std::size_t minimal = static_cast<std::size_t>(BN_num_bytes(value));
  if (size == 0) size = minimal;
  if (minimal > size) {
    throw Error(Errc::invalid_argument,
                "number of " + std::to_string(minimal) + " bytes does not fit in " + std::to_string(size));
  }
  Bytes out(size);
  if (size > 0 && BN_bn2binpad(value, out.data(), static_cast<int>(size)) != static_cast<int>(size)) {
    throw_openssl("BN_bn2binpad");
  }
  return out;
}

SecretBytes secret_bytes_of_bn(const BIGNUM* value, std::size_t size) {
  Bytes plain = bytes_of_bn(value, size);
  return SecretBytes::take(plain);
}

Pkey pkey_from_params(const char* type, const OSSL_PARAM* params, int selection, const std::string& what) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, selection, const_cast<OSSL_PARAM*>(params)) != 1) {
    throw_openssl(what);
  }
  return Pkey(raw);
}

namespace {

template <typename T, typename Fetch>
T* fetch_once(std::once_flag& flag, T*& slot, Fetch fetch, const std::string& name) {
  std::call_once(flag, [&] { slot = fetch(); });
  if (slot == nullptr) {
    throw_openssl("cannot fetch " + name);
  }
  return slot;
}

}  // namespace

const EVP_CIPHER* aes_cipher(const char* mode, std::size_t key_size) {
  static constexpr std::array<const char*, 6> kModes{"ECB", "CBC", "CTR", "GCM", "WRAP", "CCM"};
  static std::array<std::array<std::once_flag, 3>, kModes.size()> flags;
  static std::array<std::array<EVP_CIPHER*, 3>, kModes.size()> ciphers{};
  std::size_t mode_index = kModes.size();
  for (std::size_t i = 0; i < kModes.size(); ++i) {
    if (std::string(kModes[i]) == mode) mode_index = i;
  }
  std::size_t size_index = 3;
  if (key_size == 16) size_index = 0;
  if (key_size == 24) size_index = 1;
  if (key_size == 32) size_index = 2;
  if (mode_index == kModes.size() || size_index == 3) {
    throw Error(Errc::invalid_argument, "AES: unsupported mode or key size " + std::to_string(key_size));
  }
  const std::string name = "AES-" + std::to_string(key_size * 8) + "-" + mode;
  return fetch_once(
      flags[mode_index][size_index], ciphers[mode_index][size_index],
      [&] { return EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr); }, name);
}

EVP_MAC* cmac_algorithm() {
  static std::once_flag flag;
  static EVP_MAC* mac = nullptr;
  return fetch_once(
      flag, mac, [] { return EVP_MAC_fetch(nullptr, "CMAC", nullptr); }, "CMAC");
}

EVP_KDF* kdf_algorithm(const char* name) {
  static std::once_flag hkdf_flag, x963_flag, scrypt_flag;
  static EVP_KDF* hkdf = nullptr;
  static EVP_KDF* x963 = nullptr;
  static EVP_KDF* scrypt = nullptr;
  const std::string n = name;
  if (n == "HKDF")
    return fetch_once(
        hkdf_flag, hkdf, [] { return EVP_KDF_fetch(nullptr, "HKDF", nullptr); }, n);
  if (n == "X963KDF")
    return fetch_once(
        x963_flag, x963, [] { return EVP_KDF_fetch(nullptr, "X963KDF", nullptr); }, n);
  if (n == "SCRYPT")
    return fetch_once(
        scrypt_flag, scrypt, [] { return EVP_KDF_fetch(nullptr, "SCRYPT", nullptr); }, n);
  throw Error(Errc::invalid_argument, "unknown KDF " + n);
}

const EVP_MD* sha_algorithm(int bits) {
  static std::once_flag f256, f384;
  static EVP_MD* sha256 = nullptr;
  static EVP_MD* sha384 = nullptr;
  if (bits == 256)
    return fetch_once(
        f256, sha256, [] { return EVP_MD_fetch(nullptr, "SHA2-256", nullptr); }, "SHA-256");
  if (bits == 384)
    return fetch_once(
        f384, sha384, [] { return EVP_MD_fetch(nullptr, "SHA2-384", nullptr); }, "SHA-384");
  throw Error(Errc::invalid_argument, "unsupported SHA-2 size " + std::to_string(bits));
}

namespace {

// A process-wide table of fetched algorithms, filled on demand. Like fetch_once above, fetched objects
// are never freed: freeing them from a static destructor could run after OpenSSL's own exit handler.
// The tables themselves are allocated once and never destroyed, so the objects stay reachable to the
// end (no leak report). Lookups after the first take one lock and one map search.
template <typename T>
class FetchedByName {
 public:
  template <typename Fetch>
  T* get(const char* name, Fetch fetch) {
    const std::lock_guard<std::mutex> lock(mutex_);
    auto found = table_.find(name);
    if (found != table_.end()) return found->second;
    T* fetched = fetch(name);
    if (fetched == nullptr) throw_openssl(std::string("cannot fetch ") + name);
    table_.emplace(name, fetched);
    return fetched;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, T*, std::less<>> table_;
};

OSSL_LIB_CTX* legacy_library_context() {
  static std::once_flag flag;
  static OSSL_LIB_CTX* context = nullptr;
  std::call_once(flag, [] {
    OSSL_LIB_CTX* fresh = OSSL_LIB_CTX_new();
    if (fresh == nullptr) return;
    if (OSSL_PROVIDER_load(fresh, "legacy") == nullptr) {
      OSSL_LIB_CTX_free(fresh);
      return;
    }
    context = fresh;  // kept (with its provider) for the life of the process
  });
  if (context == nullptr) {
    ERR_clear_error();
    throw Error(Errc::unsupported,
                "single DES needs OpenSSL's legacy provider (ossl-modules/legacy.so), which could not be loaded");
  }
  return context;
}

}  // namespace

const EVP_MD* digest_by_name(const char* name) {
  static auto* table = new FetchedByName<EVP_MD>();  // never destroyed: see FetchedByName
  return table->get(name, [](const char* n) { return EVP_MD_fetch(nullptr, n, nullptr); });
}

EVP_MAC* mac_by_name(const char* name) {
  static auto* table = new FetchedByName<EVP_MAC>();  // never destroyed: see FetchedByName
  return table->get(name, [](const char* n) { return EVP_MAC_fetch(nullptr, n, nullptr); });
}

const EVP_CIPHER* cipher_by_name(const char* name) {
  static auto* table = new FetchedByName<EVP_CIPHER>();  // never destroyed: see FetchedByName
  return table->get(name, [](const char* n) { return EVP_CIPHER_fetch(nullptr, n, nullptr); });
}

const EVP_CIPHER* legacy_cipher_by_name(const char* name) {
  static auto* table = new FetchedByName<EVP_CIPHER>();  // never destroyed: see FetchedByName
  OSSL_LIB_CTX* context = legacy_library_context();
  return table->get(name, [context](const char* n) { return EVP_CIPHER_fetch(context, n, nullptr); });
}

}  // namespace sefleet::crypto::detail

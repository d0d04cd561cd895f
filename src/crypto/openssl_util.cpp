#include "crypto/openssl_util.hpp"

#include <openssl/err.h>

#include <array>
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
  static constexpr std::array<const char*, 5> kModes{"ECB", "CBC", "CTR", "GCM", "WRAP"};
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
  return fetch_once(flags[mode_index][size_index], ciphers[mode_index][size_index],
                    [&] { return EVP_CIPHER_fetch(nullptr, name.c_str(), nullptr); }, name);
}

EVP_MAC* cmac_algorithm() {
  static std::once_flag flag;
  static EVP_MAC* mac = nullptr;
  return fetch_once(flag, mac, [] { return EVP_MAC_fetch(nullptr, "CMAC", nullptr); }, "CMAC");
}

EVP_KDF* kdf_algorithm(const char* name) {
  static std::once_flag hkdf_flag, x963_flag, scrypt_flag;
  static EVP_KDF* hkdf = nullptr;
  static EVP_KDF* x963 = nullptr;
  static EVP_KDF* scrypt = nullptr;
  const std::string n = name;
  if (n == "HKDF") return fetch_once(hkdf_flag, hkdf, [] { return EVP_KDF_fetch(nullptr, "HKDF", nullptr); }, n);
  if (n == "X963KDF") return fetch_once(x963_flag, x963, [] { return EVP_KDF_fetch(nullptr, "X963KDF", nullptr); }, n);
  if (n == "SCRYPT") return fetch_once(scrypt_flag, scrypt, [] { return EVP_KDF_fetch(nullptr, "SCRYPT", nullptr); }, n);
  throw Error(Errc::invalid_argument, "unknown KDF " + n);
}

const EVP_MD* sha_algorithm(int bits) {
  static std::once_flag f256, f384;
  static EVP_MD* sha256 = nullptr;
  static EVP_MD* sha384 = nullptr;
  if (bits == 256) return fetch_once(f256, sha256, [] { return EVP_MD_fetch(nullptr, "SHA2-256", nullptr); }, "SHA-256");
  if (bits == 384) return fetch_once(f384, sha384, [] { return EVP_MD_fetch(nullptr, "SHA2-384", nullptr); }, "SHA-384");
  throw Error(Errc::invalid_argument, "unsupported SHA-2 size " + std::to_string(bits));
}

}  // namespace sefleet::crypto::detail

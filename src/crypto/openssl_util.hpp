// Internal helpers for the OpenSSL wrappers: owning handles and error translation.
#pragma once

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <string>

namespace sefleet::crypto::detail {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* p) const noexcept { EVP_MAC_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const noexcept { EVP_MD_CTX_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const noexcept { EVP_PKEY_CTX_free(p); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* p) const noexcept { EVP_KDF_CTX_free(p); }
};

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

// Throws Error(Errc::crypto_error) with `what` and OpenSSL's queued error text; clears the queue.
[[noreturn]] void throw_openssl(const std::string& what);

// Fetched algorithm objects, fetched once per process (fetching is the slow part of OpenSSL 3).
const EVP_CIPHER* aes_cipher(const char* mode, std::size_t key_size);  // mode: "ECB", "CBC", "CTR", "GCM", "WRAP"
EVP_MAC* cmac_algorithm();
EVP_KDF* kdf_algorithm(const char* name);  // "HKDF", "X963KDF", "SCRYPT"
const EVP_MD* sha_algorithm(int bits);     // 256 or 384

}  // namespace sefleet::crypto::detail

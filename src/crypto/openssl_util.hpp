// Internal helpers for the OpenSSL wrappers: owning handles and error translation.
#pragma once

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"

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

struct BnFree {
  void operator()(BIGNUM* p) const noexcept { BN_clear_free(p); }
};
struct BnCtxFree {
  void operator()(BN_CTX* p) const noexcept { BN_CTX_free(p); }
};
struct EcGroupFree {
  void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
};
struct EcPointFree {
  void operator()(EC_POINT* p) const noexcept { EC_POINT_clear_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;
using Bn = std::unique_ptr<BIGNUM, BnFree>;  // cleared when freed: also holds secrets
using BnCtx = std::unique_ptr<BN_CTX, BnCtxFree>;
using EcGroup = std::unique_ptr<EC_GROUP, EcGroupFree>;
using EcPoint = std::unique_ptr<EC_POINT, EcPointFree>;
using ParamBld = std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree>;
using Params = std::unique_ptr<OSSL_PARAM, ParamFree>;

// An EVP_PKEY shared by copies through OpenSSL's reference count: the key objects built on it are
// immutable once made, so copies may share one.
class SharedPkey {
 public:
  SharedPkey() = default;
  explicit SharedPkey(Pkey key) noexcept : key_(std::move(key)) {}
  SharedPkey(const SharedPkey& other) noexcept : key_(up_ref(other.get())) {}
  SharedPkey& operator=(const SharedPkey& other) noexcept {
    if (this != &other) key_.reset(up_ref(other.get()));
    return *this;
  }
  SharedPkey(SharedPkey&&) noexcept = default;
  SharedPkey& operator=(SharedPkey&&) noexcept = default;
  ~SharedPkey() = default;

  EVP_PKEY* get() const noexcept { return key_.get(); }

 private:
  static EVP_PKEY* up_ref(EVP_PKEY* key) noexcept {
    if (key != nullptr) EVP_PKEY_up_ref(key);
    return key;
  }
  Pkey key_;
};

// Throws Error(Errc::crypto_error) with `what` and OpenSSL's queued error text; clears the queue.
[[noreturn]] void throw_openssl(const std::string& what);

// Big-endian unsigned bytes <-> BIGNUM. bn_from() marks the number constant-time (it may be a secret);
// bytes_of_bn() pads on the left to `size` bytes (throws Error(Errc::invalid_argument) when it does not
// fit) or, with size 0, writes the minimal encoding.
Bn bn_from(ByteView bytes);
Bn bn_new();
Bytes bytes_of_bn(const BIGNUM* value, std::size_t size = 0);
SecretBytes secret_bytes_of_bn(const BIGNUM* value, std::size_t size = 0);

// The private/public key or parameters in `params` as an EVP_PKEY of `type` ("RSA", "EC"); `selection` is
// EVP_PKEY_KEYPAIR, EVP_PKEY_PUBLIC_KEY, ...
Pkey pkey_from_params(const char* type, const OSSL_PARAM* params, int selection, const std::string& what);

// Fetched algorithm objects, fetched once per process (fetching is the slow part of OpenSSL 3).
const EVP_CIPHER* aes_cipher(const char* mode,
                             std::size_t key_size);  // mode: "ECB", "CBC", "CTR", "GCM", "WRAP", "CCM"
EVP_MAC* cmac_algorithm();
EVP_KDF* kdf_algorithm(const char* name);  // "HKDF", "X963KDF", "SCRYPT"
const EVP_MD* sha_algorithm(int bits);     // 256 or 384

// Fetched-once lookups by OpenSSL algorithm name, for the algorithms the Java Card API adds. Each name is
// fetched on its first use and kept for the process; throws Error(Errc::crypto_error) when the name
// cannot be fetched.
const EVP_MD* digest_by_name(const char* name);      // "SHA1", "SHA2-224", ... (default library context)
EVP_MAC* mac_by_name(const char* name);              // "HMAC"
const EVP_CIPHER* cipher_by_name(const char* name);  // "DES-EDE3-CBC", "AES-128-CTR", ...

// Single DES lives only in OpenSSL 3's legacy provider. Loading that provider into the default library
// context would stop the default provider from loading implicitly, so it is loaded into a library
// context of its own, used for nothing but these fetches. Throws Error(Errc::unsupported) when the
// legacy provider module is not installed.
const EVP_CIPHER* legacy_cipher_by_name(const char* name);  // "DES-ECB", "DES-CBC"

}  // namespace sefleet::crypto::detail

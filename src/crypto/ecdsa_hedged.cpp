#include "crypto/ecdsa_hedged.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <memory>
#include <string>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/hash.hpp"

namespace sefleet::crypto {
namespace {

struct LibCtxFree {
  void operator()(OSSL_LIB_CTX* p) const noexcept { OSSL_LIB_CTX_free(p); }
};
struct RandFree {
  void operator()(EVP_RAND* p) const noexcept { EVP_RAND_free(p); }
};
struct RandCtxFree {
  void operator()(EVP_RAND_CTX* p) const noexcept { EVP_RAND_CTX_free(p); }
};
using LibCtx = std::unique_ptr<OSSL_LIB_CTX, LibCtxFree>;
using Rand = std::unique_ptr<EVP_RAND, RandFree>;
using RandCtx = std::unique_ptr<EVP_RAND_CTX, RandCtxFree>;

constexpr unsigned kStrength = 256;
// DRBG output offered to OpenSSL per attempt. A signature takes 64 bytes per nonce candidate and, on
// curves without a dedicated implementation (brainpool), more for the blinding of the scalar
// multiplication; a candidate is rejected rarely, so 2 KiB is far above what one attempt uses. An
// attempt that runs out is repeated with the DRBG's next output (still reproducible).
constexpr std::size_t kStreamSize = 2048;
constexpr int kAttempts = 4;

// Sets TEST-RAND's strength and its fixed output (entropy) and nonce.
bool load_test_rand(EVP_RAND_CTX* rand, ByteView entropy, ByteView nonce) {
  unsigned strength = kStrength;
  std::array<OSSL_PARAM, 4> params{};
  std::size_t n = 0;
  params[n++] = OSSL_PARAM_construct_uint(OSSL_RAND_PARAM_STRENGTH, &strength);
  params[n++] = OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_ENTROPY,
                                                  const_cast<std::uint8_t*>(entropy.data()), entropy.size());
  if (!nonce.empty()) {
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_NONCE, const_cast<std::uint8_t*>(nonce.data()),
                                                    nonce.size());
  }
  params[n] = OSSL_PARAM_construct_end();
  return EVP_RAND_CTX_set_params(rand, params.data()) == 1;
}

// A library context of this thread whose generators are TEST-RAND: what OpenSSL draws while signing in
// it is exactly what load() gave it.
class SigningContext {
 public:
  SigningContext() : lib_(OSSL_LIB_CTX_new()) {
    if (!lib_ || RAND_set_DRBG_type(lib_.get(), "TEST-RAND", nullptr, nullptr, nullptr) != 1) {
      detail::throw_openssl("ECDSA: signing library context");
    }
    private_ = RAND_get0_private(lib_.get());
    if (private_ == nullptr) detail::throw_openssl("ECDSA: signing library context generator");
  }

  OSSL_LIB_CTX* get() const noexcept { return lib_.get(); }

  void load(ByteView stream) {
    if (!load_test_rand(private_, stream, {})) detail::throw_openssl("ECDSA: loading the signing generator");
  }

  // Leaves nothing of the stream behind (a single zero byte replaces it).
  void clear() noexcept {
    const std::uint8_t zero = 0;
    (void)load_test_rand(private_, ByteView(&zero, 1), {});
  }

 private:
  LibCtx lib_;
  EVP_RAND_CTX* private_ = nullptr;  // owned by lib_
};

SigningContext& signing_context() {
  thread_local SigningContext context;
  return context;
}

// OpenSSL's HMAC-DRBG (SHA-256) instantiated from `entropy` and `nonce` through a TEST-RAND parent.
class SeededDrbg {
 public:
  SeededDrbg(ByteView entropy, ByteView nonce) {
    const Rand test(EVP_RAND_fetch(nullptr, "TEST-RAND", nullptr));
    const Rand hmac(EVP_RAND_fetch(nullptr, "HMAC-DRBG", nullptr));
    if (!test || !hmac) detail::throw_openssl("ECDSA: fetching the DRBG");
    parent_.reset(EVP_RAND_CTX_new(test.get(), nullptr));
    if (!parent_ || !load_test_rand(parent_.get(), entropy, nonce) ||
        EVP_RAND_instantiate(parent_.get(), kStrength, 0, nullptr, 0, nullptr) != 1) {
      detail::throw_openssl("ECDSA: DRBG seed");
    }
    drbg_.reset(EVP_RAND_CTX_new(hmac.get(), parent_.get()));
    char digest_name[] = "SHA256";
    char mac_name[] = "HMAC";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_DIGEST, digest_name, 0),
                                 OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_MAC, mac_name, 0),
                                 OSSL_PARAM_construct_end()};
    if (!drbg_ || EVP_RAND_CTX_set_params(drbg_.get(), params) != 1 ||
        EVP_RAND_instantiate(drbg_.get(), kStrength, 0, nullptr, 0, nullptr) != 1) {
      detail::throw_openssl("ECDSA: DRBG instantiation");
    }
  }

  void generate(MutableByteView out) {
    if (EVP_RAND_generate(drbg_.get(), out.data(), out.size(), kStrength, 0, nullptr, 0) != 1) {
      detail::throw_openssl("ECDSA: DRBG output");
    }
  }

 private:
  RandCtx parent_;  // declared first: the DRBG is freed before its parent
  RandCtx drbg_;
};

// DER signature of `hash` under `key`, made by OpenSSL in the signing context fed by `drbg`.
Bytes sign_fed_by(EVP_PKEY* key, ByteView hash, SeededDrbg& drbg) {
  SigningContext& context = signing_context();
  SecretBytes stream(kStreamSize);
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    drbg.generate(stream.mutable_view());
    context.load(stream.view());
    detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(context.get(), key, nullptr));
    std::size_t length = 0;
    if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
        EVP_PKEY_sign(ctx.get(), nullptr, &length, hash.data(), hash.size()) != 1) {
      context.clear();
      detail::throw_openssl("ECDSA sign init");
    }
    Bytes signature(length);
    const bool signed_ok = EVP_PKEY_sign(ctx.get(), signature.data(), &length, hash.data(), hash.size()) == 1;
    context.clear();
    if (signed_ok) {
      signature.resize(length);
      return signature;
    }
    ERR_clear_error();  // the stream ran out: the next attempt continues the DRBG's output
  }
  throw Error(Errc::crypto_error, "ECDSA: the signing generator ran out " + std::to_string(kAttempts) + " times");
}

}  // namespace

Bytes ecdsa_sign_hash_hedged(const EcPrivateKey& key, ByteView hash, Random& random) {
  if (hash.empty()) throw Error(Errc::invalid_argument, "ECDSA: the hash is empty");
  SecretBytes entropy(kEcdsaHedgeSize);
  random.fill(entropy.mutable_view());
  const Digest256 nonce = sha256(hash);
  SeededDrbg drbg(entropy.view(), nonce);
  return sign_fed_by(key.handle(), hash, drbg);
}

Bytes ecdsa_p256_sign_hedged(const P256PrivateKey& key, ByteView message, Random& random) {
  SecretBytes entropy(kEcdsaHedgeSize);
  random.fill(entropy.mutable_view());
  const Digest256 hash = sha256(message);
  const Digest256 nonce = sha256(hash);
  SeededDrbg drbg(entropy.view(), nonce);
  return ecdsa_der_to_raw(sign_fed_by(key.handle(), hash, drbg), 32);
}

}  // namespace sefleet::crypto

#include "crypto/rsa_key.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <string>

#include "core/error.hpp"
#include "crypto/rsa.hpp"

namespace sefleet::crypto {
namespace {

using detail::Bn;

[[noreturn]] void refuse(const std::string& why) {
  throw Error(Errc::invalid_argument, "RSA key: " + why);
}

void check_modulus(const BIGNUM* n) {
  const auto bits = static_cast<std::size_t>(BN_num_bits(n));
  if (bits < kRsaMinBits || bits > kRsaMaxBits) {
    refuse("modulus of " + std::to_string(bits) + " bits is outside 512..4096");
  }
  if (!BN_is_odd(n)) refuse("modulus is even");
}

void check_public_exponent(const BIGNUM* e, const BIGNUM* n) {
  if (!BN_is_odd(e) || BN_is_one(e) || (n != nullptr && BN_cmp(e, n) >= 0)) {
    refuse("public exponent must be odd, at least 3 and less than the modulus");
  }
}

Bn get_bn(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &raw) != 1) detail::throw_openssl(std::string("RSA key: reading ") + name);
  Bn value(raw);
  BN_set_flags(value.get(), BN_FLG_CONSTTIME);
  return value;
}

bool has_bn(EVP_PKEY* key, const char* name) {
  BIGNUM* raw = nullptr;
  const bool present = EVP_PKEY_get_bn_param(key, name, &raw) == 1;
  BN_clear_free(raw);
  ERR_clear_error();
  return present;
}

void push(OSSL_PARAM_BLD* bld, const char* name, const BIGNUM* value) {
  if (OSSL_PARAM_BLD_push_BN(bld, name, value) != 1) detail::throw_openssl(std::string("RSA key: ") + name);
}

// A round trip of a random value below n through the public and the private operation: catches a d that
// does not invert e, CRT parts that do not belong together, a composite "prime".
void check_round_trip(const RsaPrivateKey& key) {
  Bytes probe(key.size());
  if (RAND_bytes(probe.data() + 1, static_cast<int>(probe.size() - 1)) != 1) detail::throw_openssl("RAND_bytes");
  const SecretBytes back = rsa_private_raw(key, rsa_public_raw(key.public_key(), probe));
  if (!constant_time_equal(back.view(), probe)) refuse("the components do not form a working key pair");
}

BN_CTX* bn_ctx(detail::BnCtx& holder) {
  holder.reset(BN_CTX_secure_new());
  if (!holder) detail::throw_openssl("BN_CTX_new");
  return holder.get();
}

}  // namespace

RsaPublicKey RsaPublicKey::from_components(ByteView modulus, ByteView public_exponent) {
  const Bn n = detail::bn_from(modulus);
  const Bn e = detail::bn_from(public_exponent);
  check_modulus(n.get());
  check_public_exponent(e.get(), n.get());
  detail::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld) detail::throw_openssl("OSSL_PARAM_BLD_new");
  push(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  const detail::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  return RsaPublicKey(detail::pkey_from_params("RSA", params.get(), EVP_PKEY_PUBLIC_KEY, "RSA public key import"));
}

std::size_t RsaPublicKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(key_.get()));
}
Bytes RsaPublicKey::modulus() const {
  return detail::bytes_of_bn(get_bn(key_.get(), OSSL_PKEY_PARAM_RSA_N).get(), size());
}
Bytes RsaPublicKey::public_exponent() const {
  return detail::bytes_of_bn(get_bn(key_.get(), OSSL_PKEY_PARAM_RSA_E).get());
}

RsaPrivateKey RsaPrivateKey::generate(std::size_t bits, ByteView public_exponent) {
  if (bits < kRsaMinBits || bits > kRsaMaxBits) {
    refuse("cannot generate " + std::to_string(bits) + " bits: the size must be 512..4096");
  }
  const Bn e = detail::bn_from(public_exponent);
  check_public_exponent(e.get(), nullptr);
  if (static_cast<std::size_t>(BN_num_bits(e.get())) >= bits) refuse("public exponent as long as the modulus");
  detail::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_size_t(bld.get(), OSSL_PKEY_PARAM_RSA_BITS, bits) != 1 ||
      OSSL_PARAM_BLD_push_size_t(bld.get(), OSSL_PKEY_PARAM_RSA_PRIMES, 2) != 1) {
    detail::throw_openssl("RSA key generation parameters");
  }
  push(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  const detail::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_CTX_set_params(ctx.get(), params.get()) != 1 ||
      EVP_PKEY_generate(ctx.get(), &raw) != 1) {
    detail::throw_openssl("RSA key generation (" + std::to_string(bits) + " bits)");
  }
  return RsaPrivateKey(detail::Pkey(raw));
}

RsaPrivateKey RsaPrivateKey::from_components(ByteView modulus, ByteView public_exponent, ByteView private_exponent) {
  const Bn n = detail::bn_from(modulus);
  const Bn e = detail::bn_from(public_exponent);
  const Bn d = detail::bn_from(private_exponent);
  check_modulus(n.get());
  check_public_exponent(e.get(), n.get());
  if (BN_is_zero(d.get()) || BN_is_one(d.get()) || BN_cmp(d.get(), n.get()) >= 0) {
    refuse("private exponent must be 2..n-1");
  }
  detail::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld) detail::throw_openssl("OSSL_PARAM_BLD_new");
  push(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
  const detail::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  RsaPrivateKey key(detail::pkey_from_params("RSA", params.get(), EVP_PKEY_KEYPAIR, "RSA private key import"));
  check_round_trip(key);
  return key;
}

RsaPrivateKey RsaPrivateKey::from_modulus_and_private_exponent(ByteView modulus, ByteView private_exponent) {
  const Bn n = detail::bn_from(modulus);
  const Bn d = detail::bn_from(private_exponent);
  check_modulus(n.get());
  if (BN_is_zero(d.get()) || BN_is_one(d.get()) || BN_cmp(d.get(), n.get()) >= 0) {
    refuse("private exponent must be 2..n-1");
  }
  detail::BnCtx ctx_holder;
  BN_CTX* ctx = bn_ctx(ctx_holder);
  Bn probe = detail::bn_new(), sealed = detail::bn_new(), opened = detail::bn_new(), e = detail::bn_new();
  if (BN_rand_range(probe.get(), n.get()) != 1) detail::throw_openssl("RSA probe");
  for (const std::uint32_t candidate : kRsaRecoverableExponents) {
    if (BN_set_word(e.get(), candidate) != 1 || BN_mod_exp(sealed.get(), probe.get(), e.get(), n.get(), ctx) != 1 ||
        BN_mod_exp_mont_consttime(opened.get(), sealed.get(), d.get(), n.get(), ctx, nullptr) != 1) {
      detail::throw_openssl("RSA exponent recovery");
    }
    if (BN_cmp(opened.get(), probe.get()) == 0) {
      return from_components(modulus, detail::bytes_of_bn(e.get()), private_exponent);
    }
  }
  throw Error(Errc::unsupported,
              "RSA key: the public exponent of this (n, d) key is none of 65537, 3, 5, 17, 257, 7, 11, 13, and OpenSSL "
              "needs it to blind private operations");
}

RsaPrivateKey RsaPrivateKey::from_crt(const RsaCrtParts& parts) {
  detail::BnCtx ctx_holder;
  BN_CTX* ctx = bn_ctx(ctx_holder);
  const Bn p = detail::bn_from(parts.p.view());
  const Bn q = detail::bn_from(parts.q.view());
  const Bn dp = detail::bn_from(parts.dp.view());
  const Bn dq = detail::bn_from(parts.dq.view());
  const Bn qinv = detail::bn_from(parts.qinv.view());
  if (!BN_is_odd(p.get()) || !BN_is_odd(q.get()) || BN_is_one(p.get()) || BN_is_one(q.get())) {
    refuse("p and q must be odd primes");
  }
  if (BN_cmp(p.get(), q.get()) == 0) refuse("p equals q");
  Bn n = detail::bn_new(), p1 = detail::bn_new(), q1 = detail::bn_new(), check = detail::bn_new();
  if (BN_mul(n.get(), p.get(), q.get(), ctx) != 1 || BN_sub(p1.get(), p.get(), BN_value_one()) != 1 ||
      BN_sub(q1.get(), q.get(), BN_value_one()) != 1) {
    detail::throw_openssl("RSA CRT arithmetic");
  }
  check_modulus(n.get());
  if (BN_is_zero(dp.get()) || BN_cmp(dp.get(), p1.get()) >= 0 || BN_is_zero(dq.get()) ||
      BN_cmp(dq.get(), q1.get()) >= 0) {
    refuse("dp must be in 1..p-2 and dq in 1..q-2");
  }
  if (BN_cmp(qinv.get(), p.get()) >= 0 || BN_mod_mul(check.get(), q.get(), qinv.get(), p.get(), ctx) != 1 ||
      !BN_is_one(check.get())) {
    refuse("qinv is not the inverse of q modulo p");
  }
  // e1 = dp^-1 mod (p-1), e2 = dq^-1 mod (q-1).
  Bn e1(BN_mod_inverse(nullptr, dp.get(), p1.get(), ctx));
  Bn e2(BN_mod_inverse(nullptr, dq.get(), q1.get(), ctx));
  if (!e1 || !e2) {
    ERR_clear_error();
    refuse("dp or dq has no inverse modulo p-1 or q-1");
  }
  // e = e1 + (p-1) t with t = ((e2 - e1) / g) ((p-1)/g)^-1 mod ((q-1)/g), g = gcd(p-1, q-1).
  Bn g = detail::bn_new(), difference = detail::bn_new(), remainder = detail::bn_new();
  Bn p1g = detail::bn_new(), q1g = detail::bn_new(), t = detail::bn_new(), e = detail::bn_new();
  Bn lcm = detail::bn_new();
  if (BN_gcd(g.get(), p1.get(), q1.get(), ctx) != 1 || BN_sub(difference.get(), e2.get(), e1.get()) != 1 ||
      BN_div(difference.get(), remainder.get(), difference.get(), g.get(), ctx) != 1) {
    detail::throw_openssl("RSA CRT arithmetic");
  }
  if (!BN_is_zero(remainder.get())) refuse("dp and dq do not belong to one public exponent");
  if (BN_div(p1g.get(), nullptr, p1.get(), g.get(), ctx) != 1 ||
      BN_div(q1g.get(), nullptr, q1.get(), g.get(), ctx) != 1 || BN_mul(lcm.get(), p1.get(), q1g.get(), ctx) != 1) {
    detail::throw_openssl("RSA CRT arithmetic");
  }
  Bn inverse(BN_mod_inverse(nullptr, p1g.get(), q1g.get(), ctx));
  if (!inverse || BN_nnmod(difference.get(), difference.get(), q1g.get(), ctx) != 1 ||
      BN_mod_mul(t.get(), difference.get(), inverse.get(), q1g.get(), ctx) != 1 ||
      BN_mul(e.get(), p1.get(), t.get(), ctx) != 1 || BN_add(e.get(), e.get(), e1.get()) != 1) {
    detail::throw_openssl("RSA CRT arithmetic");
  }
  check_public_exponent(e.get(), n.get());
  Bn d(BN_mod_inverse(nullptr, e.get(), lcm.get(), ctx));
  if (!d) {
    ERR_clear_error();
    refuse("the recovered public exponent has no inverse modulo lcm(p-1, q-1)");
  }
  detail::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld) detail::throw_openssl("OSSL_PARAM_BLD_new");
  push(bld.get(), OSSL_PKEY_PARAM_RSA_N, n.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_E, e.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_D, d.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR1, p.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_FACTOR2, q.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT1, dp.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_EXPONENT2, dq.get());
  push(bld.get(), OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv.get());
  const detail::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  RsaPrivateKey key(detail::pkey_from_params("RSA", params.get(), EVP_PKEY_KEYPAIR, "RSA CRT key import"));
  check_round_trip(key);
  return key;
}

std::size_t RsaPrivateKey::bits() const {
  return static_cast<std::size_t>(EVP_PKEY_get_bits(key_.get()));
}
Bytes RsaPrivateKey::modulus() const {
  return detail::bytes_of_bn(get_bn(key_.get(), OSSL_PKEY_PARAM_RSA_N).get(), size());
}
Bytes RsaPrivateKey::public_exponent() const {
  return detail::bytes_of_bn(get_bn(key_.get(), OSSL_PKEY_PARAM_RSA_E).get());
}
SecretBytes RsaPrivateKey::private_exponent() const {
  return detail::secret_bytes_of_bn(get_bn(key_.get(), OSSL_PKEY_PARAM_RSA_D).get(), size());
}

std::optional<RsaCrtParts> RsaPrivateKey::crt_parts() const {
  if (!has_bn(key_.get(), OSSL_PKEY_PARAM_RSA_FACTOR1)) return std::nullopt;
  // Each part as long as a balanced prime; a longer prime (unbalanced key) keeps its own length.
  const std::size_t half = (bits() + 15) / 16;
  const auto part = [&](const char* name) {
    const Bn value = get_bn(key_.get(), name);
    const std::size_t minimal = static_cast<std::size_t>(BN_num_bytes(value.get()));
    return detail::secret_bytes_of_bn(value.get(), minimal > half ? minimal : half);
  };
  return RsaCrtParts{part(OSSL_PKEY_PARAM_RSA_FACTOR1), part(OSSL_PKEY_PARAM_RSA_FACTOR2),
                     part(OSSL_PKEY_PARAM_RSA_EXPONENT1), part(OSSL_PKEY_PARAM_RSA_EXPONENT2),
                     part(OSSL_PKEY_PARAM_RSA_COEFFICIENT1)};
}

RsaPublicKey RsaPrivateKey::public_key() const {
  const Bytes n = modulus();
  const Bytes e = public_exponent();
  return RsaPublicKey::from_components(n, e);
}

}  // namespace sefleet::crypto

#include "crypto/ecdsa_hedged.hpp"

#include <openssl/bn.h>
#include <openssl/ec.h>

#include <initializer_list>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/digest.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/hmac.hpp"

namespace sefleet::crypto {
namespace {

using detail::Bn;

// The separator bytes of RFC 6979 §3.2 d, f and h.3.
constexpr std::uint8_t kZeroByte[1] = {0x00};
constexpr std::uint8_t kOneByte[1] = {0x01};
constexpr ByteView kZero{kZeroByte};
constexpr ByteView kOne{kOneByte};

// RFC 6979 §2.3.2: the leftmost qlen bits of `bits` as an integer (marked constant-time: it may be a
// nonce).
Bn bits2int(ByteView bits, std::size_t qlen) {
  Bn value = detail::bn_from(bits);
  const std::size_t blen = bits.size() * 8;
  if (blen > qlen && BN_rshift(value.get(), value.get(), static_cast<int>(blen - qlen)) != 1) {
    detail::throw_openssl("ECDSA: bits2int");
  }
  return value;
}

// The HMAC-DRBG of RFC 6979 §3.2 steps b to h: K and V seeded with int2octets(x), bits2octets(h1)
// and k'; next() returns the candidates for k in order (1 <= k < q).
class NonceSource {
 public:
  NonceSource(DigestAlgorithm algorithm, const EcPrivateKey& key, ByteView hash, ByteView additional,
              const BIGNUM* order, std::size_t qlen)
      : algorithm_(algorithm), order_(order), qlen_(qlen), k_(Bytes(digest_size(algorithm), 0x00)),
        v_(Bytes(digest_size(algorithm), 0x01)) {
    const SecretBytes x = key.scalar();  // int2octets(x): order_size() bytes
    const SecretBytes h = bits2octets(hash, key.curve().order_size());
    k_ = mac(k_, {v_.view(), kZero, x.view(), h.view(), additional});
    v_ = mac(k_, {v_.view()});
    k_ = mac(k_, {v_.view(), kOne, x.view(), h.view(), additional});
    v_ = mac(k_, {v_.view()});
  }

  Bn next() {
    for (;;) {
      if (started_) {  // §3.2 h.3: the previous candidate was refused or used
        k_ = mac(k_, {v_.view(), kZero});
        v_ = mac(k_, {v_.view()});
      }
      started_ = true;
      SecretBytes t;
      while (t.size() * 8 < qlen_) {
        v_ = mac(k_, {v_.view()});
        t.append(v_.view());
      }
      Bn k = bits2int(t.view(), qlen_);
      if (!BN_is_zero(k.get()) && BN_cmp(k.get(), order_) < 0) return k;
    }
  }

 private:
  SecretBytes mac(const SecretBytes& key, std::initializer_list<ByteView> parts) const {
    Bytes out = Hmac(algorithm_, key.view()).compute(parts);
    return SecretBytes::take(out);
  }

  // §2.3.4: bits2int(h1) mod q as order_size() bytes.
  SecretBytes bits2octets(ByteView hash, std::size_t size) const {
    // bits2int(h1) < 2^qlen < 2q, so one subtraction reduces it.
    Bn z = bits2int(hash, qlen_);
    if (BN_cmp(z.get(), order_) >= 0 && BN_sub(z.get(), z.get(), order_) != 1) detail::throw_openssl("ECDSA: bits2octets");
    return detail::secret_bytes_of_bn(z.get(), size);
  }

  DigestAlgorithm algorithm_;
  const BIGNUM* order_;
  std::size_t qlen_;
  SecretBytes k_;
  SecretBytes v_;
  bool started_ = false;
};

}  // namespace

Bytes ecdsa_sign_hash_deterministic(const EcPrivateKey& key, ByteView hash, ByteView additional) {
  if (hash.empty()) throw Error(Errc::invalid_argument, "ECDSA: the hash is empty");
  const EC_GROUP* group = key.curve().group();
  const BIGNUM* order = EC_GROUP_get0_order(group);
  const std::size_t qlen = key.curve().order_bits();
  const std::size_t size = key.curve().order_size();
  detail::BnCtx context(BN_CTX_new());
  if (!context) detail::throw_openssl("ECDSA: BN_CTX");
  BN_CTX* ctx = context.get();

  const Bn d = detail::bn_from(key.scalar().view());
  const Bn e = bits2int(hash, qlen);
  // Exponent of Fermat's inverse k^(q-2) mod q (q is prime): constant-time, unlike a gcd inversion.
  Bn q_minus_2(BN_dup(order));
  if (!q_minus_2 || BN_sub_word(q_minus_2.get(), 2) != 1) detail::throw_openssl("ECDSA: q - 2");

  NonceSource nonces(digest_of_size(hash.size()).value_or(DigestAlgorithm::sha256), key, hash, additional, order, qlen);
  detail::EcPoint point(EC_POINT_new(group));
  Bn x = detail::bn_new(), r = detail::bn_new(), s = detail::bn_new(), k_inverse = detail::bn_new();
  Bn rd = detail::bn_new(), sum = detail::bn_new();
  if (!point) detail::throw_openssl("ECDSA: point");
  BN_set_flags(k_inverse.get(), BN_FLG_CONSTTIME);
  for (;;) {
    const Bn k = nonces.next();
    // r = x(kG) mod q; s = k^-1 (e + r d) mod q; a zero r or s takes the next candidate (§3.2 h.3).
    if (EC_POINT_mul(group, point.get(), k.get(), nullptr, nullptr, ctx) != 1 ||
        EC_POINT_get_affine_coordinates(group, point.get(), x.get(), nullptr, ctx) != 1 ||
        BN_nnmod(r.get(), x.get(), order, ctx) != 1) {
      detail::throw_openssl("ECDSA: r");
    }
    if (BN_is_zero(r.get())) continue;
    if (BN_mod_exp_mont_consttime(k_inverse.get(), k.get(), q_minus_2.get(), order, ctx, nullptr) != 1 ||
        BN_mod_mul(rd.get(), r.get(), d.get(), order, ctx) != 1 || BN_mod_add(sum.get(), e.get(), rd.get(), order, ctx) != 1 ||
        BN_mod_mul(s.get(), k_inverse.get(), sum.get(), order, ctx) != 1) {
      detail::throw_openssl("ECDSA: s");
    }
    if (BN_is_zero(s.get())) continue;
    Bytes raw = detail::bytes_of_bn(r.get(), size);
    const Bytes s_bytes = detail::bytes_of_bn(s.get(), size);
    raw.insert(raw.end(), s_bytes.begin(), s_bytes.end());
    return ecdsa_raw_to_der(raw);
  }
}

Bytes ecdsa_sign_hash_hedged(const EcPrivateKey& key, ByteView hash, Random& random) {
  if (hash.empty()) throw Error(Errc::invalid_argument, "ECDSA: the hash is empty");
  SecretBytes additional(kEcdsaHedgeSize);
  random.fill(additional.mutable_view());
  return ecdsa_sign_hash_deterministic(key, hash, additional.view());
}

Bytes ecdsa_p256_sign_hedged(const P256PrivateKey& key, ByteView message, Random& random) {
  static const EcCurve p256 = EcCurve::named(NamedCurve::secp256r1);
  const EcPrivateKey general = EcPrivateKey::from_scalar(p256, key.scalar().view());
  const Bytes der = ecdsa_sign_hash_hedged(general, digest(DigestAlgorithm::sha256, message), random);
  return ecdsa_der_to_raw(der, kP256ScalarSize);
}

}  // namespace sefleet::crypto

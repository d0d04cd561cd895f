#include "crypto/ec_key.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>

#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {
namespace {

[[noreturn]] void refuse_key(const std::string& why) {
  throw Error(Errc::invalid_argument, "EC key: " + why);
}

detail::BnCtx new_bn_ctx() {
  detail::BnCtx ctx(BN_CTX_new());
  if (!ctx) detail::throw_openssl("BN_CTX_new");
  return ctx;
}

Bytes encode_uncompressed(const EcCurve& curve, const EC_POINT* point, BN_CTX* ctx) {
  Bytes out(curve.point_size());
  if (EC_POINT_point2oct(curve.group(), point, POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), ctx) !=
      out.size()) {
    detail::throw_openssl("EC point encoding");
  }
  return out;
}

detail::Pkey make_pkey(const EcCurve& curve, const BIGNUM* scalar, ByteView point) {
  detail::ParamBld bld(OSSL_PARAM_BLD_new());
  if (!bld) detail::throw_openssl("OSSL_PARAM_BLD_new");
  curve.push_domain(bld.get());
  if (OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) != 1 ||
      (scalar != nullptr && OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, scalar) != 1)) {
    detail::throw_openssl("EC key parameters");
  }
  const detail::Params params(OSSL_PARAM_BLD_to_param(bld.get()));
  return detail::pkey_from_params("EC", params.get(), scalar != nullptr ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                                  scalar != nullptr ? "EC private key import" : "EC public key import");
}

}  // namespace

EcPublicKey EcPublicKey::from_point(const EcCurve& curve, ByteView point) {
  auto ctx = new_bn_ctx();
  detail::EcPoint q(EC_POINT_new(curve.group()));
  if (!q) detail::throw_openssl("EC_POINT_new");
  // oct2point accepts only encodings of points on the curve (and the one-byte 00 for infinity).
  if (point.empty() || EC_POINT_oct2point(curve.group(), q.get(), point.data(), point.size(), ctx.get()) != 1) {
    ERR_clear_error();
    refuse_key("the public point is not an encoded point of the curve (" + std::to_string(point.size()) + " bytes)");
  }
  if (EC_POINT_is_at_infinity(curve.group(), q.get()) == 1) refuse_key("the public point is the point at infinity");
  if (curve.parameters().cofactor != 1) {
    detail::EcPoint check(EC_POINT_new(curve.group()));
    if (!check || EC_POINT_mul(curve.group(), check.get(), nullptr, q.get(), EC_GROUP_get0_order(curve.group()),
                               ctx.get()) != 1) {
      detail::throw_openssl("EC point check");
    }
    if (EC_POINT_is_at_infinity(curve.group(), check.get()) != 1) {
      refuse_key("the public point is not in the subgroup of the generator");
    }
  }
  Bytes uncompressed = encode_uncompressed(curve, q.get(), ctx.get());
  auto key = make_pkey(curve, nullptr, uncompressed);
  return EcPublicKey(curve, std::move(uncompressed), std::move(key));
}

Bytes EcPublicKey::point() const {
  return point_;
}

EcPrivateKey EcPrivateKey::from_scalar(const EcCurve& curve, ByteView scalar) {
  if (scalar.size() > curve.order_size()) {
    refuse_key("a scalar of " + std::to_string(scalar.size()) + " bytes is longer than the order (" +
               std::to_string(curve.order_size()) + ")");
  }
  const detail::Bn d = detail::bn_from(scalar);
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(curve.group())) >= 0) {
    refuse_key("the private scalar is not in [1, n-1]");
  }
  auto ctx = new_bn_ctx();
  detail::EcPoint q(EC_POINT_new(curve.group()));
  if (!q || EC_POINT_mul(curve.group(), q.get(), d.get(), nullptr, nullptr, ctx.get()) != 1) {
    detail::throw_openssl("EC public point");
  }
  Bytes point = encode_uncompressed(curve, q.get(), ctx.get());
  auto key = make_pkey(curve, d.get(), point);
  auto public_pkey = make_pkey(curve, nullptr, point);
  EcPublicKey public_key(curve, std::move(point), std::move(public_pkey));
  return EcPrivateKey(curve, detail::secret_bytes_of_bn(d.get(), curve.order_size()), std::move(public_key),
                      std::move(key));
}

EcPrivateKey EcPrivateKey::generate(const EcCurve& curve, Random& random) {
  // Rejection sampling over order_bits() random bits: each draw succeeds with probability > 1/2.
  const std::size_t size = curve.order_size();
  const unsigned excess_bits = static_cast<unsigned>(size * 8 - curve.order_bits());
  const auto top_mask = static_cast<std::uint8_t>(0xFFu >> excess_bits);
  const BIGNUM* order = EC_GROUP_get0_order(curve.group());
  SecretBytes candidate(size);
  for (int attempt = 0; attempt < 128; ++attempt) {
    random.fill(candidate.mutable_view());
    candidate.data()[0] &= top_mask;
    const detail::Bn d = detail::bn_from(candidate.view());
    if (!BN_is_zero(d.get()) && BN_cmp(d.get(), order) < 0) return from_scalar(curve, candidate.view());
  }
  throw Error(Errc::crypto_error, "EC key generation: the random source produced no valid scalar");
}

EcPrivateKey EcPrivateKey::generate(const EcCurve& curve) {
  return generate(curve, system_random());
}

Bytes ec_decode_point(ByteView p, ByteView a, ByteView b, ByteView encoded) {
  auto ctx = new_bn_ctx();
  const detail::Bn prime = detail::bn_from(p), coefficient_a = detail::bn_from(a), coefficient_b = detail::bn_from(b);
  const auto field_bits = static_cast<std::size_t>(BN_num_bits(prime.get()));
  if (field_bits < 3 || !BN_is_odd(prime.get()) || BN_cmp(coefficient_a.get(), prime.get()) >= 0 ||
      BN_cmp(coefficient_b.get(), prime.get()) >= 0) {
    refuse_key("the field parameters cannot carry a point (p odd, a and b below p)");
  }
  const std::size_t field_size = (field_bits + 7) / 8;
  const bool compressed = encoded.size() == field_size + 1 && (encoded[0] == 0x02 || encoded[0] == 0x03);
  const bool uncompressed = encoded.size() == 2 * field_size + 1 && encoded[0] == 0x04;
  if (!compressed && !uncompressed) {
    refuse_key("a point of this field is 02/03 || X (" + std::to_string(field_size + 1) + " bytes) or 04 || X || Y (" +
               std::to_string(2 * field_size + 1) + " bytes), got " + std::to_string(encoded.size()) + " bytes");
  }
  detail::EcGroup group(EC_GROUP_new_curve_GFp(prime.get(), coefficient_a.get(), coefficient_b.get(), ctx.get()));
  if (!group) {
    ERR_clear_error();
    refuse_key("p, a and b do not define a curve");
  }
  detail::EcPoint point(EC_POINT_new(group.get()));
  if (!point || EC_POINT_oct2point(group.get(), point.get(), encoded.data(), encoded.size(), ctx.get()) != 1 ||
      EC_POINT_is_on_curve(group.get(), point.get(), ctx.get()) != 1) {
    ERR_clear_error();
    refuse_key("the point is not on the curve");
  }
  Bytes out(2 * field_size + 1);
  if (EC_POINT_point2oct(group.get(), point.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(), ctx.get()) !=
      out.size()) {
    detail::throw_openssl("EC point encoding");
  }
  return out;
}

}  // namespace sefleet::crypto

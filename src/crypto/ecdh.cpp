#include "crypto/ecdh.hpp"

#include <openssl/err.h>

#include "core/error.hpp"
#include "crypto/digest.hpp"

namespace sefleet::crypto {
namespace {

SecretBytes shared_x(const EcPrivateKey& own, const EcPublicKey& peer, EcdhCofactor cofactor) {
  detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_ecdh_cofactor_mode(ctx.get(), cofactor == EcdhCofactor::with ? 1 : 0) != 1 ||
      EVP_PKEY_derive_set_peer(ctx.get(), peer.handle()) != 1) {
    detail::throw_openssl("ECDH init");
  }
  std::size_t length = 0;
  if (EVP_PKEY_derive(ctx.get(), nullptr, &length) != 1) detail::throw_openssl("ECDH");
  SecretBytes out(length);
  if (EVP_PKEY_derive(ctx.get(), out.data(), &length) != 1 || length != own.curve().field_size()) {
    // The one failure a valid peer point can cause: the shared point at infinity.
    detail::throw_openssl("ECDH: no shared point");
  }
  return out;
}

SecretBytes shared_point(const EcPrivateKey& own, const EcPublicKey& peer, EcdhCofactor cofactor) {
  const EcCurve& curve = own.curve();
  detail::BnCtx ctx(BN_CTX_secure_new());
  detail::EcPoint q(EC_POINT_new(curve.group()));
  detail::EcPoint shared(EC_POINT_new(curve.group()));
  if (!ctx || !q || !shared) detail::throw_openssl("ECDH");
  const Bytes peer_bytes = peer.point();
  if (EC_POINT_oct2point(curve.group(), q.get(), peer_bytes.data(), peer_bytes.size(), ctx.get()) != 1) {
    detail::throw_openssl("ECDH peer point");
  }
  const SecretBytes scalar_bytes = own.scalar();
  detail::Bn scalar = detail::bn_from(scalar_bytes.view());
  if (cofactor == EcdhCofactor::with && BN_mul_word(scalar.get(), curve.parameters().cofactor) != 1) {
    detail::throw_openssl("ECDH cofactor");
  }
  // One point and one scalar: OpenSSL's constant-time ladder.
  if (EC_POINT_mul(curve.group(), shared.get(), nullptr, q.get(), scalar.get(), ctx.get()) != 1) {
    detail::throw_openssl("ECDH");
  }
  if (EC_POINT_is_at_infinity(curve.group(), shared.get()) == 1) {
    throw Error(Errc::crypto_error, "ECDH: the shared point is the point at infinity");
  }
  SecretBytes out(curve.point_size());
  if (EC_POINT_point2oct(curve.group(), shared.get(), POINT_CONVERSION_UNCOMPRESSED, out.data(), out.size(),
                         ctx.get()) != out.size()) {
    detail::throw_openssl("ECDH point encoding");
  }
  return out;
}

}  // namespace

SecretBytes ecdh(const EcPrivateKey& own, ByteView peer_point, EcdhOutput output, EcdhCofactor cofactor) {
  const EcPublicKey peer = EcPublicKey::from_point(own.curve(), peer_point);
  switch (output) {
    case EcdhOutput::x:
      return shared_x(own, peer, cofactor);
    case EcdhOutput::point:
      return shared_point(own, peer, cofactor);
    case EcdhOutput::sha1_of_x: {
      const SecretBytes x = shared_x(own, peer, cofactor);
      Bytes hash = digest(DigestAlgorithm::sha1, x.view());
      return SecretBytes::take(hash);
    }
  }
  throw Error(Errc::invalid_argument, "ECDH: unknown output");
}

}  // namespace sefleet::crypto

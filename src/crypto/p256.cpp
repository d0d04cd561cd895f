#include "crypto/p256.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "core/error.hpp"
#include "crypto/hash.hpp"

namespace sefleet::crypto {
namespace {

struct GroupFree {
  void operator()(EC_GROUP* p) const noexcept { EC_GROUP_free(p); }
};
struct PointFree {
  void operator()(EC_POINT* p) const noexcept { EC_POINT_free(p); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* p) const noexcept { OSSL_PARAM_BLD_free(p); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* p) const noexcept { OSSL_PARAM_free(p); }
};
struct SigFree {
  void operator()(ECDSA_SIG* p) const noexcept { ECDSA_SIG_free(p); }
};
struct OpenSslFree {
  void operator()(unsigned char* p) const noexcept { OPENSSL_free(p); }
};
using detail::Bn;
using Group = std::unique_ptr<EC_GROUP, GroupFree>;
using Point = std::unique_ptr<EC_POINT, PointFree>;

char kCurve[] = "prime256v1";

// One P-256 group for the process. Building a group sets up its Montgomery contexts, about a fifth of
// the time of an ECDH; once built it is only read (OpenSSL's multiplications take it const), so every
// key and thread shares it. It is OpenSSL's named-curve group, i.e. the nistz256 code where the CPU
// has it, with the precomputed table of the generator that `openssl speed` uses too.
const EC_GROUP* p256_group() {
  static const Group group = [] {
    Group made(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
    if (!made) detail::throw_openssl("P-256 group");
    return made;
  }();
  return group.get();
}

// A 65-byte 04 || X || Y encoding of a point of P-256. oct2point refuses coordinates that are not on
// the curve; 04 || X || Y cannot encode the point at infinity, and P-256's group has prime order, so
// such a point is a valid public key (no subgroup check needed).
bool decodes_to_curve_point(ByteView point) {
  if (point.size() != kP256PointSize || point[0] != 0x04) return false;
  const EC_GROUP* group = p256_group();
  Point p(EC_POINT_new(group));
  const bool on_curve = p && EC_POINT_oct2point(group, p.get(), point.data(), point.size(), nullptr) == 1 &&
                        EC_POINT_is_on_curve(group, p.get(), nullptr) == 1 &&
                        EC_POINT_is_at_infinity(group, p.get()) == 0;
  if (!on_curve) ERR_clear_error();
  return on_curve;
}

// The scalar as a constant-time BIGNUM, refused outside [1, n-1].
detail::Bn checked_scalar(ByteView scalar) {
  if (scalar.size() != kP256ScalarSize) {
    throw Error(Errc::crypto_error, "P-256 private scalar must be 32 bytes");
  }
  detail::Bn d = detail::bn_from(scalar);  // constant-time flag: a secret
  if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(p256_group())) >= 0) {
    throw Error(Errc::crypto_error, "P-256 private scalar out of range");
  }
  return d;
}

// d G as 04 || X || Y (the generator's precomputed table makes this the cheap multiplication).
Bytes public_point_of(const BIGNUM* d) {
  const EC_GROUP* group = p256_group();
  Point q(EC_POINT_new(group));
  Bytes q_bytes(kP256PointSize);
  if (!q || EC_POINT_mul(group, q.get(), d, nullptr, nullptr, nullptr) != 1 ||
      EC_POINT_point2oct(group, q.get(), POINT_CONVERSION_UNCOMPRESSED, q_bytes.data(), q_bytes.size(), nullptr) !=
          kP256PointSize) {
    detail::throw_openssl("P-256 public point");
  }
  return q_bytes;
}

detail::Pkey from_params(OSSL_PARAM* params, int selection, const char* what) {
  detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* raw = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 || EVP_PKEY_fromdata(ctx.get(), &raw, selection, params) != 1) {
    detail::throw_openssl(what);
  }
  return detail::Pkey(raw);
}

// An EVP_PKEY holding only P-256's domain parameters, made once: the template of the public keys.
EVP_PKEY* p256_parameters() {
  static const detail::Pkey parameters = [] {
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0),
                           OSSL_PARAM_construct_end()};
    return from_params(params, EVP_PKEY_KEY_PARAMETERS, "P-256 parameters");
  }();
  return parameters.get();
}

Bytes get_public_point(EVP_PKEY* key) {
  Bytes out(kP256PointSize);
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, out.data(), out.size(), &length) != 1 ||
      length != kP256PointSize) {
    detail::throw_openssl("P-256 public key export");
  }
  return out;
}

}  // namespace

P256PublicKey P256PublicKey::from_uncompressed(ByteView point) {
  if (point.size() != kP256PointSize || point[0] != 0x04) {
    throw Error(Errc::crypto_error,
                "P-256 public key must be 65 bytes starting with 04, got " + std::to_string(point.size()) + " bytes");
  }
  // Check the point is on the curve before OpenSSL accepts it.
  if (!decodes_to_curve_point(point)) {
    throw Error(Errc::crypto_error, "P-256 public key is not a point on the curve");
  }
  // A copy of the parameters-only key, given the point: copying a key copies its group, where
  // importing one by group name (EVP_PKEY_fromdata) builds a new group every time.
  detail::Pkey key(EVP_PKEY_dup(p256_parameters()));
  if (!key || EVP_PKEY_set1_encoded_public_key(key.get(), point.data(), point.size()) != 1) {
    detail::throw_openssl("P-256 public key import");
  }
  return P256PublicKey(std::move(key), Bytes(point.begin(), point.end()));
}

bool is_p256_point(ByteView point) {
  return decodes_to_curve_point(point);
}

Bytes P256PublicKey::x() const {
  return Bytes(point_.begin() + 1, point_.begin() + 1 + kP256ScalarSize);
}

P256PrivateKey P256PrivateKey::generate() {
  EVP_PKEY* raw = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (raw == nullptr) detail::throw_openssl("P-256 key generation");
  return P256PrivateKey(detail::Pkey(raw));
}

P256PrivateKey P256PrivateKey::generate(Random& random) {
  // Rejection sampling: a uniformly random scalar in [1, n-1].
  for (int attempt = 0; attempt < 64; ++attempt) {
    Bytes candidate = random.bytes(kP256ScalarSize);
    try {
      auto key = from_scalar(candidate);
      secure_zero(candidate.data(), candidate.size());
      return key;
    } catch (const Error&) {
      secure_zero(candidate.data(), candidate.size());
    }
  }
  throw Error(Errc::crypto_error, "P-256: random source produced no valid scalar");
}

P256PrivateKey P256PrivateKey::from_scalar(ByteView scalar) {
  const detail::Bn d = checked_scalar(scalar);
  const Bytes q_bytes = public_point_of(d.get());
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (!bld || OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME, kCurve, 0) != 1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY, q_bytes.data(), q_bytes.size()) != 1) {
    detail::throw_openssl("P-256 private key params");
  }
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld.get()));
  return P256PrivateKey(from_params(params.get(), EVP_PKEY_KEYPAIR, "P-256 private key import"));
}

P256PrivateKey P256PrivateKey::from_pkcs8(ByteView der) {
  const unsigned char* p = der.data();
  EVP_PKEY* raw = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));
  if (raw == nullptr) {
    ERR_clear_error();
    throw Error(Errc::parse_error, "P-256: not a PKCS#8 private key");
  }
  detail::Pkey key(raw);
  if (EVP_PKEY_get_base_id(raw) != EVP_PKEY_EC || EVP_PKEY_get_bits(raw) != 256) {
    throw Error(Errc::parse_error, "P-256: the PKCS#8 key is not a P-256 key");
  }
  return P256PrivateKey(std::move(key));
}

SecretBytes P256PrivateKey::scalar() const {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key_.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    detail::throw_openssl("P-256 scalar export");
  }
  Bn d(raw);
  SecretBytes out(kP256ScalarSize);
  if (BN_bn2binpad(d.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(kP256ScalarSize)) {
    detail::throw_openssl("P-256 scalar export");
  }
  return out;
}

SecretBytes P256PrivateKey::to_pkcs8() const {
  unsigned char* der = nullptr;
  const int length = i2d_PrivateKey(key_.get(), &der);
  if (length <= 0) detail::throw_openssl("P-256 PKCS#8 export");
  SecretBytes out(ByteView(der, static_cast<std::size_t>(length)));
  OPENSSL_clear_free(der, static_cast<std::size_t>(length));
  return out;
}

P256PublicKey P256PrivateKey::public_key() const {
  return P256PublicKey::from_uncompressed(public_uncompressed());
}

Bytes P256PrivateKey::public_uncompressed() const {
  return get_public_point(key_.get());
}

SecretBytes ecdh_p256(const P256PrivateKey& own, const P256PublicKey& peer) {
  detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle(), nullptr));
  // No second validation of the peer: a P256PublicKey is a point on the curve other than infinity
  // (from_uncompressed checked it), which on P-256 (cofactor 1) is all a public key must be. The
  // check EVP_PKEY_derive_set_peer would add is a full public-key check, whose n Q = O test costs as
  // much as the ECDH itself and cannot fail for such a point.
  constexpr int kPeerAlreadyValidated = 0;
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
      EVP_PKEY_derive_set_peer_ex(ctx.get(), peer.handle(), kPeerAlreadyValidated) != 1) {
    detail::throw_openssl("ECDH P-256");
  }
  SecretBytes out(kP256ScalarSize);
  std::size_t length = out.size();
  // The one failure a valid peer point can cause is a shared point at infinity (refused by OpenSSL).
  if (EVP_PKEY_derive(ctx.get(), out.data(), &length) != 1 || length != kP256ScalarSize) {
    detail::throw_openssl("ECDH P-256");
  }
  return out;
}

P256ScalarKeyPair generate_p256_scalar_key_pair(Random& random) {
  // Rejection sampling, as P256PrivateKey::generate(random): a uniformly random scalar in [1, n-1].
  for (int attempt = 0; attempt < 64; ++attempt) {
    Bytes drawn = random.bytes(kP256ScalarSize);
    SecretBytes candidate = SecretBytes::take(drawn);
    detail::Bn d = detail::bn_from(candidate.view());
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), EC_GROUP_get0_order(p256_group())) >= 0) continue;
    Bytes point = public_point_of(d.get());
    return P256ScalarKeyPair{std::move(candidate), std::move(point)};
  }
  throw Error(Errc::crypto_error, "P-256: random source produced no valid scalar");
}

SecretBytes ecdh_p256(ByteView own_scalar, ByteView peer_point) {
  const detail::Bn d = checked_scalar(own_scalar);
  if (peer_point.size() != kP256PointSize || peer_point[0] != 0x04) {
    throw Error(Errc::crypto_error, "P-256 public key must be 65 bytes starting with 04, got " +
                                        std::to_string(peer_point.size()) + " bytes");
  }
  const EC_GROUP* group = p256_group();
  Point peer(EC_POINT_new(group));
  // As decodes_to_curve_point: on the curve, not infinity (cofactor 1: nothing more to check).
  if (!peer || EC_POINT_oct2point(group, peer.get(), peer_point.data(), peer_point.size(), nullptr) != 1 ||
      EC_POINT_is_on_curve(group, peer.get(), nullptr) != 1 || EC_POINT_is_at_infinity(group, peer.get()) != 0) {
    ERR_clear_error();
    throw Error(Errc::crypto_error, "P-256 public key is not a point on the curve");
  }
  // The multiplication OpenSSL's ECDH derive runs (a variable point times a constant-time scalar).
  detail::BnCtx ctx(BN_CTX_secure_new());
  Point shared(EC_POINT_new(group));
  detail::Bn x = detail::bn_new();
  if (!ctx || !shared || EC_POINT_mul(group, shared.get(), nullptr, peer.get(), d.get(), ctx.get()) != 1) {
    detail::throw_openssl("ECDH P-256");
  }
  if (EC_POINT_is_at_infinity(group, shared.get()) != 0) {
    throw Error(Errc::crypto_error, "ECDH P-256: the shared point is at infinity");
  }
  if (EC_POINT_get_affine_coordinates(group, shared.get(), x.get(), nullptr, ctx.get()) != 1) {
    detail::throw_openssl("ECDH P-256");
  }
  return detail::secret_bytes_of_bn(x.get(), kP256ScalarSize);
}

Bytes ecdsa_p256_sign(const P256PrivateKey& key, ByteView message) {
  detail::MdCtx ctx(EVP_MD_CTX_new());
  std::size_t length = 0;
  if (!ctx || EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.handle(), nullptr) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &length, message.data(), message.size()) != 1) {
    detail::throw_openssl("ECDSA sign init");
  }
  Bytes der(length);
  if (EVP_DigestSign(ctx.get(), der.data(), &length, message.data(), message.size()) != 1) {
    detail::throw_openssl("ECDSA sign");
  }
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(length)));
  if (!sig) detail::throw_openssl("ECDSA signature decode");
  Bytes out(kP256SignatureSize);
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32) {
    detail::throw_openssl("ECDSA signature encode");
  }
  return out;
}

bool ecdsa_p256_verify(const P256PublicKey& key, ByteView message, ByteView signature) {
  if (signature.size() != kP256SignatureSize) return false;
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(signature.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(signature.data() + 32, 32, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    detail::throw_openssl("ECDSA signature decode");
  }
  unsigned char* der_raw = nullptr;
  const int der_length = i2d_ECDSA_SIG(sig.get(), &der_raw);
  if (der_length <= 0) detail::throw_openssl("ECDSA signature encode");
  // OpenSSL's own buffer, freed with OPENSSL_free (no copy of it into a Bytes).
  const std::unique_ptr<unsigned char, OpenSslFree> der(der_raw);
  detail::MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, key.handle(), nullptr) != 1) {
    detail::throw_openssl("ECDSA verify init");
  }
  const int ok =
      EVP_DigestVerify(ctx.get(), der.get(), static_cast<std::size_t>(der_length), message.data(), message.size());
  ERR_clear_error();
  return ok == 1;
}

}  // namespace sefleet::crypto

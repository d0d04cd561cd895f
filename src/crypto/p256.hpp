// NIST P-256 keys, ECDH and ECDSA (SHA-256) over OpenSSL EVP_PKEY.
// Public keys travel as 65-byte uncompressed points (04 || X || Y); signatures as 64-byte r || s.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {

inline constexpr std::size_t kP256PointSize = 65;
inline constexpr std::size_t kP256ScalarSize = 32;
inline constexpr std::size_t kP256SignatureSize = 64;

class P256PublicKey {
 public:
  // Throws Error(Errc::crypto_error) when the bytes are not a point on the curve.
  static P256PublicKey from_uncompressed(ByteView point);
  Bytes uncompressed() const { return point_; }
  Bytes x() const;  // the 32-byte X coordinate
  EVP_PKEY* handle() const noexcept { return key_.get(); }

 private:
  P256PublicKey(detail::Pkey key, Bytes point) : key_(std::move(key)), point_(std::move(point)) {}
  detail::Pkey key_;
  // The 65 bytes the key was made from, kept beside it: exporting them again from the EVP_PKEY costs
  // an OSSL_PARAM round trip each time (a server reads the card CA's point on every session start).
  Bytes point_;
  friend class P256PrivateKey;
};

class P256PrivateKey {
 public:
  // A fresh key pair from OpenSSL's generator.
  static P256PrivateKey generate();
  // A key pair whose scalar comes from `random` (deterministic with DeterministicRandom).
  static P256PrivateKey generate(Random& random);
  // From a 32-byte big-endian scalar in [1, n-1]; throws otherwise.
  static P256PrivateKey from_scalar(ByteView scalar);
  // PKCS#8 DER, for key files.
  static P256PrivateKey from_pkcs8(ByteView der);

  P256PrivateKey(P256PrivateKey&&) noexcept = default;
  P256PrivateKey& operator=(P256PrivateKey&&) noexcept = default;

  SecretBytes scalar() const;
  SecretBytes to_pkcs8() const;
  P256PublicKey public_key() const;
  Bytes public_uncompressed() const;
  EVP_PKEY* handle() const noexcept { return key_.get(); }

 private:
  explicit P256PrivateKey(detail::Pkey key) : key_(std::move(key)) {}
  detail::Pkey key_;
};

// Whether `point` is 04 || X || Y of a point on P-256 (what from_uncompressed accepts), without
// making a key of it.
bool is_p256_point(ByteView point);

// The X coordinate of the shared point (32 bytes), as ECKA-DH / SP 800-56A define Z.
SecretBytes ecdh_p256(const P256PrivateKey& own, const P256PublicKey& peer);

// A P-256 key pair as bytes, for a key used once and kept elsewhere between two steps (an ephemeral
// ECDH key sealed into a state blob): the scalar and its 04 || X || Y point.
struct P256ScalarKeyPair {
  SecretBytes scalar;  // 32 bytes, big-endian, in [1, n-1]
  Bytes point;         // 65 bytes
};

// A key pair whose scalar comes from `random`, as P256PrivateKey::generate(random) draws it, without
// an EVP_PKEY: importing a private key into OpenSSL 3 builds a new group from its name each time,
// which costs most of an ECDH, for a key that only ever does ECDH with its scalar.
P256ScalarKeyPair generate_p256_scalar_key_pair(Random& random);

// ECDH with a bare scalar (32 bytes in [1, n-1]) and the peer's 04 || X || Y point: the same Z as
// ecdh_p256 on keys made of them (the peer point is checked as from_uncompressed checks it), computed
// on the process's one P-256 group. Throws Error(Errc::crypto_error) for a bad scalar or point.
SecretBytes ecdh_p256(ByteView own_scalar, ByteView peer_point);

// ECDSA with SHA-256 over `message`; the signature is r || s, 32 bytes each.
Bytes ecdsa_p256_sign(const P256PrivateKey& key, ByteView message);

// False for a wrong or malformed signature (never throws for bad signatures).
bool ecdsa_p256_verify(const P256PublicKey& key, ByteView message, ByteView signature);

}  // namespace sefleet::crypto

// EC key pairs over any curve of ec_curve.hpp, over OpenSSL EVP_PKEY. Points travel as X9.62 octet
// strings (uncompressed 04 || X || Y, or compressed 02/03 || X on import); private scalars as big-endian
// unsigned bytes. P-256 code on the protocol paths uses p256.hpp; this is the general form. Keys are
// immutable; copies share one OpenSSL key.
#pragma once

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/ec_curve.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {

class EcPublicKey {
 public:
  // Throws Error(Errc::invalid_argument) unless `point` encodes a point of the curve other than the point
  // at infinity; on a curve with a cofactor, also unless n Q = O (the point is in the generator's group).
  static EcPublicKey from_point(const EcCurve& curve, ByteView point);

  const EcCurve& curve() const noexcept { return curve_; }
  Bytes point() const;  // uncompressed
  EVP_PKEY* handle() const noexcept { return key_.get(); }

 private:
  EcPublicKey(EcCurve curve, Bytes point, detail::Pkey key)
      : curve_(std::move(curve)), point_(std::move(point)), key_(std::move(key)) {}
  EcCurve curve_;
  Bytes point_;
  detail::SharedPkey key_;
  friend class EcPrivateKey;
};

class EcPrivateKey {
 public:
  // A scalar drawn uniformly from [1, n-1] by rejection sampling from `random` (reproducible with a
  // DeterministicRandom), and its public point.
  static EcPrivateKey generate(const EcCurve& curve, Random& random);
  static EcPrivateKey generate(const EcCurve& curve);  // from the system generator
  // From a big-endian scalar in [1, n-1] (at most order_size() bytes, leading zeros allowed); throws
  // Error(Errc::invalid_argument) otherwise. The public point is computed.
  static EcPrivateKey from_scalar(const EcCurve& curve, ByteView scalar);

  const EcCurve& curve() const noexcept { return curve_; }
  SecretBytes scalar() const { return scalar_; }  // order_size() bytes
  Bytes public_point() const { return public_.point(); }
  const EcPublicKey& public_key() const noexcept { return public_; }
  EVP_PKEY* handle() const noexcept { return key_.get(); }

 private:
  EcPrivateKey(EcCurve curve, SecretBytes scalar, EcPublicKey public_key, detail::Pkey key)
      : curve_(std::move(curve)), scalar_(std::move(scalar)), public_(std::move(public_key)), key_(std::move(key)) {}
  EcCurve curve_;
  SecretBytes scalar_;
  EcPublicKey public_;
  detail::SharedPkey key_;
};

// Checks `encoded` (02/03 || X, or 04 || X || Y, with X and Y as long as p) as a point other than
// infinity of y^2 = x^3 + ax + b over GF(p), and returns it uncompressed. Only p, a and b are needed:
// Java Card's ECPublicKey.setW may come before the generator and the order are set. Throws
// Error(Errc::invalid_argument) for a point that is not on the curve or a field that is not usable.
Bytes ec_decode_point(ByteView p, ByteView a, ByteView b, ByteView encoded);

}  // namespace sefleet::crypto

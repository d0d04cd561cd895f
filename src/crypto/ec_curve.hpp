// Elliptic curves over prime fields for the general EC code (ec_key, ecdsa, ecdh): the named curves of
// SEC 2 (secp192r1 .. secp521r1) and RFC 5639 (brainpoolP192r1 .. brainpoolP512r1), or any curve
// y^2 = x^3 + ax + b over GF(p) given by explicit parameters (p, a, b, G, n, h), as Java Card's ECKey
// setters supply them. Explicit parameters are checked before use; explicit parameters equal to a named
// curve's become that named curve (OpenSSL then uses its optimised code for it). Copies share one
// immutable curve.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/bytes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

// Java Card's LENGTH_EC_FP_160 is the smallest curve size applets still use (brainpoolP160r1, secp160r1);
// the 112- and 128-bit sizes are refused.
inline constexpr std::size_t kEcMinFieldBits = 160;
inline constexpr std::size_t kEcMaxFieldBits = 521;

enum class NamedCurve {
  secp192r1,
  secp224r1,
  secp256r1,
  secp384r1,
  secp521r1,
  brainpoolP192r1,
  brainpoolP224r1,
  brainpoolP256r1,
  brainpoolP320r1,
  brainpoolP384r1,
  brainpoolP512r1,
};

// "secp256r1", "brainpoolP256r1", ...; also accepts "P-192".."P-521" and "prime192v1"/"prime256v1".
std::optional<NamedCurve> parse_curve_name(std::string_view name) noexcept;
std::string_view curve_name(NamedCurve curve) noexcept;

struct EcCurveParameters {
  Bytes p;  // field prime
  Bytes a;  // coefficients, reduced modulo p
  Bytes b;
  Bytes g;  // generator, uncompressed (04 || x || y) or compressed (02/03 || x)
  Bytes n;  // order of the generator
  std::uint32_t cofactor = 1;
};

class EcCurve {
 public:
  static EcCurve named(NamedCurve curve);
  // Throws Error(Errc::invalid_argument) naming the failed check: field of 160..521 bits; p prime;
  // a, b < p; 4a^3 + 27b^2 != 0; G on the curve and not the point at infinity; n prime, n G = O; the
  // cofactor consistent with Hasse's bound (|h n - (p + 1)| <= 2 sqrt(p)).
  static EcCurve from_parameters(const EcCurveParameters& parameters);

  // Parameters in canonical form: p, a, b as field_size() bytes, G uncompressed, n as order_size() bytes.
  const EcCurveParameters& parameters() const noexcept;
  std::optional<NamedCurve> name() const noexcept;
  std::size_t field_bits() const noexcept;
  std::size_t field_size() const noexcept { return (field_bits() + 7) / 8; }
  std::size_t order_bits() const noexcept;
  std::size_t order_size() const noexcept { return (order_bits() + 7) / 8; }
  std::size_t point_size() const noexcept { return 1 + 2 * field_size(); }  // uncompressed

  // The same curve, whatever the way it was given.
  friend bool operator==(const EcCurve& a, const EcCurve& b) noexcept;

  // For the EC code in this library: the group, and the domain as OSSL_PARAMs for EVP_PKEY_fromdata.
  const EC_GROUP* group() const noexcept;
  void push_domain(OSSL_PARAM_BLD* builder) const;

  struct State;  // opaque: defined in ec_curve.cpp

 private:
  explicit EcCurve(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

}  // namespace sefleet::crypto

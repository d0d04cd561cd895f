// RSA keys of 512 to 4096 bits over OpenSSL EVP_PKEY: generation with any odd public exponent, import
// from (n, e), (n, e, d) or the CRT parts (p, q, dp, dq, qinv) the Java Card RSAPrivateCrtKey carries,
// and export of every component. Numbers travel as big-endian unsigned bytes (leading zeros allowed).
// The operations are in rsa.hpp. Keys are immutable; copies share one OpenSSL key.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

inline constexpr std::size_t kRsaMinBits = 512;
inline constexpr std::size_t kRsaMaxBits = 4096;
// F4 = 65537, the default public exponent.
inline constexpr std::uint8_t kRsaF4[] = {0x01, 0x00, 0x01};

// The public exponents from_modulus_and_private_exponent() recognises: F4, F0 .. F3 and the small
// primes some tools still choose.
inline constexpr std::uint32_t kRsaRecoverableExponents[] = {65537, 3, 5, 17, 257, 7, 11, 13};

struct RsaCrtParts {
  SecretBytes p, q, dp, dq, qinv;  // qinv = q^-1 mod p
};

class RsaPublicKey {
 public:
  // Throws Error(Errc::invalid_argument) unless n is odd and 512..4096 bits and e is odd, >= 3, < n.
  static RsaPublicKey from_components(ByteView modulus, ByteView public_exponent);

  std::size_t bits() const;
  std::size_t size() const { return (bits() + 7) / 8; }  // the modulus length in bytes
  Bytes modulus() const;                                 // size() bytes
  Bytes public_exponent() const;                         // minimal length
  EVP_PKEY* handle() const noexcept { return key_.get(); }

 private:
  explicit RsaPublicKey(detail::Pkey key) : key_(std::move(key)) {}
  detail::SharedPkey key_;
  friend class RsaPrivateKey;
};

class RsaPrivateKey {
 public:
  // A fresh key pair of exactly `bits` bits (512..4096) from OpenSSL's generator (two primes). The public
  // exponent must be odd and at least 3.
  static RsaPrivateKey generate(std::size_t bits, ByteView public_exponent = kRsaF4);
  // From modulus, public and private exponent (no CRT parts: OpenSSL then computes m^d mod n directly).
  // OpenSSL blinds every private operation with e, so e is needed even though only d signs. The key is
  // checked by one round trip of a test value through the public and private operations.
  static RsaPrivateKey from_components(ByteView modulus, ByteView public_exponent, ByteView private_exponent);
  // From modulus and private exponent alone (Java Card's RSAPrivateKey carries no public exponent): the
  // public exponent is taken as the first of kRsaRecoverableExponents with (m^e)^d = m mod n for a random
  // m, then the key is built as from_components does. Throws Error(Errc::unsupported) when none fits
  // (OpenSSL cannot run a private operation without e, which its blinding needs).
  static RsaPrivateKey from_modulus_and_private_exponent(ByteView modulus, ByteView private_exponent);
  // From the CRT parts alone: n = p q; e is recovered from dp and dq (e = dp^-1 mod p-1 = dq^-1 mod q-1,
  // combined by the Chinese remainder theorem: the smallest such e, which is the key's e whenever e is
  // below lcm(p-1, q-1)); d = e^-1 mod lcm(p-1, q-1). Throws Error(Errc::invalid_argument) when the
  // parts are inconsistent (q qinv != 1 mod p, dp or dq not invertible, p = q, n outside 512..4096 bits).
  static RsaPrivateKey from_crt(const RsaCrtParts& parts);

  std::size_t bits() const;
  std::size_t size() const { return (bits() + 7) / 8; }
  Bytes modulus() const;
  Bytes public_exponent() const;
  SecretBytes private_exponent() const;  // size() bytes
  // The CRT parts (each as long as p or q, i.e. size()/2 bytes for a balanced key); nullopt for a key
  // imported from (n, e, d).
  std::optional<RsaCrtParts> crt_parts() const;
  RsaPublicKey public_key() const;
  EVP_PKEY* handle() const noexcept { return key_.get(); }

 private:
  explicit RsaPrivateKey(detail::Pkey key) : key_(std::move(key)) {}
  detail::SharedPkey key_;
};

}  // namespace sefleet::crypto

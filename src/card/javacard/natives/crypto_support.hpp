// What the natives of javacard.security and javacardx.crypto share (javacard/rom/NATIVES.md has their
// contracts): CryptoException reasons, copies of array ranges, the MessageDigest and Cipher codes, and
// the keys and curves parsed from the Java key arrays.
//
// Parsed keys and curves are cached in the VM's side table on the array they come from (the RSA
// modulus or CRT array, the EC domain, private value or public point), together with a copy of the
// bytes they were parsed from: a later call reuses the cache only while the array still holds the same
// bytes (compared in constant time), so a key changed by Java setters is parsed again. The cache is RAM
// only and dies with the array or at card reset, as every side-table entry does.
#pragma once

#include <cstdint>
#include <optional>

#include "card/javacard/vm/native_call.hpp"
#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_curve.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/rsa_key.hpp"

namespace sefleet::card::javacard::natives {

// javacard.security.CryptoException reasons.
enum class CryptoReason : std::int16_t {
  illegal_value = 1,
  uninitialized_key = 2,
  no_such_algorithm = 3,
  invalid_init = 4,
  illegal_use = 5,
};

[[noreturn]] void throw_crypto(vm::NativeCall& call, CryptoReason reason);

// Runs `work`; a sefleet::Error it throws (a refusal of src/crypto) becomes CryptoException `reason`.
// Java exceptions raised through `call` (JavaThrow) pass through unchanged.
template <typename Work>
decltype(auto) refused_as(vm::NativeCall& call, CryptoReason reason, Work&& work) {
  try {
    return work();
  } catch (const Error&) {
    throw_crypto(call, reason);
  }
}

// A copy of array[offset, offset + length) (bounds, null and firewall checked by NativeCall): inputs
// are copied before anything is written, since input and output ranges may overlap.
Bytes copy_in(vm::NativeCall& call, vm::Ref array, std::int32_t offset, std::int32_t length);
SecretBytes copy_secret(vm::NativeCall& call, vm::Ref array, std::int32_t offset, std::int32_t length);
// Checks that array[offset, offset + length) may be written, before the first of several outputs.
void check_output(vm::NativeCall& call, vm::Ref array, std::int32_t offset, std::int32_t length);
// Writes a crypto output (never part of a transaction).
void write_out(vm::NativeCall& call, vm::Ref array, std::int32_t offset, ByteView data);

// MessageDigest.ALG_SHA (1), ALG_SHA_256 (4), ALG_SHA_384 (5), ALG_SHA_512 (6), ALG_SHA_224 (7).
std::optional<crypto::DigestAlgorithm> digest_of_code(std::int8_t code) noexcept;
// The cost-model operation of hashing with `algorithm`.
SeOperation digest_operation(crypto::DigestAlgorithm algorithm) noexcept;

// ---- RSA keys from the Java layouts: form 1 public (a modulus, b exponent), 2 private (a modulus,
// b private exponent), 3 CRT (a the five-slot CRT array, b unused); k = modulus length in bytes ----
inline constexpr std::int8_t kRsaPublic = 1;
inline constexpr std::int8_t kRsaPrivate = 2;
inline constexpr std::int8_t kRsaCrt = 3;

// The key of form 2 or 3; CryptoException ILLEGAL_VALUE when the components are not a usable key.
const crypto::RsaPrivateKey& rsa_private_key(vm::NativeCall& call, std::int8_t form, vm::Ref a, vm::Ref b,
                                             std::int16_t k);
const crypto::RsaPublicKey& rsa_public_key(vm::NativeCall& call, vm::Ref modulus, vm::Ref exponent, std::int16_t k);
// rsa_private_crt or rsa_private.
SeOperation rsa_private_operation(std::int8_t form) noexcept;

// ---- EC from the domain array (P, A, B at 0, L, 2L; G at 3L; R at 5L+1 in L+1 bytes; K at 6L+2) ----
const crypto::EcCurve& ec_curve(vm::NativeCall& call, vm::Ref domain, std::int16_t field_length);
// The private value right-aligned in L+1 bytes at s[offset].
const crypto::EcPrivateKey& ec_private_key(vm::NativeCall& call, vm::Ref domain, std::int16_t field_length, vm::Ref s,
                                           std::int16_t offset);
// The uncompressed point of 2L+1 bytes at w[offset]; nullptr when it is not a point of the curve.
const crypto::EcPublicKey* ec_public_key(vm::NativeCall& call, vm::Ref domain, std::int16_t field_length, vm::Ref w,
                                         std::int16_t offset);

}  // namespace sefleet::card::javacard::natives

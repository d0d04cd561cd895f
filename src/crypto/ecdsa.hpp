// ECDSA over any curve of ec_curve.hpp, with the signature as the DER SEQUENCE { r INTEGER, s INTEGER }
// of X9.62 (what Java Card's Signature.ALG_ECDSA_* produce and accept), over OpenSSL EVP_PKEY. A hash
// longer than the order is truncated to its leftmost bits, as X9.62 and FIPS 186 specify. Nonces come
// from OpenSSL's generator. Verification returns false and never throws for a wrong or malformed signature.
#pragma once

#include <cstddef>

#include "core/bytes.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_key.hpp"

namespace sefleet::crypto {

Bytes ecdsa_sign(const EcPrivateKey& key, DigestAlgorithm digest, ByteView message);
// Signs a hash computed elsewhere (Signature.signPreComputedHash); any non-empty length.
Bytes ecdsa_sign_hash(const EcPrivateKey& key, ByteView hash);
bool ecdsa_verify(const EcPublicKey& key, DigestAlgorithm digest, ByteView message, ByteView der_signature);
bool ecdsa_verify_hash(const EcPublicKey& key, ByteView hash, ByteView der_signature);

// The longest DER signature on the curve (both integers order_size() + 1 bytes with their headers).
std::size_t ecdsa_max_der_size(const EcCurve& curve) noexcept;

// DER <-> r || s with each integer as `integer_size` bytes. der_to_raw throws Error(Errc::parse_error)
// for anything but a well-formed DER signature whose integers fit; raw_to_der needs an even length.
Bytes ecdsa_der_to_raw(ByteView der, std::size_t integer_size);
Bytes ecdsa_raw_to_der(ByteView raw);

}  // namespace sefleet::crypto

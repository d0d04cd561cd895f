// PEM files of P-256 keys and certificates, over OpenSSL's PEM codec: what operators hand to the CLI
// (an OCE private key, a card's or CA's public key, a certificate) and what `hsm public --pem` prints.
// Private keys: PKCS#8 ("PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"), unencrypted (an encrypted PEM is
// refused rather than prompting). Public keys: SubjectPublicKeyInfo ("PUBLIC KEY").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::crypto {

// True when `text` holds a PEM block ("-----BEGIN ").
bool looks_like_pem(std::string_view text) noexcept;

// The 32-byte private scalar of a P-256 private key PEM. Error(parse_error) for anything that is not
// an unencrypted private key PEM, Error(unsupported) for another key type or curve.
SecretBytes p256_private_scalar_from_pem(std::string_view pem);

// The uncompressed point (65 bytes) of a P-256 public key PEM. Errors as above.
Bytes p256_public_point_from_pem(std::string_view pem);

// SubjectPublicKeyInfo PEM of an uncompressed P-256 point (Error(invalid_argument) when not on the curve).
std::string p256_public_key_pem(ByteView point);

// The DER bytes of every PEM block labelled `label` (e.g. "CERTIFICATE"), in file order;
// Error(parse_error) when there is none.
std::vector<Bytes> pem_blocks_der(std::string_view pem, const std::string& label);

}  // namespace sefleet::crypto

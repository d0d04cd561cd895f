// Elliptic-curve Diffie-Hellman (the SVDP primitives of IEEE 1363 / SEC 1 §3.3.1) over any curve of
// ec_curve.hpp, with the outputs Java Card's KeyAgreement defines:
//   x          the x-coordinate of the shared point, field_size() bytes (ALG_EC_SVDP_DH_PLAIN),
//   point      the shared point uncompressed, 04 || x || y (ALG_EC_SVDP_DH_PLAIN_XY),
//   sha1_of_x  SHA-1 of the x-coordinate, 20 bytes (ALG_EC_SVDP_DH, also named ALG_EC_SVDP_DH_KDF).
// The cofactor variant (ECC CDH, the *_DHC_* algorithms) multiplies by h d instead of d; on the curves
// with cofactor 1 both give the same result. The x-coordinate comes from EVP_PKEY_derive; the full point
// (which EVP does not return) from EC_POINT_mul over the same group.
#pragma once

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/ec_key.hpp"

namespace sefleet::crypto {

enum class EcdhOutput { x, point, sha1_of_x };
enum class EcdhCofactor { without, with };

// `peer_point` is an encoded point of own.curve() (checked as EcPublicKey::from_point does). Throws
// Error(Errc::invalid_argument) for a bad peer point, Error(Errc::crypto_error) if the shared point is the
// point at infinity.
SecretBytes ecdh(const EcPrivateKey& own, ByteView peer_point, EcdhOutput output,
                 EcdhCofactor cofactor = EcdhCofactor::without);

}  // namespace sefleet::crypto

// ECDSA whose nonce follows the signer's own random source, for a card whose random source is given to
// it (the virtual SE's generator; a seeded DeterministicRandom in the simulations). OpenSSL signs
// (EVP_PKEY_sign): its nonce is SHA-512 over the private key, the hash and bytes of the library
// context's generator. Here that generator is OpenSSL's own: an HMAC-DRBG (SHA-256) instantiated for
// each signature from kEcdsaHedgeSize bytes of the signer's source (entropy) and SHA-256 of the hash
// (nonce), whose output feeds a per-thread library context through the TEST-RAND generator of the
// default provider. Consequences:
//  - two signers with the same key, the same hash and the same random source sign byte for byte alike
//    (the C++ and the Java vehicle applet of `sefleet dk` answer with identical signatures);
//  - a random source that repeats itself cannot make the nonce repeat for two different hashes or
//    keys, because both enter OpenSSL's nonce derivation and the DRBG's nonce;
//  - exactly kEcdsaHedgeSize bytes are drawn from the source per signature.
// Signatures are DER, like ecdsa.hpp's, and verify with ecdsa_verify_hash(). Throws
// Error(Errc::invalid_argument) for an empty hash.
#pragma once

#include "core/bytes.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {

// Bytes the hedged signers draw from their random source per signature.
inline constexpr std::size_t kEcdsaHedgeSize = 32;

// Draws kEcdsaHedgeSize bytes from `random` and signs `hash` (DER).
Bytes ecdsa_sign_hash_hedged(const EcPrivateKey& key, ByteView hash, Random& random);

// P-256 with SHA-256 over `message`, as r || s (32 bytes each) like ecdsa_p256_sign(), hedged with
// `random` (the card runtime's AppletCrypto signs this way).
Bytes ecdsa_p256_sign_hedged(const P256PrivateKey& key, ByteView message, Random& random);

}  // namespace sefleet::crypto

// ECDSA whose nonce comes from the signer's own random source ("hedged" signatures), for a card whose
// random source is given to it (the virtual SE's generator; a seeded DeterministicRandom in the
// simulations). The nonce k is drawn from the HMAC-DRBG of RFC 6979 §3.2, seeded with the private key
// and the hash as there and with `additional` as the extra data k' of §3.6; ecdsa_sign_hash_hedged()
// takes 32 fresh bytes of the card's random source as that extra data. Consequences:
//  - two signers with the same key, the same hash and the same random source sign byte for byte alike
//    (the C++ and the Java vehicle applet of `sefleet dk` answer with identical signatures);
//  - a random source that repeats itself (a replayed seed) cannot make k repeat for two different
//    hashes or keys, because both are DRBG input: the private key is never exposed by a reused nonce;
//  - without additional data this is RFC 6979 exactly (its test vectors are the known answers).
// The DRBG's HMAC uses the hash function of the hash's length (SHA-1, -224, -256, -384, -512), as
// RFC 6979 does; another length uses HMAC-SHA-256. Signatures are DER, like ecdsa.hpp's, and verify
// with ecdsa_verify_hash(). Throws Error(Errc::invalid_argument) for an empty hash.
#pragma once

#include "core/bytes.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"

namespace sefleet::crypto {

// Bytes the hedged signers draw from their random source per signature.
inline constexpr std::size_t kEcdsaHedgeSize = 32;

// RFC 6979 with `additional` as k' (empty: the deterministic signature of RFC 6979 itself).
Bytes ecdsa_sign_hash_deterministic(const EcPrivateKey& key, ByteView hash, ByteView additional);

// Draws kEcdsaHedgeSize bytes from `random` and signs with them as k'.
Bytes ecdsa_sign_hash_hedged(const EcPrivateKey& key, ByteView hash, Random& random);

// P-256 with SHA-256 over `message`, as r || s (32 bytes each) like ecdsa_p256_sign(), hedged with
// `random` (the card runtime's AppletCrypto signs this way).
Bytes ecdsa_p256_sign_hedged(const P256PrivateKey& key, ByteView message, Random& random);

}  // namespace sefleet::crypto

// GHASH, the universal hash of AES-GCM (NIST SP 800-38D §6.4), for callers that build GCM themselves
// (the Java Card AEADCipher, written in Java over an AES-CTR and this GHASH native). OpenSSL computes
// GHASH only inside its GCM mode and exposes no interface to it, so the multiplication in GF(2^128) is
// done here, bit by bit as SP 800-38D Algorithm 1 gives it, without branches or table lookups that
// depend on H or the data (constant time: H is derived from the key). It is checked against OpenSSL's
// AES-GCM tags in the tests. Prefer crypto/aead.hpp wherever a whole AES-GCM is wanted.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.hpp"

namespace sefleet::crypto {

using GhashBlock = std::array<std::uint8_t, 16>;

// For each 16-byte block X of `data`: y = (y xor X) * h. `data` must be a multiple of 16 bytes
// (Error(Errc::invalid_argument) otherwise).
void ghash_update(const GhashBlock& h, GhashBlock& y, ByteView data);

}  // namespace sefleet::crypto

// NIST SP 800-108 key derivation in counter mode with AES-CMAC as the PRF.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"

namespace sefleet::crypto {

// Generic layout: K(i) = CMAC(KI, before || [i]_r || after), i = 1, 2, ...; output = first L/8 bytes.
// `counter_bytes` is the counter width r/8 (1..4). `before` and `after` are the caller's fixed input
// data (label, separator, [L]_2, context) already laid out as the variant requires.
SecretBytes kbkdf_cmac_counter(ByteView key, ByteView before, ByteView after, std::size_t length_bits,
                               std::size_t counter_bytes = 1);

// The SCP03 layout (GlobalPlatform Amendment D §4.1.5, CAVP "MIDDLE_FIXED" with an 8-bit counter):
//   CMAC(key, 00*11 || constant || 00 || [L]_16 || i || context).
// `length_bits` is 64, 128, 192 or 256.
SecretBytes scp03_kdf(ByteView key, std::uint8_t constant, std::size_t length_bits, ByteView context);

// Same derivation with a caller-owned CMAC under the same key (fast path for repeated derivations).
SecretBytes scp03_kdf(Cmac& prf, std::uint8_t constant, std::size_t length_bits, ByteView context);

}  // namespace sefleet::crypto

// The per-SE alternative that the broadcast channel replaces (broadcast-channel.md §1): the
// image is sent to each SE inside that SE's own SCP03 session, so the server encrypts and MACs one
// full copy of DATASEND per SE. It exists as the honest baseline of the campaign-preparation
// benchmark: the same WRITE BLOCK layout as the PSE (CLA 84, INS 7D, P1‖P2 = block number, plain
// chunk in the data field), wrapped by gp::SecureMessaging exactly as any diversified command is
// (C-MAC and C-DECRYPTION at the session's level), so the work per byte is what a real server
// would do, no more and no less.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "crypto/cmac.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp03_types.hpp"
#include "gp/secure_messaging.hpp"

namespace sefleet::offcard {

// The largest plain chunk a wrapped WRITE BLOCK can carry: with C-DECRYPTION the field is padded to a
// multiple of 16 and the C-MAC (8 or 16 bytes) is appended, and a short APDU holds 255 bytes (239 in
// S8, 223 in S16); extended APDUs carry 65 280 as in the broadcast channel.
std::size_t per_se_max_chunk(gp::Scp03Mode mode, bool extended) noexcept;

// DATASEND as WRITE BLOCK 0..N-1 wrapped in `session` (an open diversified session, already past
// EXTERNAL AUTHENTICATE, whose counter and MAC chain advance with each command). Returns the encoded
// command APDUs in order. Throws Error(Errc::invalid_argument) when the session's level has no
// C-DECRYPTION (an unencrypted copy would not be a fair baseline), for an empty DATASEND, a chunk size
// of 0 or above per_se_max_chunk, or more than 65 536 blocks.
std::vector<Bytes> per_se_write_blocks(gp::SecureMessaging& session, ByteView datasend, std::size_t chunk_size,
                                       bool extended);

// The same from one SE's derived session keys: the engine starts where EXTERNAL AUTHENTICATE leaves
// it (counter 0, MAC chaining value = the EXTERNAL AUTHENTICATE C-MAC).
std::vector<Bytes> per_se_write_blocks(const gp::SessionKeys& keys, gp::Scp03Mode mode, std::uint8_t security_level,
                                       const crypto::Mac16& external_authenticate_mac, ByteView datasend,
                                       std::size_t chunk_size, bool extended);

}  // namespace sefleet::offcard

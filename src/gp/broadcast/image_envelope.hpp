// The profile-4 image envelope (broadcast-channel.md §6):
//   envelope = IV (16) ‖ AES-CBC(Kos, IV, DATASEND ‖ 80 00..)
// with ISO/IEC 9797-1 padding method 2 (always at least one byte, at most one block). Kos is
// AES-128/192/256. The design system seals; only the SE opens.
#pragma once

#include <cstddef>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"

namespace sefleet::gp::broadcast {

inline constexpr std::size_t kEnvelopeIvSize = 16;

// The envelope size for a DATASEND of `datasend_size` bytes: 16 + the padded size.
std::size_t envelope_size(std::size_t datasend_size) noexcept;

// Draws a fresh IV from `random`. Throws Error(Errc::invalid_argument) for a Kos that is not 16, 24
// or 32 bytes.
Bytes seal_envelope(ByteView kos, ByteView datasend, crypto::Random& random);

// The plain DATASEND, held as a secret (the plain image must not leak from the SE). Throws
// Error(Errc::integrity_error) for a length that is not 16 + a positive multiple of 16, or for
// padding that is not strict method 2 (the usual sign of a wrong Kos or an altered envelope), and
// Error(Errc::invalid_argument) for a Kos of the wrong size. Note that CBC has no integrity of its
// own: the integrity code of AUTHORIZE ACTION is what authenticates the image.
SecretBytes open_envelope(ByteView kos, ByteView envelope);

}  // namespace sefleet::gp::broadcast

// The broadcast data set PSE (broadcast-channel.md §5.2, §5.3, §7): WRITE BLOCK 0 .. N-1 carrying the
// stream (profile 3: DATASEND; profile 4: the image envelope), then CHANGE MODE back (84 7C 00 00),
// all protected under BK-ENC/BK-MAC from the campaign's counter C3 and chaining value C4 at level 03
// with S8 C-MACs. Nothing in it depends on an SE: the same bytes go to every SE of the campaign.
//
// The PSE is always built for logical channel 0 (CLA 84): its bytes cannot vary per SE, so the
// terminal runs the broadcast flow on the basic channel.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/bytes.hpp"
#include "crypto/cmac.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::broadcast {

// Plain bytes per WRITE BLOCK: short APDUs carry at most 239 (240 after padding + an 8-byte C-MAC
// fit Lc = 255); extended APDUs at most 65 280 (§5.2).
inline constexpr std::size_t kMaxShortChunk = 239;
inline constexpr std::size_t kMaxExtendedChunk = 65280;
// P1 ‖ P2 number the blocks, so a stream has at most 65 536 of them.
inline constexpr std::size_t kMaxBlocks = 65536;

struct BroadcastContextStart {
  Scp03Counter counter{};          // C3: the counter before the first broadcast command
  crypto::Mac16 chaining_value{};  // C4
};

// The broadcast context's secure-messaging engine: BK-ENC/BK-MAC at level 03 with S8 C-MACs (whatever
// the SE's own mode), continuing from `counter` and `chaining_value`. The one definition both sides
// use: the card's CHANGE MODE (Scp03Card) and the PSE builder. Throws Error(Errc::invalid_argument)
// for bad keys.
SecureMessaging make_broadcast_engine(const BroadcastKeys& keys, const Scp03Counter& counter,
                                      const crypto::Mac16& chaining_value);

// Builds the PSE command by command (the stream of a large image need not be in memory at once).
class PseBuilder {
 public:
  // `chunk_size`: plain bytes per WRITE BLOCK, 1..239, or up to 65 280 with `extended`. Throws
  // Error(Errc::invalid_argument) for bad keys or a chunk size out of range.
  PseBuilder(const BroadcastKeys& keys, const BroadcastContextStart& start, std::size_t chunk_size, bool extended);

  std::size_t chunk_size() const noexcept { return chunk_size_; }
  bool extended() const noexcept { return extended_; }
  // WRITE BLOCK of the next chunk (1..chunk_size bytes; only the last chunk may be shorter, which the
  // caller ensures by slicing the stream). Throws Error(Errc::invalid_argument) for an empty or
  // oversized chunk, more than 65 536 blocks, or a call after finish().
  iso7816::CommandApdu write_block(ByteView chunk);
  // CHANGE MODE back to diversified (C-MAC only). Ends the builder.
  iso7816::CommandApdu finish();
  std::size_t blocks() const noexcept { return next_block_; }

 private:
  SecureMessaging engine_;
  std::size_t chunk_size_;
  bool extended_;
  std::size_t next_block_ = 0;
  bool finished_ = false;
};

// The whole PSE of `stream` as encoded command APDUs, in order (blocks, then CHANGE MODE back).
// Throws Error(Errc::invalid_argument) for an empty stream or one that needs more than 65 536 blocks.
std::vector<Bytes> build_pse(const BroadcastKeys& keys, const BroadcastContextStart& start, ByteView stream,
                             std::size_t chunk_size, bool extended);

// The number of WRITE BLOCKs a stream of `stream_size` bytes takes.
std::size_t pse_block_count(std::size_t stream_size, std::size_t chunk_size) noexcept;

}  // namespace sefleet::gp::broadcast

#include "gp/broadcast/pse.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "gp/broadcast/campaign_messages.hpp"

namespace sefleet::gp::broadcast {
namespace {

std::size_t checked_chunk_size(std::size_t chunk_size, bool extended) {
  const std::size_t limit = extended ? kMaxExtendedChunk : kMaxShortChunk;
  if (chunk_size == 0 || chunk_size > limit) {
    throw Error(Errc::invalid_argument, "PSE: chunk size must be 1.." + std::to_string(limit) + " bytes in " +
                                            (extended ? "extended" : "short") + " APDUs, got " +
                                            std::to_string(chunk_size));
  }
  return chunk_size;
}

}  // namespace

SecureMessaging make_broadcast_engine(const BroadcastKeys& keys, const Scp03Counter& counter,
                                      const crypto::Mac16& chaining_value) {
  check_broadcast_keys(keys);
  // Level 03 never produces an R-MAC; the engine still wants a third key, and BK-MAC is never used as one.
  SecureMessaging engine(SessionKeys{keys.enc, keys.mac, keys.mac}, Scp03Mode::s8, kBroadcastSecurityLevel);
  engine.resume(counter, chaining_value);
  return engine;
}

PseBuilder::PseBuilder(const BroadcastKeys& keys, const BroadcastContextStart& start, std::size_t chunk_size,
                       bool extended)
    : engine_(make_broadcast_engine(keys, start.counter, start.chaining_value)),
      chunk_size_(checked_chunk_size(chunk_size, extended)),
      extended_(extended) {}

iso7816::CommandApdu PseBuilder::write_block(ByteView chunk) {
  if (finished_) throw Error(Errc::invalid_argument, "PSE: WRITE BLOCK after the final CHANGE MODE");
  if (chunk.empty() || chunk.size() > chunk_size_) {
    throw Error(Errc::invalid_argument, "PSE: a chunk must be 1.." + std::to_string(chunk_size_) + " bytes, got " +
                                            std::to_string(chunk.size()));
  }
  if (next_block_ >= kMaxBlocks) throw Error(Errc::invalid_argument, "PSE: more than 65536 blocks");
  iso7816::CommandApdu plain;
  plain.cla = 0x80;
  plain.ins = kInsWriteBlock;
  plain.p1 = static_cast<std::uint8_t>(next_block_ >> 8);
  plain.p2 = static_cast<std::uint8_t>(next_block_);
  plain.data.assign(chunk.begin(), chunk.end());
  plain.extended = extended_;
  ++next_block_;
  return engine_.wrap_command(plain);
}

iso7816::CommandApdu PseBuilder::finish() {
  if (finished_) throw Error(Errc::invalid_argument, "PSE: already finished");
  finished_ = true;
  iso7816::CommandApdu plain;
  plain.cla = 0x80;
  plain.ins = kInsChangeMode;
  plain.p1 = kChangeModeToDiversified;
  plain.p2 = 0x00;
  return engine_.wrap_command(plain);
}

std::size_t pse_block_count(std::size_t stream_size, std::size_t chunk_size) noexcept {
  return chunk_size == 0 ? 0 : (stream_size + chunk_size - 1) / chunk_size;
}

std::vector<Bytes> build_pse(const BroadcastKeys& keys, const BroadcastContextStart& start, ByteView stream,
                             std::size_t chunk_size, bool extended) {
  PseBuilder builder(keys, start, chunk_size, extended);
  if (stream.empty()) throw Error(Errc::invalid_argument, "PSE: the stream is empty");
  const std::size_t blocks = pse_block_count(stream.size(), chunk_size);
  if (blocks > kMaxBlocks) {
    throw Error(Errc::invalid_argument, "PSE: " + std::to_string(stream.size()) + " bytes need " +
                                            std::to_string(blocks) + " blocks of " + std::to_string(chunk_size) +
                                            " (at most 65536); use a larger chunk or extended APDUs");
  }
  std::vector<Bytes> commands;
  commands.reserve(blocks + 1);
  for (std::size_t offset = 0; offset < stream.size(); offset += chunk_size) {
    const std::size_t size = std::min(chunk_size, stream.size() - offset);
    commands.push_back(builder.write_block(stream.subspan(offset, size)).encode());
  }
  commands.push_back(builder.finish().encode());
  return commands;
}

}  // namespace sefleet::gp::broadcast

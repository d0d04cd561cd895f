#include "offcard/campaign/per_se_baseline.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/pse.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::offcard {

std::size_t per_se_max_chunk(gp::Scp03Mode mode, bool extended) noexcept {
  if (extended) return gp::broadcast::kMaxExtendedChunk;
  const std::size_t room = iso7816::kMaxShortData - gp::half_block_size(mode);
  return room / 16 * 16 - 1;  // pad80 always adds at least one byte
}

std::vector<Bytes> per_se_write_blocks(gp::SecureMessaging& session, ByteView datasend, std::size_t chunk_size,
                                       bool extended) {
  if ((session.security_level() & gp::level::kCDecryption) == 0) {
    throw Error(Errc::invalid_argument, "per-SE baseline: the session level has no C-DECRYPTION");
  }
  const std::size_t limit = per_se_max_chunk(session.mode(), extended);
  if (chunk_size == 0 || chunk_size > limit) {
    throw Error(Errc::invalid_argument, "per-SE baseline: chunk size must be 1.." + std::to_string(limit) +
                                            " bytes, got " + std::to_string(chunk_size));
  }
  if (datasend.empty()) throw Error(Errc::invalid_argument, "per-SE baseline: DATASEND is empty");
  const std::size_t blocks = gp::broadcast::pse_block_count(datasend.size(), chunk_size);
  if (blocks > gp::broadcast::kMaxBlocks) {
    throw Error(Errc::invalid_argument, "per-SE baseline: " + std::to_string(blocks) + " blocks (at most 65536)");
  }
  std::vector<Bytes> commands;
  commands.reserve(blocks);
  iso7816::CommandApdu plain;
  plain.cla = 0x80;
  plain.ins = gp::broadcast::kInsWriteBlock;
  plain.extended = extended;
  for (std::size_t block = 0; block < blocks; ++block) {
    const std::size_t offset = block * chunk_size;
    const std::size_t size = std::min(chunk_size, datasend.size() - offset);
    plain.p1 = static_cast<std::uint8_t>(block >> 8);
    plain.p2 = static_cast<std::uint8_t>(block);
    plain.data.assign(datasend.begin() + static_cast<std::ptrdiff_t>(offset),
                      datasend.begin() + static_cast<std::ptrdiff_t>(offset + size));
    commands.push_back(session.wrap_command(plain).encode());
  }
  return commands;
}

std::vector<Bytes> per_se_write_blocks(const gp::SessionKeys& keys, gp::Scp03Mode mode, std::uint8_t security_level,
                                       const crypto::Mac16& external_authenticate_mac, ByteView datasend,
                                       std::size_t chunk_size, bool extended) {
  gp::SecureMessaging session(keys, mode, security_level);
  session.begin(external_authenticate_mac);
  return per_se_write_blocks(session, datasend, chunk_size, extended);
}

}  // namespace sefleet::offcard

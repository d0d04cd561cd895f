// Card content loading from the host (GPCS v2.3.1): INSTALL [for load] (§11.5, 80 E6 02 00) and the
// LOAD command sequence (§11.6, 80 E8) that carries a load file to the card as the Load File Data
// Block `C4 <BER length> <load file>`, cut into blocks numbered 00, 01, ... (after FF the number wraps
// to 00, as GlobalPlatformPro numbers the blocks of large files), the last one with P1 80. The
// builders, and load(), which sends the whole sequence through a GpSession's secure channel.
#pragma once

#include <cstddef>
#include <vector>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

class GpSession;

// The largest block that still fits a short APDU at every SCP03 level: 239 plain bytes become 240
// after C-DECRYPTION padding, plus an 8-byte C-MAC: 248 <= 255.
inline constexpr std::size_t kMaxLoadBlockSize = 239;

struct InstallForLoadRequest {
  Bytes load_file_aid;        // the executable load file (5-16 bytes): the package AID
  Bytes security_domain_aid;  // the SD the load file is associated with; empty: the card's choice (its ISD)
  Bytes data_block_hash;      // empty, or the hash of the load file (what follows C4 <length>) the card checks
  Bytes load_parameters;      // empty, or the load parameters field (e.g. EF { C6 .. })
};

// 80 E6 02 00 Lc  Lf AID Lsd SD Lh hash Lp params 00 (no token), Le 00. Throws Error(invalid_argument)
// for a load file AID outside 5..16 bytes, an SD AID neither empty nor 5..16 bytes, or a hash or
// load parameters field longer than 255 bytes.
iso7816::CommandApdu make_install_for_load(const InstallForLoadRequest& request);

// C4 with its BER-TLV length (1 to 4 bytes) in front of `load_file`.
Bytes load_file_data_block(ByteView load_file);

// The LOAD commands for `load_file`: 80 E8 00|80 <block number> Lc <block> Le 00, each block
// `block_size` bytes of the data block but the last. Throws Error(invalid_argument) for an empty
// load file or a block size outside 1..kMaxLoadBlockSize.
std::vector<iso7816::CommandApdu> make_load_commands(ByteView load_file, std::size_t block_size = kMaxLoadBlockSize);

struct LoadSummary {
  std::size_t blocks = 0;      // LOAD commands sent
  std::size_t block_size = 0;  // data bytes per LOAD command (the last may carry fewer)
};
// INSTALL [for load], then every LOAD command, through `session` (normally inside SCP03: the card
// needs C-MAC). The first refusal throws CardRefusal naming the command ("INSTALL [for load]",
// "LOAD block 3 of 12") and its status word; the blocks after it are not sent.
LoadSummary load(GpSession& session, const InstallForLoadRequest& request, ByteView load_file,
                 std::size_t block_size = kMaxLoadBlockSize);

}  // namespace sefleet::gp::host

// CRC-32C (Castagnoli, reflected, as in iSCSI and ext4): the checksum on every NVM header and record.
// It detects torn writes and media corruption; it is not an authenticator (the file is not a trust
// boundary against an attacker who can write it).
#pragma once

#include <cstdint>

#include "core/bytes.hpp"

namespace sefleet::card::nvm {

// Uses the CPU's CRC32 instruction when it has one (x86-64 SSE 4.2), else the table.
std::uint32_t crc32c(ByteView data, std::uint32_t crc = 0);
// The table-driven version, always available (tests compare both).
std::uint32_t crc32c_portable(ByteView data, std::uint32_t crc = 0);

}  // namespace sefleet::card::nvm

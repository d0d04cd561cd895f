// The path of the digital-key scenario's APDUs, as roles (docs/digital-key.md): the NFC reader
// (reader/writer on the air interface, then the reader processor over SPI), the vehicle bus (CAN with
// ISO-TP segmentation: 8-byte frames, or 64 with CAN FD) and the ECU host in front of SE2. Each role's
// time comes from the hops of one segment of the link profile (sim/timing/link_profile.hpp), so a
// profile file decides the figures and this file only names who contributes what.
// The BLE/UWB path has the same roles with a BLE module or UWB anchor in place of the NFC reader.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/timing/link_profile.hpp"

namespace sefleet::sim::dk {

struct RoleTime {
  std::string role;               // "radio", "reader processor", "vehicle bus", "ECU host -> SE"
  std::uint64_t command_ns = 0;   // this role's share of carrying the C-APDU
  std::uint64_t response_ns = 0;  // and of the R-APDU
};

// One entry per role, in path order (phone side first); the sum over roles equals
// link.command_ns(command_bytes) and link.response_ns(response_bytes).
std::vector<RoleTime> path_breakdown(const LinkProfile& link, std::size_t command_bytes, std::size_t response_bytes);

}  // namespace sefleet::sim::dk

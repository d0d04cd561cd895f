#include "sim/dk/dk_path.hpp"

namespace sefleet::sim::dk {

std::vector<RoleTime> path_breakdown(const LinkProfile& link, std::size_t command_bytes, std::size_t response_bytes) {
  struct Role {
    LinkSegment segment;
    const char* name;
  };
  static constexpr Role kRoles[] = {{LinkSegment::air, "radio (NFC/BLE/UWB)"},
                                    {LinkSegment::reader, "reader processor + SPI"},
                                    {LinkSegment::bus, "vehicle bus (CAN)"},
                                    {LinkSegment::se_interface, "ECU host -> SE2"}};
  std::vector<RoleTime> roles;
  for (const auto& role : kRoles) {
    roles.push_back(RoleTime{role.name, link.segment_ns(role.segment, command_bytes),
                             link.segment_ns(role.segment, response_bytes)});
  }
  return roles;
}

}  // namespace sefleet::sim::dk

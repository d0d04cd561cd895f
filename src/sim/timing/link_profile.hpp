// The transport between the host and the SE as a chain of hops (NFC air interface,
// reader processor + SPI, vehicle bus, ECU-to-SE interface; or BLE / UWB), loaded from a JSON data file
// (profiles/link/*.json, also embedded in the binary). Each hop belongs to a segment, so the air-only
// time (what ISO 14443 figures describe) and the whole path are available apart.
//
// One direction over one hop, for an APDU of n bytes cut into frames of at most max_frame_payload:
//   fixed_ns + frames * per_frame_ns + (n + frames * frame_overhead_bytes) * per_byte
// (frames = 1 when max_frame_payload is 0, and at least 1 for an empty APDU). The model is the same
// in both directions; command_ns/response_ns differ only through the byte counts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sefleet::sim {

enum class LinkSegment : std::uint8_t {
  air,           // the radio link itself (ISO 14443, BLE, UWB)
  reader,        // reader front-end and its processor (firmware, SPI to the NFC chip)
  bus,           // the vehicle bus (CAN with ISO-TP) and gateways
  se_interface,  // ECU host to its SE (SPI/I2C, T=1-like framing)
};
std::string_view link_segment_name(LinkSegment segment) noexcept;
std::optional<LinkSegment> parse_link_segment(std::string_view name) noexcept;

struct LinkHop {
  std::string name;
  LinkSegment segment = LinkSegment::air;
  std::uint64_t fixed_ns = 0;            // once per transfer (processing, scheduling latency)
  std::uint64_t per_frame_ns = 0;        // per frame (frame delay time, inter-frame gap)
  std::uint64_t per_byte_ps = 0;         // per byte on the wire, framing bytes included
  std::size_t frame_overhead_bytes = 0;  // per frame (PCB + CRC, headers)
  std::size_t max_frame_payload = 0;     // APDU bytes per frame; 0 = the whole APDU in one frame
  std::string source;

  std::uint64_t transfer_ns(std::size_t apdu_bytes) const noexcept;  // one direction
};

struct LinkProfile {
  std::string name;
  std::string description;
  std::vector<LinkHop> hops;  // in order from the host to the SE

  std::uint64_t command_ns(std::size_t apdu_bytes) const;   // host -> SE time of a C-APDU, all hops
  std::uint64_t response_ns(std::size_t apdu_bytes) const;  // SE -> host time of an R-APDU, all hops
  // One direction over the hops of one segment only (e.g. air time alone).
  std::uint64_t segment_ns(LinkSegment segment, std::size_t apdu_bytes) const;

  // Error(parse_error) for text that is not JSON, Error(invalid_argument) naming the field otherwise.
  static LinkProfile from_json(std::string_view text);
  static LinkProfile from_file(const std::string& path);
  // "iso14443_106", "iso14443_212", "iso14443_424" (default), "iso14443_848", "ble", "uwb".
  static LinkProfile builtin(std::string_view name);
  static LinkProfile load(std::string_view file_or_name);  // built-in name, else a file path
};

inline constexpr std::string_view kDefaultLinkProfile = "iso14443_424";

std::vector<std::string> list_builtin_link_profiles();

}  // namespace sefleet::sim

// GET STATUS (GPCS v2.3.1 §11.4): the command and the parser of its tag-format response (P2 b2 = 1),
// a sequence of E3 registry entries:
//   E3 L { 4F AID, 9F70 life cycle, C5 privileges, C4 ELF AID, CE ELF version, 84 module AID (repeated),
//          CC associated security domain AID, ... }
// A response ending in 6310 means more entries follow: the caller sends the same command with
// P2 b1 = 1 ("next occurrence") until 9000 (GpSession::get_status does this).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "gp/host/life_cycle.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

// P1 of GET STATUS: which part of the registry.
enum class StatusScope : std::uint8_t {
  issuer_security_domain = 0x80,
  applications = 0x40,            // applications and security domains
  load_files = 0x20,              // executable load files
  load_files_and_modules = 0x10,  // executable load files and their modules
};

inline constexpr std::uint16_t kSwMoreData = 0x6310;

// 80 F2 P1 P2 | 4F <aid> | 00 with P2 = 02 (first) or 03 (next). An empty `aid_prefix` matches
// every entry (search criterion 4F 00).
iso7816::CommandApdu make_get_status(StatusScope scope, bool next = false, ByteView aid_prefix = {});

struct RegistryEntry {
  RegistryKind kind = RegistryKind::application;
  Bytes aid;
  std::uint8_t life_cycle = 0;
  Bytes privileges;                        // 0-3 bytes (absent for load files)
  std::optional<Bytes> load_file_aid;      // C4
  std::optional<Bytes> load_file_version;  // CE
  std::vector<Bytes> modules;              // 84
  std::optional<Bytes> associated_sd_aid;  // CC

  std::string life_cycle_name() const { return host::life_cycle_name(kind, life_cycle); }
};

// Parses one response data field. Entries of an applications scope are reported as security_domain
// when their privileges include the Security Domain bit. Throws Error(Errc::parse_error) for anything
// but a sequence of well-formed E3 entries with an AID and a life cycle.
std::vector<RegistryEntry> parse_get_status(StatusScope scope, ByteView data);

}  // namespace sefleet::gp::host

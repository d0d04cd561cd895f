// GET STATUS (GPCS §11.4): lists registry entries of one kind whose AID starts with the search AID.
// P1 80 ISD, 40 applications and SDs, 20 load files, 10 load files with their modules; P2 b2 = 1 the
// GP TLV format (E3 templates), 0 the legacy format; P2 b1 = 1 "next occurrence". A response carries
// whole entries up to kMaxStatusData bytes; when more remain the SW is 6310 and the host asks again
// with P2 b1 = 1.
#include <algorithm>
#include <string>

#include "card/isd/isd_command.hpp"
#include "card/runtime/applet_registry.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
using iso7816::Tlv;

// Room for R-ENC padding and an S8 R-MAC in a short response (239 + 1 padding + 8 <= 256).
constexpr std::size_t kMaxStatusData = 239;
constexpr std::string_view kContinuation = "isd.get_status";

bool wanted(const RegistryEntry& entry, std::uint8_t p1) {
  using Kind = RegistryEntry::Kind;
  switch (p1) {
    case 0x80:
      return entry.kind == Kind::issuer_security_domain;
    case 0x40:
      return entry.kind == Kind::application || entry.kind == Kind::security_domain;
    case 0x20:
    case 0x10:
      return entry.kind == Kind::load_file;
    default:
      return false;
  }
}

Bytes encode_tlv(const RegistryEntry& entry, std::uint8_t p1) {
  Tlv e3 = Tlv::constructed(0xE3);
  e3.add(Tlv::primitive(0x4F, entry.aid));
  e3.add(Tlv::primitive(0x9F70, Bytes{entry.life_cycle}));
  if (!entry.is_load_file()) {
    e3.add(Tlv::primitive(0xC5, entry.privileges));
    if (!entry.load_file_aid.empty()) e3.add(Tlv::primitive(0xC4, entry.load_file_aid));
  } else if (!entry.version.empty()) {
    e3.add(Tlv::primitive(0xCE, entry.version));
  }
  if (!entry.associated_sd_aid.empty()) e3.add(Tlv::primitive(0xCC, entry.associated_sd_aid));
  if (p1 == 0x10) {
    for (const Bytes& module : entry.module_aids) e3.add(Tlv::primitive(0x84, module));
  }
  return e3.encode();
}

// GPCS Table 11-36/37: length, AID, life cycle, privileges (first byte; 00 for load files), and for
// P1 = 10 the module count and each module as length + AID.
Bytes encode_legacy(const RegistryEntry& entry, std::uint8_t p1) {
  Bytes out{static_cast<std::uint8_t>(entry.aid.size())};
  append(out, entry.aid);
  out.push_back(entry.life_cycle);
  out.push_back(entry.is_load_file() ? 0x00 : entry.privileges.at(0));
  if (p1 == 0x10) {
    out.push_back(static_cast<std::uint8_t>(entry.module_aids.size()));
    for (const Bytes& module : entry.module_aids) {
      out.push_back(static_cast<std::uint8_t>(module.size()));
      append(out, module);
    }
  }
  return out;
}

// The search AID of "4F <0..16 bytes>"; 6A80 for anything else.
Bytes search_aid(ByteView data) {
  std::string reason;
  const auto objects = iso7816::try_parse_tlv_sequence(data, {}, &reason);
  if (!objects || objects->size() != 1 || (*objects)[0].tag() != 0x4F || (*objects)[0].value().size() > 16) {
    throw StatusWordError(sw::kWrongData, "GET STATUS: search criteria must be one 4F object");
  }
  return (*objects)[0].value();
}

}  // namespace

iso7816::ResponseApdu get_status(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, 0x00);
  const auto& cmd = call.command;
  if (cmd.p1 != 0x80 && cmd.p1 != 0x40 && cmd.p1 != 0x20 && cmd.p1 != 0x10) {
    throw StatusWordError(sw::kIncorrectP1P2, "GET STATUS: P1");
  }
  if ((cmd.p2 & ~0x03) != 0) throw StatusWordError(sw::kIncorrectP1P2, "GET STATUS: P2");
  const bool tlv_format = (cmd.p2 & 0x02) != 0;
  const bool next = (cmd.p2 & 0x01) != 0;
  const Bytes prefix = search_aid(cmd.data);

  // Continuation: P1, P2 format bit, index of the next entry, search AID (cleared on deselect).
  Bytes& continuation =
      call.ctx.transient(TransientScope::clear_on_deselect, per_channel(kContinuation, call.ctx.channel()));
  std::size_t start = 0;
  if (next) {
    if (continuation.size() < 4 || continuation[0] != cmd.p1 || continuation[1] != (cmd.p2 & 0x02) ||
        !std::equal(prefix.begin(), prefix.end(), continuation.begin() + 4, continuation.end())) {
      throw StatusWordError(sw::kConditionsNotSatisfied, "GET STATUS next occurrence without a matching first one");
    }
    start = read_be16(continuation, 2);
  }
  continuation.clear();

  const auto& entries = call.ctx.registry().entries();
  Bytes data;
  bool found = false;
  for (std::size_t index = 0; index < entries.size(); ++index) {
    const RegistryEntry& entry = entries[index];
    if (!wanted(entry, cmd.p1) || entry.aid.size() < prefix.size() ||
        !std::equal(prefix.begin(), prefix.end(), entry.aid.begin())) {
      continue;
    }
    if (index < start) continue;
    const Bytes encoded = tlv_format ? encode_tlv(entry, cmd.p1) : encode_legacy(entry, cmd.p1);
    if (found && data.size() + encoded.size() > kMaxStatusData) {
      continuation = Bytes{cmd.p1, static_cast<std::uint8_t>(cmd.p2 & 0x02)};
      put_be16(continuation, static_cast<std::uint16_t>(index));
      append(continuation, prefix);
      return iso7816::ResponseApdu(std::move(data), 0x6310);
    }
    append(data, encoded);
    found = true;
  }
  if (!found) return iso7816::ResponseApdu(sw::kReferencedDataNotFound);
  return iso7816::ResponseApdu(std::move(data), sw::kOk);
}

}  // namespace sefleet::card::isd

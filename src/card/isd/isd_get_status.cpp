// GET STATUS (GPCS §11.4): lists registry entries of one kind whose AID starts with the search AID.
// P1 80 ISD, 40 applications and SDs, 20 load files, 10 load files with their modules; P2 b2 = 1 the
// GP TLV format (E3 templates), 0 the legacy format; P2 b1 = 1 "next occurrence". A response carries
// whole entries up to kMaxStatusData bytes; when more remain the SW is 6310 and the host asks again
// with P2 b1 = 1. Search criteria other than 4F are ignored; a 5C tag list picks the E3 objects.
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "card/isd/isd_command.hpp"
#include "card/runtime/applet_registry.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
using iso7816::Tag;
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

// The E3 template of one entry: without a tag list the GPCS §11.4.3.1 default content; with one, the
// listed objects the entry has, in the order of the list (tags it does not have are left out).
Bytes encode_tlv(const RegistryEntry& entry, std::uint8_t p1, const std::optional<std::vector<Tag>>& tag_list) {
  std::vector<Tlv> objects;
  objects.push_back(Tlv::primitive(0x4F, entry.aid));
  objects.push_back(Tlv::primitive(0x9F70, Bytes{entry.life_cycle}));
  if (!entry.is_load_file()) {
    objects.push_back(Tlv::primitive(0xC5, entry.privileges));
    if (!entry.load_file_aid.empty()) objects.push_back(Tlv::primitive(0xC4, entry.load_file_aid));
  } else if (!entry.version.empty()) {
    objects.push_back(Tlv::primitive(0xCE, entry.version));
  }
  if (!entry.associated_sd_aid.empty()) objects.push_back(Tlv::primitive(0xCC, entry.associated_sd_aid));
  if (p1 == 0x10) {
    for (const Bytes& module : entry.module_aids) objects.push_back(Tlv::primitive(0x84, module));
  }
  Tlv e3 = Tlv::constructed(0xE3);
  if (!tag_list) {
    for (Tlv& object : objects) e3.add(std::move(object));
    return e3.encode();
  }
  for (const Tag tag : *tag_list) {
    for (const Tlv& object : objects) {
      if (object.tag() == tag) e3.add(object);
    }
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

// The tags of a 5C tag list: BER tags (1 to 3 bytes) one after the other, without lengths.
std::vector<Tag> split_tag_list(ByteView list) {
  std::vector<Tag> tags;
  std::size_t at = 0;
  while (at < list.size()) {
    Tag tag = list[at++];
    if ((tag & 0x1F) == 0x1F) {  // multi-byte tag: subsequent bytes while b8 = 1, 3 bytes at most
      std::uint8_t next = 0;
      do {
        if (at == list.size() || tag > 0xFFFF) throw StatusWordError(sw::kWrongData, "GET STATUS: malformed tag list");
        next = list[at++];
        tag = (tag << 8) | next;
      } while ((next & 0x80) != 0);
    }
    if (!iso7816::is_valid_tag(tag)) throw StatusWordError(sw::kWrongData, "GET STATUS: malformed tag in the tag list");
    tags.push_back(tag);
  }
  return tags;
}

// What the command data asks for (GPCS Table 11-35): the search AID of the one 4F object (0..16
// bytes, mandatory), and the 5C tag list if there is one. Other search criteria are ignored, as GPCS
// §11.4.2.3 asks of a card that does not support them. Malformed TLV, no 4F, two 4F or two 5C → 6A80.
struct StatusQuery {
  Bytes prefix;
  std::optional<std::vector<Tag>> tag_list;
};

StatusQuery read_query(ByteView data) {
  std::string reason;
  const auto objects = iso7816::try_parse_tlv_sequence(data, {}, &reason);
  if (!objects) throw StatusWordError(sw::kWrongData, "GET STATUS: search criteria are not BER-TLV");
  StatusQuery query;
  bool have_aid = false;
  for (const Tlv& object : *objects) {
    if (object.tag() == 0x4F) {
      if (have_aid || object.value().size() > 16) {
        throw StatusWordError(sw::kWrongData, "GET STATUS: one 4F of at most 16 bytes");
      }
      query.prefix = object.value();
      have_aid = true;
    } else if (object.tag() == 0x5C && !object.is_constructed()) {
      if (query.tag_list) throw StatusWordError(sw::kWrongData, "GET STATUS: two tag lists");
      query.tag_list = split_tag_list(object.value());
    }
  }
  if (!have_aid) throw StatusWordError(sw::kWrongData, "GET STATUS: the 4F search criterion is mandatory");
  if (query.tag_list && query.tag_list->empty()) query.tag_list.reset();  // an empty list asks for nothing special
  return query;
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
  StatusQuery query = read_query(cmd.data);
  if (cmd.p1 == 0x80) {
    // GPCS §11.4.2.1: for the ISD the search criteria are ignored; §11.4.2.2: "next" is rejected.
    if (next) throw StatusWordError(sw::kIncorrectP1P2, "GET STATUS: no next occurrence of the ISD");
    query.prefix.clear();
  }
  const Bytes& prefix = query.prefix;
  // The tag list shapes E3 templates; the legacy format has none, so there it is ignored.
  const std::optional<std::vector<Tag>> no_tag_list;
  const auto& tag_list = tlv_format ? query.tag_list : no_tag_list;

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
    const Bytes encoded = tlv_format ? encode_tlv(entry, cmd.p1, tag_list) : encode_legacy(entry, cmd.p1);
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

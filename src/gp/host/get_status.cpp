#include "gp/host/get_status.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::host {
namespace {

[[noreturn]] void bad_status_response(const std::string& what) {
  throw Error(Errc::parse_error, "GET STATUS response: " + what);
}

}  // namespace

iso7816::CommandApdu make_get_status(StatusScope scope, bool next, ByteView aid_prefix) {
  if (aid_prefix.size() > 16) {
    throw Error(Errc::invalid_argument,
                "GET STATUS: an AID has at most 16 bytes, got " + std::to_string(aid_prefix.size()));
  }
  Bytes criteria{0x4F, static_cast<std::uint8_t>(aid_prefix.size())};
  append(criteria, aid_prefix);
  return iso7816::CommandApdu(0x80, 0xF2, static_cast<std::uint8_t>(scope), next ? 0x03 : 0x02, std::move(criteria),
                              256);
}

std::vector<RegistryEntry> parse_get_status(StatusScope scope, ByteView data) {
  iso7816::TlvParseOptions options;
  options.minimal_lengths = false;  // cards differ; the structure is what matters here
  std::vector<iso7816::Tlv> objects;
  try {
    objects = iso7816::parse_tlv_sequence(data, options);
  } catch (const Error& e) {
    bad_status_response(e.what());
  }
  std::vector<RegistryEntry> entries;
  for (const auto& object : objects) {
    if (object.tag() != 0xE3) bad_status_response("expected E3 entries, got tag " + iso7816::tag_hex(object.tag()));
    RegistryEntry entry;
    const iso7816::Tlv* aid = object.find(0x4F);
    const iso7816::Tlv* life_cycle = object.find(0x9F70);
    if (aid == nullptr) bad_status_response("entry without an AID (4F): " + to_hex(object.encode()));
    if (life_cycle == nullptr) bad_status_response("entry " + to_hex(aid->value()) + " without a life cycle (9F70)");
    entry.aid = aid->value();
    // 9F70 is 1 byte in GP 2.2+, 2 bytes (state, application-specific) on some older cards.
    if (life_cycle->value().empty() || life_cycle->value().size() > 2) {
      bad_status_response("life cycle of " + std::to_string(life_cycle->value().size()) + " bytes for " +
                          to_hex(entry.aid));
    }
    entry.life_cycle = life_cycle->value()[0];
    if (const auto* p = object.find(0xC5)) {
      if (p->value().size() > 3) bad_status_response("privileges of " + std::to_string(p->value().size()) + " bytes");
      entry.privileges = p->value();
    }
    if (const auto* f = object.find(0xC4)) entry.load_file_aid = f->value();
    if (const auto* v = object.find(0xCE)) entry.load_file_version = v->value();
    if (const auto* sd = object.find(0xCC)) entry.associated_sd_aid = sd->value();
    for (const auto* m : object.find_all(0x84)) entry.modules.push_back(m->value());
    switch (scope) {
      case StatusScope::issuer_security_domain:
        entry.kind = RegistryKind::issuer_security_domain;
        break;
      case StatusScope::load_files:
      case StatusScope::load_files_and_modules:
        entry.kind = RegistryKind::load_file;
        break;
      case StatusScope::applications:
        entry.kind = !entry.privileges.empty() && (entry.privileges[0] & 0x80) != 0 ? RegistryKind::security_domain
                                                                                    : RegistryKind::application;
        break;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace sefleet::gp::host

#include "card/isd/isd_card_data.hpp"

#include <vector>

#include "gp/static_keys.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

using iso7816::Tlv;

// {iso(1) member-body(2) us(840) 114283} = GlobalPlatform; its sub-identifiers per GPCS Annex H.2.
const Bytes kGpOid{0x2A, 0x86, 0x48, 0x86, 0xFC, 0x6B};

Bytes gp_oid(std::initializer_list<std::uint8_t> tail) {
  Bytes out = kGpOid;
  out.insert(out.end(), tail);
  return out;
}

std::vector<Tlv> recognition_content(const CardState& state) {
  return {
      Tlv::primitive(0x06, gp_oid({0x01})),                                              // card recognition data
      Tlv::constructed(0x60, {Tlv::primitive(0x06, gp_oid({0x02, 0x02, 0x03, 0x01}))}),  // GP 2.3.1
      Tlv::constructed(0x63, {Tlv::primitive(0x06, gp_oid({0x03}))}),                    // card identification scheme
      Tlv::constructed(0x64, {Tlv::primitive(0x06, gp_oid({0x04, 0x03, state.scp03_i()}))}),  // SCP03, i
  };
}

}  // namespace

Bytes file_control_information(const CardState& state) {
  return Tlv::constructed(0x6F, {Tlv::primitive(0x84, state.isd_aid()),
                                 Tlv::constructed(0xA5, {Tlv::constructed(0x73, recognition_content(state)),
                                                         Tlv::primitive(0x9F65, Bytes{kMaxCommandDataLength})})})
      .encode();
}

Bytes card_recognition_data(const CardState& state) {
  return Tlv::constructed(0x66, {Tlv::constructed(0x73, recognition_content(state))}).encode();
}

Bytes card_capability_information(const CardState& state) {
  // The SCP03 entry: SCP id, the one "i" this card runs, and the AES key sizes 128/192/256 (b1..b3).
  return Tlv::constructed(0x67, {Tlv::constructed(0xA0, {Tlv::primitive(0x80, Bytes{0x03}),
                                                         Tlv::primitive(0x81, Bytes{state.scp03_i()}),
                                                         Tlv::primitive(0x82, Bytes{0x07})})})
      .encode();
}

Bytes key_information_template(const CardState& state, ByteView more_entries) {
  Bytes entries;
  for (const auto& [kvn, set] : state.key_sets()) {
    const auto length = static_cast<std::uint8_t>(set.keys.key_size());
    for (const std::uint8_t id : {gp::kKeyIdEnc, gp::kKeyIdMac, gp::kKeyIdDek}) {
      append(entries, Tlv::primitive(0xC0, Bytes{id, kvn, 0x88, length}).encode());
    }
  }
  append(entries, more_entries);
  Bytes kit;
  iso7816::encode_tag(kit, 0xE0);
  iso7816::encode_length(kit, entries.size());
  append(kit, entries);
  return kit;
}

Bytes sequence_counter(const CardState& state) {
  const StoredKeySet* set = state.find_key_set(0);
  Bytes value;
  put_be24(value, set == nullptr ? 0 : set->sequence_counter);
  return Tlv::primitive(0xC1, value).encode();
}

Bytes card_image_number(const CardState& state) {
  return Tlv::primitive(0x45, state.cin()).encode();
}

Bytes key_diversification_data(const CardState& state) {
  return Tlv::primitive(0xCF, state.kdd()).encode();
}

Bytes issuer_identification_number(const CardState& state) {
  return Tlv::primitive(0x42, state.iin()).encode();
}

Bytes isd_application_identifier(const CardState& state) {
  return Tlv::primitive(0x4F, state.isd_aid()).encode();
}

Bytes current_security_level(std::uint8_t level) {
  return Tlv::primitive(0xD3, Bytes{level}).encode();
}

Bytes card_production_life_cycle(const CardState& state) {
  // 42 bytes, field by field (GPCS Table H-? / Visa CPLC). A virtual SE has no chip, module or
  // embedding history: those fields are 0000 as on cards that leave them unset.
  const Bytes& id = state.se_id();
  Bytes cplc;
  const auto put2 = [&](std::uint8_t a, std::uint8_t b) { cplc.insert(cplc.end(), {a, b}); };
  put2(0x00, 0x00);                                     // IC fabricator
  put2(0x00, 0x00);                                     // IC type
  put2('S', 'F');                                       // operating system identifier: sefleet
  put2(0x00, 0x00);                                     // operating system release date
  put2(0x01, 0x00);                                     // operating system release level: card state format 1.0
  put2(0x00, 0x00);                                     // IC fabrication date
  cplc.insert(cplc.end(), id.end() - 4, id.end());      // IC serial number: last 4 bytes of se_id
  cplc.insert(cplc.end(), id.end() - 6, id.end() - 4);  // IC batch identifier: the 2 before them
  for (int i = 0; i < 6; ++i)
    put2(0x00, 0x00);                // module fabricator/packaging, ICC manufacturer/embedding, pre-perso(+date)
  cplc.insert(cplc.end(), 4, 0x00);  // pre-personalizer equipment identifier
  put2('S', 'F');                    // IC personalizer: sefleet card init
  append(cplc, state.personalization_date());  // IC personalization date (YDDD)
  cplc.insert(cplc.end(), 4, 0x00);            // personalization equipment identifier
  return Tlv::primitive(0x9F7F, cplc).encode();
}

}  // namespace sefleet::card::isd

// GET DATA (GPCS §11.3): the ISD's self-description objects; no session needed (they are public).
// CLA 80 (GP class) answers the whole TLV object; CLA 00 (ISO class) answers its value field only
// (GPCS §11.3.3.1). Objects this card does not keep answer 6A88. The list: docs/isd.md "GET DATA".
#include <optional>

#include "card/isd/isd_card_data.hpp"
#include "card/isd/isd_command.hpp"
#include "card/isd/isd_scp11.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

constexpr std::uint16_t kTagCaKlocIdentifiers = 0xFF33;
constexpr std::uint16_t kTagCaKlccIdentifiers = 0xFF34;

// The whole data object P1-P2 names, or nothing for the objects this card does not keep: C2
// (confirmation counter: no Receipt Generation privilege), 5F50 (no SD manager URL), FF21 (the NVM
// store has no fixed capacity to report free space against), 2F00 (GET STATUS P1 = 40 lists the
// applications, with continuation; a short GET DATA response cannot hold every instance).
std::optional<Bytes> data_object(const IsdCall& call, std::uint16_t tag) {
  const CardState& state = call.state;  // image_inventory may erase abandoned staging
  switch (tag) {
    case 0x0042:
      return issuer_identification_number(state);
    case 0x0045:
      return card_image_number(state);
    case 0x004F:
      return isd_application_identifier(state);
    case 0x0066:
      return card_recognition_data(state);
    case 0x0067:
      return card_capability_information(state);
    case 0x00C1:
      return sequence_counter(state);
    case 0x00CF:
      return key_diversification_data(state);
    case 0x00D3:
      return current_security_level(call.ctx.security_level());
    case 0x00E0: {
      Bytes scp11_entries;
      append_scp11_key_information(call, scp11_entries);
      return key_information_template(state, scp11_entries);
    }
    case 0x9F7F:
      return card_production_life_cycle(state);
    case 0xDF70:
      return image_inventory(call);  // image inventory (broadcast channel)
    default:
      return std::nullopt;
  }
}

}  // namespace

iso7816::ResponseApdu get_data(const IsdCall& call) {
  const auto tag = static_cast<std::uint16_t>((call.command.p1 << 8) | call.command.p2);
  if (tag == kTagCaKlocIdentifiers || tag == kTagCaKlccIdentifiers) {
    // GP's tags FF33 / FF34 start with FF, which BER-TLV parsers (ours too) refuse: built by hand.
    std::optional<Bytes> pairs = ca_identifiers(call, tag == kTagCaKlccIdentifiers);
    if (!pairs) return iso7816::ResponseApdu(iso7816::sw::kReferencedDataNotFound);
    require_no_data(call);
    if (!call.command.is_proprietary_class()) return iso7816::ResponseApdu(std::move(*pairs), iso7816::sw::kOk);
    Bytes object{call.command.p1, call.command.p2};
    iso7816::encode_length(object, pairs->size());
    append(object, *pairs);
    return iso7816::ResponseApdu(std::move(object), iso7816::sw::kOk);
  }
  std::optional<Bytes> object = data_object(call, static_cast<std::uint16_t>((call.command.p1 << 8) | call.command.p2));
  if (!object) return iso7816::ResponseApdu(iso7816::sw::kReferencedDataNotFound);
  require_no_data(call);  // no object here takes a tag list
  if (!call.command.is_proprietary_class())
    return iso7816::ResponseApdu(iso7816::parse_tlv(*object).value_bytes(), iso7816::sw::kOk);
  return iso7816::ResponseApdu(std::move(*object), iso7816::sw::kOk);
}

}  // namespace sefleet::card::isd

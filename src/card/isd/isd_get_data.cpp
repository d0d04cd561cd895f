// GET DATA (GPCS §11.3): the ISD's self-description objects; no session needed (they are public).
#include "card/isd/isd_card_data.hpp"
#include "card/isd/isd_command.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {

iso7816::ResponseApdu get_data(const IsdCall& call) {
  require_no_data(call);
  const CardState& state = call.state;  // image_inventory may erase abandoned staging
  Bytes data;
  switch ((call.command.p1 << 8) | call.command.p2) {
    case 0x00E0:
      data = key_information_template(state);
      break;
    case 0x00C1:
      data = sequence_counter(state);
      break;
    case 0x0066:
      data = card_recognition_data(state);
      break;
    case 0x0067:
      data = card_capability_information(state);
      break;
    case 0x0045:
      data = card_image_number(state);
      break;
    case 0x00CF:
      data = key_diversification_data(state);
      break;
    case 0x0042:
      data = issuer_identification_number(state);
      break;
    case 0x9F7F:
      data = card_production_life_cycle(state);
      break;
    case 0xDF70:
      data = image_inventory(call);
      break;  // image inventory (broadcast channel)
    default:
      return iso7816::ResponseApdu(iso7816::sw::kReferencedDataNotFound);
  }
  return iso7816::ResponseApdu(std::move(data), iso7816::sw::kOk);
}

}  // namespace sefleet::card::isd

#include "card/isd/issuer_security_domain.hpp"

#include "card/isd/isd_command.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/card_life_cycle.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kInsSelect = 0xA4;
constexpr std::uint8_t kInsGetData = 0xCA;
constexpr std::uint8_t kInsGetStatus = 0xF2;
constexpr std::uint8_t kInsPutKey = 0xD8;
constexpr std::uint8_t kInsDelete = 0xE4;
constexpr std::uint8_t kInsStoreData = 0xE2;
constexpr std::uint8_t kInsSetStatus = 0xF0;
constexpr std::uint8_t kInsInstall = 0xE6;
constexpr std::uint8_t kInsLoad = 0xE8;

}  // namespace

RegistryEntry& IssuerSecurityDomain::register_in(AppletRegistry& registry) {
  RegistryEntry entry;
  entry.kind = RegistryEntry::Kind::issuer_security_domain;
  entry.aid = state_.isd_aid();
  entry.life_cycle = state_.life_cycle();
  entry.privileges = Bytes{static_cast<std::uint8_t>(privilege::kSecurityDomain | privilege::kCardLock |
                                                     privilege::kCardTerminate | privilege::kCardReset),
                           0x00, 0x00};
  entry.applet = this;
  return registry.add(std::move(entry));
}

std::uint16_t IssuerSecurityDomain::selection_gate(const RegistryEntry& entry) const {
  const std::uint8_t card = state_.life_cycle();
  if (card != gp::card_life_cycle::kCardLocked && card != gp::card_life_cycle::kTerminated) return sw::kOk;
  return entry.kind == RegistryEntry::Kind::issuer_security_domain ? sw::kOk : sw::kFileNotFound;
}

iso7816::ResponseApdu IssuerSecurityDomain::process(const iso7816::CommandApdu& command, AppletContext& ctx) {
  isd::drop_ended_loads(loads_);
  const isd::IsdCall call{command, ctx, state_, broadcast_, instances_, host_, vm_, &loads_, &scp11_};
  // GP §5.1.1.5: a TERMINATED card's ISD answers GET DATA only.
  if (state_.life_cycle() == gp::card_life_cycle::kTerminated && command.ins != kInsSelect &&
      command.ins != kInsGetData) {
    return iso7816::ResponseApdu(sw::kConditionsNotSatisfied);
  }
  iso7816::ResponseApdu response(sw::kInsNotSupported);
  try {
    isd::broadcast_mode_gate(call);
    switch (command.ins) {
      case kInsSelect:
        response = isd::select_response(call);
        break;
      case kInsGetData:
        response = isd::is_certificate_store_request(command) ? isd::get_certificate_store(call) : isd::get_data(call);
        break;
      case kInsGetStatus:
        response = isd::get_status(call);
        break;
      case kInsPutKey:
        response = isd::is_ecc_put_key(command) ? isd::put_ecc_key(call) : isd::put_key(call);
        break;
      case kInsDelete:
        response = isd::delete_objects(call);
        break;
      case kInsStoreData:
        response = isd::is_scp11_store_data(command) ? isd::store_scp11_data(call) : isd::store_data(call);
        break;
      case kInsSetStatus:
        response = isd::set_status(call);
        break;
      case kInsInstall:
        if (host_ != nullptr) response = isd::install(call);
        break;
      case kInsLoad:
        if (host_ != nullptr && vm_ != nullptr) response = isd::load(call);
        break;
      case gp::scp11::kInsPerformSecurityOperation:
      case gp::scp11::kInsMutualAuthenticate:
      case gp::scp11::kInsInternalAuthenticate:
        if (isd::is_scp11_command(command)) response = isd::scp11_command(call, scp11_, scp11_keys_);
        break;
      case gp::broadcast::kInsChangeMode:
        response = isd::change_mode(call);
        break;
      case gp::broadcast::kInsWriteBlock:
        response = isd::write_block(call);
        break;
      case gp::broadcast::kInsAuthorizeAction:
        response = isd::authorize_action(call);
        break;
      default:
        break;
    }
  } catch (const StatusWordError& refusal) {
    response = iso7816::ResponseApdu(refusal.sw());
  }
  // The ISD's registry life cycle is the card's (GET STATUS P1=80 reports it). Looked up by AID each
  // time: DELETE of an instance removes a registry entry, which may move the others.
  if (RegistryEntry* own = ctx.registry().find(state_.isd_aid())) own->life_cycle = state_.life_cycle();
  return response;
}

}  // namespace sefleet::card

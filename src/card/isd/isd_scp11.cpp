#include "card/isd/isd_scp11.hpp"

#include <optional>

#include "card/state/scp11_store.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
namespace scp11 = gp::scp11;

constexpr std::uint8_t kInsGetData = 0xCA;
constexpr iso7816::Tag kTagKeyReference = 0x83;

std::optional<Scp11Store> stored_keys(const IsdCall& call) {
  return Scp11Store::load(call.state.store());
}

}  // namespace

bool is_scp11_command(const iso7816::CommandApdu& command) noexcept {
  return scp11::is_setup_command(command);
}

iso7816::ResponseApdu scp11_command(const IsdCall& call, Scp11Channels& channels) {
  const auto& command = call.command;
  scp11::Scp11CardChannel& channel = channels.channels[call.ctx.channel()];
  channels.keys = Scp11Store::load(call.state.store(), channels.keys);
  if (!channels.keys) {
    channel.reset();
    return iso7816::ResponseApdu(sw::kReferencedDataNotFound);
  }
  const scp11::Scp11CardKeys keys = channels.keys->card_keys();
  if (command.ins == scp11::kInsPerformSecurityOperation) return channel.perform_security_operation(command, keys);

  gp::Scp03Card* session = call.ctx.secure_channel();
  if (session == nullptr) return iso7816::ResponseApdu(sw::kConditionsNotSatisfied);
  std::optional<scp11::Scp11Established> established;
  iso7816::ResponseApdu response = channel.authenticate(command, keys, call.ctx.random(), established);
  if (established) {
    constexpr std::uint8_t kFullSecurity = 0x33;  // key usage 3C: C-MAC, C-DEC, R-MAC, R-ENC
    session->open_session(established->keys, std::move(established->dek), established->receipt, kFullSecurity);
  }
  return response;
}

bool is_certificate_store_request(const iso7816::CommandApdu& command) noexcept {
  return command.ins == kInsGetData && command.p1 == 0xBF && command.p2 == 0x21;
}

iso7816::ResponseApdu get_certificate_store(const IsdCall& call) {
  const auto objects = iso7816::try_parse_tlv_sequence(call.command.data);
  if (!objects || objects->size() != 1 || (*objects)[0].tag() != scp11::kTagControlReference) {
    return iso7816::ResponseApdu(sw::kWrongData);
  }
  const iso7816::Tlv* reference = (*objects)[0].find(kTagKeyReference);
  if (reference == nullptr || reference->is_constructed() || reference->value().size() != 2) {
    return iso7816::ResponseApdu(sw::kWrongData);
  }
  const std::uint8_t kid = reference->value()[0];
  const std::uint8_t kvn = reference->value()[1];
  const auto stored = stored_keys(call);
  if (!stored || !scp11::variant_of_key_id(kid) || kvn != stored->kvn() || stored->certificates().empty()) {
    return iso7816::ResponseApdu(sw::kReferencedDataNotFound);
  }
  // As every GET DATA (docs/isd.md): the ISO class (yubikit sends 00 CA BF 21) gets the value field, the
  // certificates one after the other; the GP class gets the whole BF21 object.
  if (!call.command.is_proprietary_class()) return iso7816::ResponseApdu(stored->certificates(), sw::kOk);
  Bytes store;
  iso7816::encode_tag(store, scp11::kTagCertificateStore);
  iso7816::encode_length(store, stored->certificates().size());
  append(store, stored->certificates());
  return iso7816::ResponseApdu(std::move(store), sw::kOk);
}

}  // namespace sefleet::card::isd

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

constexpr std::uint8_t kClaChaining = 0x10;           // ISO command chaining (CLA b5)
constexpr std::size_t kMaxChainedCertificate = 4096;  // more is no certificate of a P-256 chain

std::optional<Scp11Store> stored_keys(const IsdCall& call) {
  return Scp11Store::load(call.state.store());
}

void drop_chain(Scp11ChannelState& state) noexcept {
  state.chained.clear();
  state.setup.reset();
}

// PERFORM SECURITY OPERATION, with ISO command chaining (CLA b5 set on every part but the last) of
// one certificate longer than a command: the parts are collected, and the last one carries the whole
// certificate to the protocol. Every part has the same P1 (b7..b1) and P2.
iso7816::ResponseApdu perform_security_operation(const IsdCall& call, const Scp11Store& stored,
                                                 Scp11ChannelState& state) {
  const auto& command = call.command;
  const auto p1p2 = static_cast<std::uint16_t>(((command.p1 & 0x7F) << 8) | command.p2);
  if (!state.chained.empty() && state.chained_p1p2 != p1p2) {
    drop_chain(state);
    return iso7816::ResponseApdu(sw::kWrongData);
  }
  if ((command.cla & kClaChaining) != 0) {
    if (state.chained.size() + command.data.size() > kMaxChainedCertificate) {
      drop_chain(state);
      return iso7816::ResponseApdu(sw::kWrongData);
    }
    append(state.chained, command.data);
    state.chained_p1p2 = p1p2;
    return iso7816::ResponseApdu(sw::kOk);
  }
  iso7816::CommandApdu whole(static_cast<std::uint8_t>(command.cla & ~kClaChaining), command.ins,
                             static_cast<std::uint8_t>(command.p1 & 0x7F), command.p2,
                             concat({state.chained, command.data}));
  state.chained.clear();
  const auto kid = static_cast<std::uint8_t>(whole.p2 & 0x7F);
  return state.setup.perform_security_operation(whole, stored.oce_keys({kid, whole.p1}));
}

}  // namespace

bool is_scp11_command(const iso7816::CommandApdu& command) noexcept {
  return scp11::is_setup_command(command);
}

iso7816::ResponseApdu scp11_command(const IsdCall& call, Scp11Channels& channels,
                                    std::optional<Scp11Store>& key_cache) {
  const auto& command = call.command;
  Scp11ChannelState& state = channels[call.ctx.channel()];
  scp11::Scp11CardChannel& channel = state.setup;
  key_cache = Scp11Store::load(call.state.store(), key_cache ? &*key_cache : nullptr);
  const auto& stored = key_cache;
  if (!stored) {
    drop_chain(state);
    return iso7816::ResponseApdu(sw::kReferencedDataNotFound);
  }
  if (command.ins == scp11::kInsPerformSecurityOperation) return perform_security_operation(call, *stored, state);

  gp::Scp03Card* session = call.ctx.secure_channel();
  if (session == nullptr) return iso7816::ResponseApdu(sw::kConditionsNotSatisfied);
  std::optional<scp11::Scp11Established> established;
  iso7816::ResponseApdu response =
      channel.authenticate(command, stored->card_keys({command.p2, command.p1}), call.ctx.random(), established);
  if (established) {
    constexpr std::uint8_t kFullSecurity = 0x33;  // key usage 3C: C-MAC, C-DEC, R-MAC, R-ENC
    session->open_session(established->keys, std::move(established->dek), established->receipt, kFullSecurity);
    state.card_only_session =
        established->variant == scp11::Variant::b ? session->session_ticket() : gp::Scp03Card::SessionTicket();
  }
  return response;
}

void require_oce_authenticated(const IsdCall& call) {
  if (call.scp11 == nullptr) return;
  const auto it = call.scp11->find(call.ctx.channel());
  const gp::Scp03Card* session = call.ctx.secure_channel();
  if (it == call.scp11->end() || session == nullptr || it->second.card_only_session.expired()) return;
  const auto& current = session->session_ticket();
  const auto& card_only = it->second.card_only_session;
  // The same session when neither ticket orders before the other (both share one control block).
  if (!current.owner_before(card_only) && !card_only.owner_before(current)) {
    throw StatusWordError(sw::kSecurityStatusNotSatisfied, "SCP11b does not authenticate the off-card entity");
  }
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
  const Scp11Key* key = stored && is_sd_key_id(kid) ? stored->find({kid, kvn}) : nullptr;
  if (key == nullptr || key->certificates.empty()) return iso7816::ResponseApdu(sw::kReferencedDataNotFound);
  // As every GET DATA (docs/isd.md): the ISO class (yubikit sends 00 CA BF 21) gets the value field, the
  // certificates one after the other; the GP class gets the whole BF21 object.
  if (!call.command.is_proprietary_class()) return iso7816::ResponseApdu(key->certificates, sw::kOk);
  Bytes store;
  iso7816::encode_tag(store, scp11::kTagCertificateStore);
  iso7816::encode_length(store, key->certificates.size());
  append(store, key->certificates);
  return iso7816::ResponseApdu(std::move(store), sw::kOk);
}

}  // namespace sefleet::card::isd

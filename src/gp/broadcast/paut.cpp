#include "gp/broadcast/paut.hpp"

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/scp03_derivation.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::broadcast {
namespace {

namespace sw = iso7816::sw;

bool is_broadcast_flow_level(std::uint8_t security_level) noexcept {
  return security_level == 0x13 || security_level == 0x33;
}

iso7816::CommandApdu gp_command(std::uint8_t ins, std::uint8_t p1, Bytes data, std::optional<std::size_t> ne) {
  iso7816::CommandApdu command;
  command.cla = 0x80;
  command.ins = ins;
  command.p1 = p1;
  command.p2 = 0x00;
  command.data = std::move(data);
  command.ne = ne;
  return command;
}

}  // namespace

Paut build_paut(const StaticKeySet& keys, const PautInput& input) {
  keys.validate();
  const bool predicted = input.card_challenge.empty();
  if (predicted && (input.i & iparam::kPseudoRandomChallenge) == 0) {
    throw Error(Errc::invalid_argument,
                "PAUT: the SE's i parameter has no pseudo-random card challenge; "
                "a PAUT cannot be computed before the SE answers");
  }
  if (!is_broadcast_flow_level(input.security_level) || !i_supports_level(input.i, input.security_level)) {
    throw Error(Errc::invalid_argument, "PAUT: security level must be 13 or 33 and supported by i");
  }
  const Scp03Mode mode = mode_of(input.i);
  const std::size_t half = half_block_size(mode);
  if (input.host_challenge.size() != half) {
    throw Error(Errc::invalid_argument, "PAUT: host challenge must be " + std::to_string(half) + " bytes");
  }
  if (!predicted && input.card_challenge.size() != half) {
    throw Error(Errc::invalid_argument, "PAUT: card challenge must be " + std::to_string(half) + " bytes");
  }
  if (predicted && input.sequence_counter >= kMaxSequenceCounter) {
    throw Error(Errc::invalid_argument, "PAUT: the SE's sequence counter is exhausted");
  }

  Paut paut;
  PautCheck& check = paut.check;
  check.kvn = keys.kvn;
  check.i = input.i;
  check.security_level = input.security_level;
  check.sequence_counter = predicted ? input.sequence_counter + 1 : input.sequence_counter;
  check.host_challenge = input.host_challenge;
  check.card_challenge =
      predicted ? pseudo_random_card_challenge(keys.enc.view(), mode, check.sequence_counter, input.invoking_aid)
                : input.card_challenge;
  check.campaign_id = input.authorize.campaign_id;

  const SessionKeys session = derive_session_keys(keys, check.host_challenge, check.card_challenge);
  const Bytes cryptogram = host_cryptogram(session.s_mac.view(), mode, check.host_challenge, check.card_challenge);

  paut.commands[0] = gp_command(kInsInitializeUpdate, keys.kvn, input.host_challenge, 256);

  SecureMessaging engine(session, mode, input.security_level);
  const crypto::Mac16 ea_mac = engine.external_authenticate_mac(0x84, input.security_level, cryptogram);
  Bytes ea_data = cryptogram;
  ea_data.insert(ea_data.end(), ea_mac.begin(), ea_mac.begin() + static_cast<std::ptrdiff_t>(half));
  paut.commands[1] = gp_command(kInsExternalAuthenticate, input.security_level, std::move(ea_data), std::nullopt);
  paut.commands[1].cla = 0x84;
  engine.begin(ea_mac);

  WrappedAuthorization wrapped = wrap_authorization(engine, input.change_mode, input.authorize);
  paut.commands[2] = std::move(wrapped.change_mode);
  paut.commands[3] = std::move(wrapped.authorize);
  check.authorize_counter = wrapped.authorize_counter;
  check.authorize_chaining_value = wrapped.authorize_chaining_value;
  return paut;
}

WrappedAuthorization wrap_authorization(SecureMessaging& engine, const ChangeModeToBroadcast& change_mode,
                                        const AuthorizeAction& authorize) {
  WrappedAuthorization out;
  // Le = 00: at levels 13/33 the 9000 of CHANGE MODE carries an R-MAC (8 or 16 bytes), which a
  // command without Le would get as 61xx (ISO case 3) instead of 9000.
  out.change_mode = engine.wrap_command(
      gp_command(kInsChangeMode, kChangeModeToBroadcast, encode_change_mode_to_broadcast(change_mode), 256));
  out.authorize = engine.wrap_command(gp_command(kInsAuthorizeAction, 0x00, encode_authorize_action(authorize), 256));
  out.authorize_counter = engine.full_counter();
  out.authorize_chaining_value = engine.mac_chaining_value();
  return out;
}

void verify_authorize_response(const SessionKeys& session, Scp03Mode mode, std::uint8_t security_level,
                               const Scp03Counter& authorize_counter, const crypto::Mac16& authorize_chaining_value,
                               const CampaignId& campaign_id, const iso7816::ResponseApdu& authorize_response,
                               PautVerdict& verdict) {
  verdict.authorize_sw = authorize_response.sw;
  if (authorize_response.sw != sw::kOk && authorize_response.sw != sw::kVerificationFailed) {
    return;  // error status words carry no R-MAC and no status object
  }
  SecureMessaging engine(session, mode, security_level);
  engine.resume(authorize_counter, authorize_chaining_value);
  const iso7816::ResponseApdu plain = engine.unwrap_response(authorize_response);
  ImageStatus status = parse_image_status(plain.data);
  if (status.campaign_id != campaign_id) {
    throw Error(Errc::integrity_error, "AUTHORIZE ACTION response: status object of campaign " +
                                           to_hex(status.campaign_id) + ", expected " + to_hex(campaign_id));
  }
  verdict.status = status;
}

PautVerdict verify_paut_answers(const StaticKeySet& keys, const PautCheck& check,
                                const iso7816::ResponseApdu& initialize_update_response,
                                const std::optional<iso7816::ResponseApdu>& authorize_response) {
  PautVerdict verdict;
  if (initialize_update_response.sw != sw::kOk) return verdict;  // nothing to authenticate
  const auto iu = InitializeUpdateResponse::parse(initialize_update_response.data);
  const Scp03Mode mode = mode_of(check.i);
  // An SE with a random challenge sends no counter (parse() insists on it for the pseudo-random one):
  // its check holds 0 (PautInput::sequence_counter).
  if (iu.kvn != check.kvn || iu.i != check.i || iu.sequence_counter.value_or(0) != check.sequence_counter ||
      !constant_time_equal(iu.card_challenge, check.card_challenge)) {
    throw Error(Errc::integrity_error,
                "INITIALIZE UPDATE response: key version, i, sequence counter or card "
                "challenge differ from what the PAUT was computed for");
  }
  const SessionKeys session = derive_session_keys(keys, check.host_challenge, check.card_challenge);
  const Bytes expected = card_cryptogram(session.s_mac.view(), mode, check.host_challenge, check.card_challenge);
  if (!constant_time_equal(expected, iu.card_cryptogram)) {
    throw Error(Errc::integrity_error, "INITIALIZE UPDATE response: card cryptogram mismatch (not this SE)");
  }
  verdict.card_authenticated = true;
  if (!authorize_response) return verdict;

  verify_authorize_response(session, mode, check.security_level, check.authorize_counter,
                            check.authorize_chaining_value, check.campaign_id, *authorize_response, verdict);
  return verdict;
}

}  // namespace sefleet::gp::broadcast

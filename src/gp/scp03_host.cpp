#include "gp/scp03_host.hpp"

#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "gp/scp03_derivation.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

namespace {

const char* state_name(Scp03Host::State state) {
  switch (state) {
    case Scp03Host::State::idle:
      return "idle";
    case Scp03Host::State::awaiting_initialize_update:
      return "awaiting the INITIALIZE UPDATE response";
    case Scp03Host::State::awaiting_external_authenticate:
      return "awaiting the EXTERNAL AUTHENTICATE response";
    case Scp03Host::State::open:
      return "open";
    case Scp03Host::State::failed:
      return "failed";
  }
  return "?";
}

void check_options(const Scp03HostOptions& options) {
  if (!is_valid_security_level(options.security_level)) {
    throw Error(Errc::invalid_argument, "SCP03 host: security level must be 00, 01, 03, 11, 13 or 33");
  }
  if (options.kvn > 0x7F) throw Error(Errc::invalid_argument, "SCP03 host: key version number must be 00..7F");
  if (options.channel > 19) throw Error(Errc::invalid_argument, "SCP03 host: logical channel must be 0..19");
}

}  // namespace

Scp03Host::Scp03Host(StaticKeySet keys, Scp03HostOptions options, crypto::Random& random)
    : Scp03Host(StaticKeyResolver{}, std::move(options), random) {
  keys.validate();
  auto shared = std::make_shared<StaticKeySet>(std::move(keys));
  resolver_ = [shared](const InitializeUpdateResponse&) { return *shared; };
}

Scp03Host::Scp03Host(StaticKeyResolver resolver, Scp03HostOptions options, crypto::Random& random)
    : resolver_(std::move(resolver)), options_(std::move(options)), random_(random) {
  check_options(options_);
}

void Scp03Host::fail(Errc code, const std::string& message) {
  state_ = State::failed;
  messaging_.reset();
  session_keys_.reset();
  throw Error(code, "SCP03: " + message);
}

void Scp03Host::require_state(State expected, const char* operation) const {
  if (state_ != expected) {
    throw Error(Errc::state_error, std::string("SCP03: ") + operation + " while the session is " + state_name(state_));
  }
}

CommandApdu Scp03Host::initialize_update() {
  Bytes challenge(half_block_size(options_.mode));
  random_.fill(challenge);
  return initialize_update(challenge);
}

CommandApdu Scp03Host::initialize_update(ByteView host_challenge) {
  if (host_challenge.size() != half_block_size(options_.mode)) {
    throw Error(Errc::invalid_argument, "SCP03 host: the " + mode_name(options_.mode) + " host challenge is " +
                                            std::to_string(half_block_size(options_.mode)) + " bytes, got " +
                                            std::to_string(host_challenge.size()));
  }
  messaging_.reset();
  session_keys_.reset();
  card_info_.reset();
  host_challenge_.assign(host_challenge.begin(), host_challenge.end());
  state_ = State::awaiting_initialize_update;
  CommandApdu cmd(iso7816::cla_for_channel(0x80, options_.channel, false), kInsInitializeUpdate, options_.kvn, 0x00,
                  host_challenge_, 256);
  return cmd;
}

CommandApdu Scp03Host::external_authenticate(const ResponseApdu& rsp) {
  require_state(State::awaiting_initialize_update, "external_authenticate");
  if (rsp.sw != iso7816::sw::kOk) {
    fail(Errc::protocol_error, "INITIALIZE UPDATE refused: " + iso7816::sw::status_word_name(rsp.sw));
  }
  InitializeUpdateResponse info;
  try {
    info = InitializeUpdateResponse::parse(rsp.data);
  } catch (const Error& e) {
    fail(Errc::protocol_error, e.what());
  }
  if (info.mode() != options_.mode) {
    fail(Errc::protocol_error, "card answered in " + mode_name(info.mode()) + " (i=" + to_hex(Bytes{info.i}) +
                                   ") but the host runs " + mode_name(options_.mode));
  }
  if (options_.kvn != 0 && info.kvn != options_.kvn) {
    fail(Errc::protocol_error,
         "card used key version " + to_hex(Bytes{info.kvn}) + ", host asked for " + to_hex(Bytes{options_.kvn}));
  }
  if (!i_supports_level(info.i, options_.security_level)) {
    fail(Errc::protocol_error, "card parameter i=" + to_hex(Bytes{info.i}) + " does not support security level " +
                                   to_hex(Bytes{options_.security_level}));
  }
  StaticKeySet keys;
  try {
    keys = resolver_(info);
    keys.validate();
  } catch (const Error& e) {
    fail(e.code(), std::string("no usable static keys: ") + e.what());
  }
  if (info.sequence_counter && options_.verify_pseudo_random_challenge) {
    bool matched = false;
    for (const auto& aid : options_.invoking_aids) {
      const Bytes expected = pseudo_random_card_challenge(keys.enc.view(), options_.mode, *info.sequence_counter, aid);
      matched = matched || constant_time_equal(expected, info.card_challenge);
    }
    if (!matched) {
      fail(Errc::protocol_error, "pseudo-random card challenge does not match sequence counter " +
                                     std::to_string(*info.sequence_counter) + " and the expected invoking AID");
    }
  }
  SessionKeys keys_of_session = derive_session_keys(keys, host_challenge_, info.card_challenge);
  const Bytes expected_card =
      card_cryptogram(keys_of_session.s_mac.view(), options_.mode, host_challenge_, info.card_challenge);
  if (!constant_time_equal(expected_card, info.card_cryptogram)) {
    fail(Errc::protocol_error, "card cryptogram mismatch (wrong keys, or not the card we expect)");
  }
  host_cryptogram_ =
      gp::host_cryptogram(keys_of_session.s_mac.view(), options_.mode, host_challenge_, info.card_challenge);
  messaging_ = std::make_unique<SecureMessaging>(keys_of_session, options_.mode, options_.security_level);
  session_keys_ = std::move(keys_of_session);
  card_info_ = std::move(info);

  const std::uint8_t cla = iso7816::cla_for_channel(0x80, options_.channel, true);
  const crypto::Mac16 mac = messaging_->external_authenticate_mac(cla, options_.security_level, host_cryptogram_);
  messaging_->begin(mac);
  Bytes data = host_cryptogram_;
  data.insert(data.end(), mac.begin(), mac.begin() + static_cast<std::ptrdiff_t>(half_block_size(options_.mode)));
  state_ = State::awaiting_external_authenticate;
  return CommandApdu(cla, kInsExternalAuthenticate, options_.security_level, 0x00, std::move(data));
}

void Scp03Host::complete(const ResponseApdu& rsp) {
  require_state(State::awaiting_external_authenticate, "complete");
  if (rsp.sw != iso7816::sw::kOk) {
    fail(Errc::protocol_error, "EXTERNAL AUTHENTICATE refused: " + iso7816::sw::status_word_name(rsp.sw));
  }
  if (!rsp.data.empty()) fail(Errc::protocol_error, "EXTERNAL AUTHENTICATE response carries unexpected data");
  state_ = State::open;
}

CommandApdu Scp03Host::wrap(const CommandApdu& plain) {
  require_state(State::open, "wrap");
  if (plain.channel() != options_.channel) {
    throw Error(Errc::invalid_argument, "SCP03 host: command for logical channel " + std::to_string(plain.channel()) +
                                            " in a session on channel " + std::to_string(options_.channel));
  }
  return messaging_->wrap_command(plain);
}

ResponseApdu Scp03Host::unwrap(const ResponseApdu& wire) {
  require_state(State::open, "unwrap");
  try {
    return messaging_->unwrap_response(wire, options_.response_padding);
  } catch (const Error& e) {
    fail(e.code(), e.what());
  }
}

const InitializeUpdateResponse& Scp03Host::card_info() const {
  if (!card_info_) throw Error(Errc::state_error, "SCP03 host: no INITIALIZE UPDATE response processed yet");
  return *card_info_;
}

const SessionKeys& Scp03Host::session_keys() const {
  if (!session_keys_) throw Error(Errc::state_error, "SCP03 host: no session keys yet");
  return *session_keys_;
}

SecureMessaging& Scp03Host::messaging() {
  if (!messaging_) throw Error(Errc::state_error, "SCP03 host: no session");
  return *messaging_;
}

}  // namespace sefleet::gp

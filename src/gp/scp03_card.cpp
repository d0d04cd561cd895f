#include "gp/scp03_card.hpp"

#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/aes.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
namespace sw = iso7816::sw;

bool is_initialize_update(const CommandApdu& command) noexcept {
  return command.is_proprietary_class() && command.ins == kInsInitializeUpdate;
}

bool is_external_authenticate(const CommandApdu& command) noexcept {
  return command.is_proprietary_class() && command.ins == kInsExternalAuthenticate;
}

Scp03Card::Scp03Card(CardKeyRegistry& keys, Scp03CardConfig config, crypto::Random& random)
    : keys_(keys), config_(std::move(config)), random_(random) {
  if (!is_valid_i_parameter(config_.i)) throw Error(Errc::invalid_argument, "SCP03 card: invalid i parameter");
  if (config_.key_diversification_data.size() != kKddSize) {
    throw Error(Errc::invalid_argument, "SCP03 card: key diversification data must be 10 bytes");
  }
  if (config_.invoking_aid.size() < 5 || config_.invoking_aid.size() > 16) {
    throw Error(Errc::invalid_argument, "SCP03 card: invoking AID must be 5..16 bytes");
  }
}

void Scp03Card::drop_broadcast() noexcept {
  saved_.reset();
  broadcast_alive_.reset();
  pending_switch_ = PendingSwitch::none;
  pending_broadcast_.reset();
}

void Scp03Card::terminate() noexcept {
  drop_broadcast();
  state_ = State::idle;
  session_alive_.reset();
  messaging_.reset();
  session_keys_.reset();
  host_challenge_.clear();
  card_challenge_.clear();
  response_pending_ = false;
  kvn_ = 0;
  session_dek_ = SecretBytes();
}

void Scp03Card::abort() noexcept {
  if (state_ == State::open) {
    drop_broadcast();  // a security error ends both contexts (broadcast-channel.md §5.2)
    state_ = State::aborted;
    session_alive_.reset();
    messaging_.reset();
    session_keys_.reset();
    session_dek_ = SecretBytes();
    response_pending_ = false;
  }
}

std::uint8_t Scp03Card::current_security_level() const noexcept {
  if (state_ != State::open || !messaging_) return 0x00;
  return static_cast<std::uint8_t>(level::kAuthenticatedBit | messaging_->security_level());
}

ResponseApdu Scp03Card::refuse_and_abort(const std::string& reason) {
  last_refusal_ = reason;
  abort();
  return ResponseApdu(sw::kSecurityStatusNotSatisfied);
}

ResponseApdu Scp03Card::drop_authentication(std::uint16_t status, const std::string& reason) {
  last_refusal_ = reason;
  terminate();
  return ResponseApdu(status);
}

ResponseApdu Scp03Card::initialize_update(const CommandApdu& command) {
  terminate();  // any INITIALIZE UPDATE ends the current session (Amd D §5.6)
  const Scp03Mode mode = mode_of(config_.i);
  const std::size_t half = half_block_size(mode);
  if (command.p2 != 0x00) return drop_authentication(sw::kIncorrectP1P2, "INITIALIZE UPDATE: P2 must be 00");
  if (command.data.size() != half) {
    return drop_authentication(
        sw::kWrongLength,
        "INITIALIZE UPDATE: host challenge of " + std::to_string(command.data.size()) + " bytes in " + mode_name(mode));
  }
  const StaticKeySet* keys = keys_.find(command.p1);
  if (keys == nullptr)
    return drop_authentication(sw::kReferencedDataNotFound, "INITIALIZE UPDATE: unknown key version");

  InitializeUpdateResponse rsp;
  rsp.key_diversification_data = config_.key_diversification_data;
  rsp.kvn = keys->kvn;
  rsp.i = config_.i;
  if ((config_.i & iparam::kPseudoRandomChallenge) != 0) {
    const auto counter = keys_.next_sequence_counter(keys->kvn);
    if (!counter)
      return drop_authentication(sw::kConditionsNotSatisfied, "INITIALIZE UPDATE: sequence counter exhausted");
    rsp.sequence_counter = *counter;
    rsp.card_challenge = pseudo_random_card_challenge(keys->enc.view(), mode, *counter, config_.invoking_aid);
  } else {
    rsp.card_challenge = random_.bytes(half);
  }
  host_challenge_ = command.data;
  card_challenge_ = rsp.card_challenge;
  session_keys_ = derive_session_keys(*keys, host_challenge_, card_challenge_);
  rsp.card_cryptogram = card_cryptogram(session_keys_->s_mac.view(), mode, host_challenge_, card_challenge_);
  kvn_ = keys->kvn;
  state_ = State::initialized;
  return ResponseApdu(rsp.encode(), sw::kOk);
}

ResponseApdu Scp03Card::external_authenticate(const CommandApdu& command) {
  if (state_ != State::initialized) {
    last_refusal_ = "EXTERNAL AUTHENTICATE without a preceding INITIALIZE UPDATE";
    return ResponseApdu(sw::kConditionsNotSatisfied);
  }
  const Scp03Mode mode = mode_of(config_.i);
  const std::size_t half = half_block_size(mode);
  if (command.data.size() != 2 * half) {
    return drop_authentication(sw::kWrongLength,
                               "EXTERNAL AUTHENTICATE: data of " + std::to_string(command.data.size()) + " bytes");
  }
  if (command.p2 != 0x00 || !i_supports_level(config_.i, command.p1)) {
    return drop_authentication(sw::kIncorrectP1P2, "EXTERNAL AUTHENTICATE: security level not supported");
  }
  if (!iso7816::has_secure_messaging(command.cla)) {
    return drop_authentication(sw::kSecurityStatusNotSatisfied, "EXTERNAL AUTHENTICATE: no C-MAC indication");
  }
  const ByteView received_cryptogram(command.data.data(), half);
  const Bytes expected = host_cryptogram(session_keys_->s_mac.view(), mode, host_challenge_, card_challenge_);
  if (!constant_time_equal(expected, received_cryptogram)) {
    return drop_authentication(sw::kVerificationFailed, "EXTERNAL AUTHENTICATE: host cryptogram mismatch");
  }
  auto engine = std::make_unique<SecureMessaging>(*session_keys_, mode, command.p1);
  const crypto::Mac16 mac = engine->external_authenticate_mac(command.cla, command.p1, received_cryptogram);
  if (!constant_time_equal(ByteView(mac.data(), half), ByteView(command.data.data() + half, half))) {
    return drop_authentication(sw::kSecurityStatusNotSatisfied, "EXTERNAL AUTHENTICATE: C-MAC mismatch");
  }
  engine->begin(mac);
  messaging_ = std::move(engine);
  state_ = State::open;
  session_alive_ = std::make_shared<const int>(0);
  return ResponseApdu(sw::kOk);  // never R-MACed (Amd D §6.2.5)
}

void Scp03Card::open_session(const SessionKeys& keys, SecretBytes dek, const crypto::Mac16& first_chaining_value,
                             std::uint8_t security_level) {
  terminate();
  auto engine = std::make_unique<SecureMessaging>(keys, Scp03Mode::s8, security_level);
  engine->begin(first_chaining_value);
  messaging_ = std::move(engine);
  session_dek_ = std::move(dek);
  kvn_ = kNoScp03KeySet;
  state_ = State::open;
  session_alive_ = std::make_shared<const int>(0);
}

Scp03Card::Unwrapped Scp03Card::unwrap(const CommandApdu& wire) {
  return unwrap(CommandApdu(wire));
}

// The whole wire command, for the states that pass it on without unwrapping.
namespace {
CommandApdu whole(CommandApdu&& command) {
  return std::move(command);
}
CommandApdu whole(iso7816::CommandApduView&& command) {
  return std::move(command).to_command();
}
}  // namespace

Scp03Card::Unwrapped Scp03Card::unwrap(CommandApdu&& wire) {
  return unwrap_any(std::move(wire));
}

Scp03Card::Unwrapped Scp03Card::unwrap(iso7816::CommandApduView wire) {
  return unwrap_any(std::move(wire));
}

template <typename Wire>
Scp03Card::Unwrapped Scp03Card::unwrap_any(Wire&& wire) {
  Unwrapped out;
  response_pending_ = false;
  switch (state_) {
    case State::idle:
      out.command = whole(std::move(wire));
      return out;
    case State::initialized:
      // Anything but EXTERNAL AUTHENTICATE abandons the pending authentication and runs unprotected.
      terminate();
      out.command = whole(std::move(wire));
      return out;
    case State::aborted:
      out.sw = sw::kSecurityStatusNotSatisfied;
      out.reason = "session aborted; a new INITIALIZE UPDATE is required";
      last_refusal_ = out.reason;
      return out;
    case State::open:
      break;
  }
  std::string reason;
  out.command = messaging_->unwrap_command(std::move(wire), &reason);
  if (!out.command) {
    refuse_and_abort(reason);
    out.sw = sw::kSecurityStatusNotSatisfied;
    out.reason = reason;
    return out;
  }
  response_pending_ = true;
  return out;
}

ResponseApdu Scp03Card::wrap(const ResponseApdu& plain) {
  return wrap(ResponseApdu(plain));
}

ResponseApdu Scp03Card::wrap(ResponseApdu&& plain) {
  if (state_ != State::open || !response_pending_) {
    pending_switch_ = PendingSwitch::none;
    pending_broadcast_.reset();
    return std::move(plain);
  }
  response_pending_ = false;
  const std::uint16_t status = plain.sw;
  ResponseApdu wire = messaging_->protects_responses() ? messaging_->wrap_response(plain) : std::move(plain);
  apply_pending_switch(status);
  return wire;
}

namespace {
// The static Key-DEK of the open session's key set, checked for the sensitive-data calls.
crypto::Aes session_dek(const CardKeyRegistry& keys, Scp03Card::State state, std::uint8_t kvn, ByteView data) {
  if (state != Scp03Card::State::open) throw Error(Errc::state_error, "SCP03 card: no open session");
  if (data.size() % crypto::kAesBlock != 0) {
    throw Error(Errc::invalid_argument, "SCP03 card: sensitive data of " + std::to_string(data.size()) +
                                            " bytes is not a whole number of AES blocks");
  }
  const StaticKeySet* set = keys.find(kvn);
  if (set == nullptr) throw Error(Errc::state_error, "SCP03 card: the session's key set no longer exists");
  return crypto::Aes(set->dek.view());
}
}  // namespace

Bytes Scp03Card::encrypt_sensitive_data(ByteView data) const {
  crypto::Aes dek = session_dek_.empty() ? session_dek(keys_, state_, kvn_, data) : crypto::Aes(session_dek_.view());
  return dek.cbc_encrypt(Bytes(crypto::kAesBlock, 0x00), data);
}

Bytes Scp03Card::decrypt_sensitive_data(ByteView data) const {
  crypto::Aes dek = session_dek_.empty() ? session_dek(keys_, state_, kvn_, data) : crypto::Aes(session_dek_.view());
  return dek.cbc_decrypt(Bytes(crypto::kAesBlock, 0x00), data);
}

std::uint8_t Scp03Card::diversified_security_level() const noexcept {
  if (state_ != State::open) return 0x00;
  const SecureMessaging& engine = saved_ ? *saved_ : *messaging_;
  return static_cast<std::uint8_t>(level::kAuthenticatedBit | engine.security_level());
}

Scp03Card::BroadcastTicket Scp03Card::switch_to_broadcast_after_response(const broadcast::BroadcastKeys& keys,
                                                                         const Scp03Counter& counter,
                                                                         const crypto::Mac16& chaining_value) {
  if (state_ != State::open || saved_ != nullptr || !response_pending_) {
    throw Error(Errc::state_error, "SCP03 card: broadcast mode needs an open diversified session");
  }
  pending_broadcast_ =
      std::make_unique<SecureMessaging>(broadcast::make_broadcast_engine(keys, counter, chaining_value));
  pending_switch_ = PendingSwitch::to_broadcast;
  broadcast_alive_ = std::make_shared<const int>(0);
  return broadcast_alive_;
}

void Scp03Card::switch_back_after_response() {
  if (!in_broadcast_mode() || !response_pending_) {
    throw Error(Errc::state_error, "SCP03 card: not in broadcast mode");
  }
  pending_switch_ = PendingSwitch::to_diversified;
}

void Scp03Card::apply_pending_switch(std::uint16_t response_sw) {
  const PendingSwitch pending = std::exchange(pending_switch_, PendingSwitch::none);
  std::unique_ptr<SecureMessaging> broadcast_engine = std::move(pending_broadcast_);
  if (pending == PendingSwitch::none) return;
  if (response_sw != sw::kOk) {
    if (pending == PendingSwitch::to_broadcast) broadcast_alive_.reset();
    return;
  }
  if (pending == PendingSwitch::to_broadcast) {
    saved_ = std::move(messaging_);
    messaging_ = std::move(broadcast_engine);
    return;
  }
  messaging_ = std::move(saved_);  // restored unchanged; the restore data is gone (single use)
  broadcast_alive_.reset();
}

ResponseApdu Scp03Card::process(const CommandApdu& command, const Application& application) {
  return process(CommandApdu(command), application);
}

bool Scp03Card::is_session_setup(const CommandApdu& header) const {
  return scp11::is_setup_command(header) ||
         (is_initialize_update(header) && !iso7816::has_secure_messaging(header.cla)) ||
         (is_external_authenticate(header) && state_ == State::initialized);
}

ResponseApdu Scp03Card::session_setup(CommandApdu&& command, const Application& application) {
  if (scp11::is_setup_command(command)) {
    terminate();  // a new session setup ends the current one, as INITIALIZE UPDATE does
    return application(command);
  }
  if (is_initialize_update(command)) return initialize_update(command);
  return external_authenticate(command);
}

ResponseApdu Scp03Card::process(CommandApdu&& command, const Application& application) {
  if (is_session_setup(command)) return session_setup(std::move(command), application);
  return process_unwrapped(unwrap(std::move(command)), application);
}

ResponseApdu Scp03Card::process(iso7816::CommandApduView command, const Application& application) {
  // Routed on the header (its data field is empty); the data is copied only for a session setup.
  if (is_session_setup(command.header)) return session_setup(std::move(command).to_command(), application);
  return process_unwrapped(unwrap(std::move(command)), application);
}

ResponseApdu Scp03Card::process_unwrapped(Unwrapped&& unwrapped, const Application& application) {
  if (!unwrapped.command) return ResponseApdu(unwrapped.sw);
  if (is_external_authenticate(*unwrapped.command)) {
    return wrap(ResponseApdu(sw::kConditionsNotSatisfied));  // already authenticated, or no IU
  }
  return wrap(application(*unwrapped.command));
}

Bytes Scp03Card::process(ByteView raw_command, const Application& application) {
  std::string reason;
  auto command = CommandApdu::try_parse_view(raw_command, &reason);
  if (!command) {
    if (state_ == State::open) {
      refuse_and_abort("unparseable APDU in an open session: " + reason);
    }
    last_refusal_ = reason;
    if (state_ == State::aborted) return ResponseApdu(sw::kSecurityStatusNotSatisfied).encode();
    return ResponseApdu(sw::kWrongLength).encode();
  }
  return process(*command, application).encode();
}

}  // namespace sefleet::gp

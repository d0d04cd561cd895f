// The off-card (host) role of SCP03 as a transport-free state machine: it builds the commands to send
// and checks the responses it is given; the caller moves the bytes (PC/SC, TCP, in-process).
//
//   Scp03Host host(keys, options);
//   send(host.initialize_update());                   -> IU response
//   send(host.external_authenticate(iu_response));    -> checks the card cryptogram (and challenge)
//   host.complete(ea_response);                       -> session open
//   send(host.wrap(cmd)); host.unwrap(rsp);           -> any number of times
//
// Any failed check closes the session (state `failed`) and throws Error: protocol_error for a card
// that broke the protocol (bad cryptogram, challenge, length, status word), integrity_error for a bad
// R-MAC or response ciphertext. A new initialize_update() starts over.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/random.hpp"
#include "gp/scp03_types.hpp"
#include "gp/secure_messaging.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp {

struct Scp03HostOptions {
  Scp03Mode mode = Scp03Mode::s8;
  std::uint8_t kvn = 0x00;  // P1 of INITIALIZE UPDATE; 00 lets the card choose
  std::uint8_t security_level = 0x33;
  std::uint8_t channel = 0;  // logical channel 0..19
  // Response padding: strict refuses padding longer than one block (see reference §16).
  crypto::PaddingPolicy response_padding = crypto::PaddingPolicy::strict;
  // When the card returns a sequence counter (pseudo-random challenge), the host recomputes the card
  // challenge with each of these invoking AIDs and refuses the card unless one matches.
  std::vector<Bytes> invoking_aids{isd_aid()};
  bool verify_pseudo_random_challenge = true;
};

// Supplies the static keys once the card's KVN and key diversification data are known (for
// per-card keys from a master key or an HSM). The fixed-key constructor wraps a constant resolver.
using StaticKeyResolver = std::function<StaticKeySet(const InitializeUpdateResponse&)>;

class Scp03Host {
 public:
  enum class State { idle, awaiting_initialize_update, awaiting_external_authenticate, open, failed };

  Scp03Host(StaticKeySet keys, Scp03HostOptions options, crypto::Random& random = crypto::system_random());
  Scp03Host(StaticKeyResolver resolver, Scp03HostOptions options, crypto::Random& random = crypto::system_random());

  // INITIALIZE UPDATE with a fresh random host challenge, or with the given one (tests, replays).
  iso7816::CommandApdu initialize_update();
  iso7816::CommandApdu initialize_update(ByteView host_challenge);

  // Checks the INITIALIZE UPDATE response and returns EXTERNAL AUTHENTICATE.
  iso7816::CommandApdu external_authenticate(const iso7816::ResponseApdu& initialize_update_response);

  // Checks the EXTERNAL AUTHENTICATE response (9000); the session is then open.
  void complete(const iso7816::ResponseApdu& external_authenticate_response);

  // Protects a plain command / checks and decrypts its response (open session only).
  iso7816::CommandApdu wrap(const iso7816::CommandApdu& plain);
  iso7816::ResponseApdu unwrap(const iso7816::ResponseApdu& wire);

  State state() const noexcept { return state_; }
  const Scp03HostOptions& options() const noexcept { return options_; }
  // Available after external_authenticate().
  const InitializeUpdateResponse& card_info() const;
  const SessionKeys& session_keys() const;
  const Bytes& host_challenge() const noexcept { return host_challenge_; }
  const Bytes& sent_host_cryptogram() const noexcept { return host_cryptogram_; }
  // The secure-messaging engine (counter, MCV, ICVs) of the current session.
  SecureMessaging& messaging();

 private:
  [[noreturn]] void fail(Errc code, const std::string& message);
  void require_state(State expected, const char* operation) const;

  StaticKeyResolver resolver_;
  Scp03HostOptions options_;
  crypto::Random& random_;
  State state_ = State::idle;
  Bytes host_challenge_;
  Bytes host_cryptogram_;
  std::optional<InitializeUpdateResponse> card_info_;
  std::optional<SessionKeys> session_keys_;
  std::unique_ptr<SecureMessaging> messaging_;
};

}  // namespace sefleet::gp

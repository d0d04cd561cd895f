// The card (Security Domain) role of SCP03 as a transport-free state machine, one per logical channel.
//
//   idle --IU ok--> initialized --EA ok--> open(level) --security error--> aborted
//   initialized --EA fails--> idle          any IU / terminate() --> idle (keys, MCV, counter wiped)
//
// Decisions (docs/scp03.md explains each):
//  - INITIALIZE UPDATE: 6700 for a host challenge of the wrong length, 6A86 for P2 != 00, 6A88 for an
//    unknown KVN, 6985 when the sequence counter is at FFFFFF; the counter is incremented (durably, by
//    the registry) before the pseudo-random challenge is derived. Any IU terminates the current session.
//  - EXTERNAL AUTHENTICATE: 6700 wrong length, 6A86 a level the "i" parameter cannot run, 6300 wrong
//    host cryptogram, 6982 wrong C-MAC; every failure drops the pending authentication (new challenges
//    are needed, Amd D §5.2). Failed attempts are not counted (no key-set blocking).
//  - Open session: every command must carry the protection of the level, regardless of how CLA is
//    coded. A missing C-MAC, a wrong C-MAC, or a malformed ciphertext or padding gives 6982 and aborts
//    the session; an APDU that does not parse gets 6700 and aborts it too (the host's counter and MCV
//    have moved on). Every later command gets 6982 until a new IU or terminate().
//  - The counter advances for every protected command, with or without data; a command that verified
//    but failed in the application still consumed its counter and MCV (the host has advanced too).
//  - Le may be present or absent; an encrypted empty data field (one 80 00.. block) is accepted as empty.
//  - Responses: minimal padding; no R-MAC and no data on error status words.
//
// Broadcast mode (broadcast-channel.md §5.1-5.3): inside an open session, the application may ask to
// switch to a campaign-wide broadcast context after the current response. The diversified engine
// (S-ENC, S-MAC, S-RMAC, counter, MCV, level) is then kept aside, single use, and commands are
// verified under BK-MAC/BK-ENC at level 03 with S8 MACs. A switch back restores it unchanged. Any end
// of the session (abort, terminate, a new INITIALIZE UPDATE) drops both contexts.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_types.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp {

struct Scp03CardConfig {
  // The "i" parameter: 70 = pseudo-random challenge, R-MAC and R-ENC supported, S8; add 01 for S16.
  std::uint8_t i = 0x70;
  Bytes key_diversification_data = Bytes(kKddSize, 0x00);
  // AID of the application invoking the secure channel (the SD's own AID for its own channel).
  Bytes invoking_aid = isd_aid();
};

class Scp03Card {
 public:
  enum class State { idle, initialized, open, aborted };
  // Gets the plain command; it may take the data field's buffer (the decrypted wire buffer).
  using Application = std::function<iso7816::ResponseApdu(iso7816::CommandApdu&)>;

  // Throws Error(Errc::invalid_argument) for an invalid i, KDD or AID.
  Scp03Card(CardKeyRegistry& keys, Scp03CardConfig config, crypto::Random& random = crypto::system_random());

  // Whole-command processing: routes INITIALIZE UPDATE and EXTERNAL AUTHENTICATE to the protocol,
  // hands the plain SCP11 setup commands (scp11::is_setup_command) to `application` after ending any
  // session (the application may then call open_session()),
  // unwraps every other command of an open session, hands the plain command to `application`, and
  // wraps its response. Without a session, commands pass to the application unchanged.
  // The command given by value is unwrapped in its own buffer (SecureMessaging::unwrap_command).
  iso7816::ResponseApdu process(iso7816::CommandApdu&& command, const Application& application);
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, const Application& application);
  // The command parsed in place (its data field a view into the transport's bytes, which must stay
  // valid for the call): the same, the data field copied only for a command that is not unwrapped
  // (SecureMessaging::unwrap_command of a view decrypts straight into the plain command's buffer).
  iso7816::ResponseApdu process(iso7816::CommandApduView command, const Application& application);
  // Same from wire bytes; an APDU that does not parse gets 6700 (and aborts an open session).
  Bytes process(ByteView raw_command, const Application& application);

  // The protocol steps, for callers that route commands themselves (an ISD).
  iso7816::ResponseApdu initialize_update(const iso7816::CommandApdu& command);
  iso7816::ResponseApdu external_authenticate(const iso7816::CommandApdu& command);
  struct Unwrapped {
    std::optional<iso7816::CommandApdu> command;  // the plain command, or nullopt when refused
    std::uint16_t sw = 0x9000;                    // the refusal status word
    std::string reason;                           // why (for logs; never sent to the host)
  };
  // Open session: verify and decrypt; idle/initialized: pass through; aborted: refuse.
  Unwrapped unwrap(iso7816::CommandApdu&& wire);
  Unwrapped unwrap(const iso7816::CommandApdu& wire);
  Unwrapped unwrap(iso7816::CommandApduView wire);
  // Protects the response to the last unwrapped command (unchanged outside a session).
  iso7816::ResponseApdu wrap(const iso7816::ResponseApdu& plain);
  // The same, taking the plain response's buffer where it goes out unchanged (no R-MAC).
  iso7816::ResponseApdu wrap(iso7816::ResponseApdu&& plain);
  // Opens a session whose keys another protocol agreed (SCP11: the S-ENC/S-MAC/S-RMAC of its key
  // agreement, the receipt as the first MAC chaining value, S8): it then runs through this engine
  // and its rules exactly as an SCP03 session. Any current session ends first. key_version() reports
  // kNoScp03KeySet (no SCP03 key set backs the session), and the sensitive-data calls use `dek`.
  void open_session(const SessionKeys& keys, SecretBytes dek, const crypto::Mac16& first_chaining_value,
                    std::uint8_t security_level);
  static constexpr std::uint8_t kNoScp03KeySet = 0xFF;  // outside 01..7F: names no key set
  // Select, channel close, card reset, API close: the session ends and its keys are wiped.
  void terminate() noexcept;
  // Security error outside the SCP03 checks (e.g. an applet's policy): abort the session.
  void abort() noexcept;

  State state() const noexcept { return state_; }
  // The Current Security Level as the GP API reports it: 80 | level when open, 00 otherwise.
  std::uint8_t current_security_level() const noexcept;
  const Scp03CardConfig& config() const noexcept { return config_; }
  // KVN of the key set the pending or open session was set up with; 00 when idle or aborted. The ISD
  // needs it to decrypt PUT KEY / STORE DATA under that set's static Key-DEK.
  std::uint8_t key_version() const noexcept { return state_ == State::initialized || state_ == State::open ? kvn_ : 0; }
  // The last refusal's reason (diagnostics).
  const std::string& last_refusal() const noexcept { return last_refusal_; }
  // GlobalPlatform Card API SecureChannel.encryptData / decryptData: AES-CBC with a zero ICV and no
  // padding under the static Key-DEK of the open session's key set (SCP03 has no session DEK; it is
  // the key PUT KEY data is encrypted with). Error(state_error) without an open session (or when that
  // key set no longer exists); Error(invalid_argument) for a length that is not a multiple of 16.
  Bytes encrypt_sensitive_data(ByteView data) const;
  Bytes decrypt_sensitive_data(ByteView data) const;
  // Identifies one open session: it expires when that session ends (terminate, abort, a new
  // INITIALIZE UPDATE, destruction). An application that accepts a command sequence only within the
  // session that started it (the ISD's LOAD after INSTALL [for load]) keeps it to check later.
  using SessionTicket = std::weak_ptr<const void>;
  SessionTicket session_ticket() const noexcept { return session_alive_; }  // expired without an open session
  // The engine of the open session, or nullptr (the broadcast engine while in broadcast mode).
  const SecureMessaging* messaging() const noexcept { return messaging_.get(); }

  // --- broadcast mode ----------------------------------------------------------------------------
  // Identifies one broadcast context; it expires when that context ends for any reason (switch back,
  // abort, terminate, a new INITIALIZE UPDATE, destruction). An applet that keeps state about the
  // context (a staging slot) holds it to learn, later, whether the context is still alive.
  using BroadcastTicket = std::weak_ptr<const void>;

  // Schedules the switch to broadcast mode for after the response to the command being processed:
  // that response is still wrapped by the diversified context; if it is 9000, the diversified engine
  // is saved and the broadcast engine starts from `counter` (the value before the first broadcast
  // command) and `chaining_value`. Throws Error(Errc::state_error) outside an open diversified session.
  BroadcastTicket switch_to_broadcast_after_response(const broadcast::BroadcastKeys& keys, const Scp03Counter& counter,
                                                     const crypto::Mac16& chaining_value);
  // Schedules the return to the saved diversified context after the current (9000) response; the
  // restore data is then erased. Throws Error(Errc::state_error) when not in broadcast mode.
  void switch_back_after_response();
  bool in_broadcast_mode() const noexcept { return state_ == State::open && saved_ != nullptr; }
  // The security level of the saved diversified context (broadcast mode), else of the open session.
  std::uint8_t diversified_security_level() const noexcept;

 private:
  // The commands that set a session up rather than travel in one: an SCP11 setup command (passed to
  // the application, ending the current session), INITIALIZE UPDATE without secure messaging, and
  // EXTERNAL AUTHENTICATE after it. Decided on the header alone.
  bool is_session_setup(const iso7816::CommandApdu& header) const;
  iso7816::ResponseApdu session_setup(iso7816::CommandApdu&& command, const Application& application);
  // The plain command's way to the application and its response's wrap (or the refusal).
  iso7816::ResponseApdu process_unwrapped(Unwrapped&& unwrapped, const Application& application);
  template <typename Wire>
  Unwrapped unwrap_any(Wire&& wire);
  iso7816::ResponseApdu refuse_and_abort(const std::string& reason);
  iso7816::ResponseApdu drop_authentication(std::uint16_t sw, const std::string& reason);
  void drop_broadcast() noexcept;
  void apply_pending_switch(std::uint16_t response_sw);

  enum class PendingSwitch { none, to_broadcast, to_diversified };

  CardKeyRegistry& keys_;
  Scp03CardConfig config_;
  crypto::Random& random_;
  State state_ = State::idle;
  Bytes host_challenge_;
  Bytes card_challenge_;
  std::optional<SessionKeys> session_keys_;
  std::unique_ptr<SecureMessaging> messaging_;
  bool response_pending_ = false;  // the last command was unwrapped; its response gets R-MAC
  std::uint8_t kvn_ = 0;           // key set of the pending/open session
  SecretBytes session_dek_;        // the DEK of a session opened by open_session()
  // Broadcast mode: the saved diversified engine (the restore area), the live context's identity,
  // and a switch scheduled for after the current response.
  std::unique_ptr<SecureMessaging> saved_;
  std::shared_ptr<const int> broadcast_alive_;
  std::shared_ptr<const int> session_alive_;  // set while a session is open (session_ticket())
  PendingSwitch pending_switch_ = PendingSwitch::none;
  std::unique_ptr<SecureMessaging> pending_broadcast_;  // the broadcast engine, until the switch
  std::string last_refusal_;
};

bool is_initialize_update(const iso7816::CommandApdu& command) noexcept;
bool is_external_authenticate(const iso7816::CommandApdu& command) noexcept;

}  // namespace sefleet::gp

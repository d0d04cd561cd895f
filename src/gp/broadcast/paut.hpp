// The authorization data set PAUT (broadcast-channel.md §4, §7): the four diversified commands of one
// broadcast flow for one SE and one attempt, computed offline from the SE's static keys, its current
// sequence counter and a host challenge, before the SE is contacted (broadcast-channel.md §4):
//
//   PAUT[0] INITIALIZE UPDATE   80 50 kvn 00 08 <host challenge>
//   PAUT[1] EXTERNAL AUTHENTICATE 84 82 level 00 10 <host cryptogram> <C-MAC>
//   PAUT[2] CHANGE MODE          84 7C 01 00 ..  (C-MAC, C-DECRYPTION)
//   PAUT[3] AUTHORIZE ACTION     84 7E 00 00 .. 00
//
// This works because the card challenge is pseudo-random (i = 70): KDF(K-ENC, counter + 1, AID). For an
// SE whose challenge is random (i = 60), PAUT[1..3] can only be computed once the SE answered PAUT[0]:
// PautInput::card_challenge then carries the challenge of that answer (online SCP03, scp11.md "Online
// authorization"), and everything else is computed as for a PAUT. The
// diversified counter and chaining value of PAUT[3] are those after PAUT[2], since the broadcast
// commands run on their own context and the diversified one is restored unchanged (§7).
//
// Alongside the commands the builder returns a `PautCheck`: the public values the server needs to
// verify the SE's answers once the static keys are derived again (card cryptogram of PAUT[0]'s
// response, R-MAC and R-ENC of PAUT[3]'s response). It holds no key.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "core/bytes.hpp"
#include "crypto/cmac.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/scp03_types.hpp"
#include "gp/secure_messaging.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::broadcast {

struct PautInput {
  // The SE's sequence counter as GET DATA 00C1 reports it now; PAUT[0] makes the SE use counter + 1.
  // With card_challenge: the counter the SE's INITIALIZE UPDATE response carries (0 when it carries
  // none: a random challenge), used as is.
  std::uint32_t sequence_counter = 0;
  Bytes host_challenge;  // 8 bytes (S8) or 16 (S16), fresh per attempt
  // Empty: predicted from the counter (the pseudo-random challenge). Otherwise the card challenge of the
  // SE's answer to PAUT[0], already sent with `host_challenge` (same size).
  Bytes card_challenge;
  std::uint8_t i = 0x70;               // the SE's "i"; without card_challenge it needs the pseudo-random bit
  std::uint8_t security_level = 0x33;  // 13 or 33 (§4)
  Bytes invoking_aid = isd_aid();
  ChangeModeToBroadcast change_mode;
  AuthorizeAction authorize;
};

// What the server keeps per PAUT to verify the report (no secret in it).
struct PautCheck {
  std::uint8_t kvn = 0;
  std::uint8_t i = 0x70;
  std::uint8_t security_level = 0x33;
  std::uint32_t sequence_counter = 0;  // the counter the SE uses for this session (input + 1)
  Bytes host_challenge;
  Bytes card_challenge;                      // predicted, or the SE's (PautInput::card_challenge)
  Scp03Counter authorize_counter{};          // the diversified counter of PAUT[3]
  crypto::Mac16 authorize_chaining_value{};  // the full C-MAC of PAUT[3] (the R-MAC's chain input)
  CampaignId campaign_id{};
};

struct Paut {
  std::array<iso7816::CommandApdu, 4> commands;
  PautCheck check;
};

// Throws Error(Errc::invalid_argument) for an "i" without the pseudo-random challenge (unless the card
// challenge is given), a level other than 13 or 33, a host or card challenge of the wrong length, a
// counter at FFFFFF when the challenge is to be predicted (the SE cannot open another session), or
// messages the encoders refuse.
Paut build_paut(const StaticKeySet& keys, const PautInput& input);

// CHANGE MODE 01 and AUTHORIZE ACTION wrapped by an open session's engine: the last two PAUT
// commands, for any secure channel that runs SCP03's secure messaging (an SCP03 session after
// EXTERNAL AUTHENTICATE, an SCP11 session after the receipt). Also the counter and chaining value the
// R-MAC of AUTHORIZE ACTION's response is checked with (verify_authorize_response).
struct WrappedAuthorization {
  iso7816::CommandApdu change_mode;
  iso7816::CommandApdu authorize;
  Scp03Counter authorize_counter{};
  crypto::Mac16 authorize_chaining_value{};
};

// Throws Error(Errc::invalid_argument) for messages the encoders refuse.
WrappedAuthorization wrap_authorization(SecureMessaging& engine, const ChangeModeToBroadcast& change_mode,
                                        const AuthorizeAction& authorize);

// The outcome of checking an SE's answers against a PautCheck.
struct PautVerdict {
  bool card_authenticated = false;    // the INITIALIZE UPDATE response carries the expected cryptogram
  std::optional<ImageStatus> status;  // the R-MAC-verified status object, when one was returned
  std::uint16_t authorize_sw = 0;     // the status word of the AUTHORIZE ACTION response
};

// Verifies the INITIALIZE UPDATE response (card cryptogram, challenge, counter and KDD-independent
// fields) and, when `authorize_response` is given, its R-MAC/R-ENC and status object. Throws
// Error(Errc::integrity_error) naming what does not verify (a forged or altered answer), and
// Error(Errc::protocol_error) for a malformed one. `keys` are the SE's static keys, derived again.
// Checks AUTHORIZE ACTION's response in the session of `session` keys (mode, level) resumed at the
// counter and chaining value wrap_authorization returned: R-MAC, R-ENC and a status object of
// `campaign_id`. Sets `verdict.authorize_sw`, and `verdict.status` for 9000 and 6300 (the status words
// that carry an authenticated status object). Throws like verify_paut_answers.
void verify_authorize_response(const SessionKeys& session, Scp03Mode mode, std::uint8_t security_level,
                               const Scp03Counter& authorize_counter, const crypto::Mac16& authorize_chaining_value,
                               const CampaignId& campaign_id, const iso7816::ResponseApdu& authorize_response,
                               PautVerdict& verdict);

PautVerdict verify_paut_answers(const StaticKeySet& keys, const PautCheck& check,
                                const iso7816::ResponseApdu& initialize_update_response,
                                const std::optional<iso7816::ResponseApdu>& authorize_response);

}  // namespace sefleet::gp::broadcast

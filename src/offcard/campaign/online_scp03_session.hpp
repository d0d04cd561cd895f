// Online authorization over SCP03 (scp11.md "Online authorization over SCP03"): an SE whose SCP03 key
// set has a random card challenge ("i" without the pseudo-random bit 10) cannot get a PAUT, since
// PAUT[1..3] depend on a challenge nobody knows before the SE answers. The server's HSM role then
// runs the off-card side of SCP03 in two steps around one round trip of the terminal:
//
//   start   INITIALIZE UPDATE with a fresh host challenge (PAUT[0]), and the state the second step
//           needs (SE identity, key set, host challenge).
//   finish  the SE's answer to it: key version, i and KDD checked against the request, the card
//           cryptogram verified under the SE's static keys (derived through the keystore from the
//           master key, as for a PAUT), then EXTERNAL AUTHENTICATE, CHANGE MODE 01 and AUTHORIZE
//           ACTION computed for the answer's card challenge by the PAUT builder (PautIssuer::
//           issue_for_answer): the same commands a PAUT would hold, had the challenge been known.
//   report  as a PAUT's: the PautCheck of finish (no secret) checks the card cryptogram of the
//           reported INITIALIZE UPDATE answer and the R-MAC and status object of AUTHORIZE ACTION's.
//
// The PSE between CHANGE MODE and AUTHORIZE ACTION stays the campaign's broadcast bytes. No I/O; the
// state between the steps is the caller's (online_scp03_state.hpp seals it).
#pragma once

#include <vector>

#include "core/bytes.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/paut.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/online_session.hpp"

namespace sefleet::offcard {

// The session after start. `se`: what the terminal read (SE id, KDD, key version, i); its sequence
// counter is not used (a random challenge does not depend on it).
struct OnlineScp03State {
  SeAuthorizationRequest se;
  Bytes host_challenge;  // 8 bytes (S8) or 16 (S16), as sent in INITIALIZE UPDATE
};

struct OnlineScp03Start {
  std::vector<iso7816::CommandApdu> commands;  // INITIALIZE UPDATE
  OnlineScp03State state;
};

// Refuses (OnlineSessionError, bad_request) what check_se_identity refuses and an "i" without R-MAC
// (the broadcast flow runs at level 13 or 33). The host challenge comes from `random`.
OnlineScp03Start start_online_scp03_session(const SeAuthorizationRequest& request,
                                            crypto::Random& random = crypto::system_random());

struct OnlineScp03Authorization {
  std::vector<iso7816::CommandApdu> session_commands;  // EXTERNAL AUTHENTICATE
  iso7816::CommandApdu change_mode;                    // CHANGE MODE 01, wrapped in the session
  iso7816::CommandApdu authorize;                      // AUTHORIZE ACTION, wrapped in the session
  gp::broadcast::Paut paut;                            // all four commands and the report's PautCheck
};

// Checks the SE's answer to INITIALIZE UPDATE and computes the rest of the session with `issuer`.
// Refuses (OnlineSessionError) a refusal status word (card_refused), a malformed answer or a request
// the issuer refuses (bad_request), and an answer of another key set or with a wrong card cryptogram
// (wrong_cryptogram: not the SE the terminal named, or an altered answer).
OnlineScp03Authorization finish_online_scp03_session(const OnlineScp03State& state,
                                                     const iso7816::ResponseApdu& initialize_update_response,
                                                     const PautIssuer& issuer, gp::broadcast::Action action);

}  // namespace sefleet::offcard

// The server's judgement of one delivery (broadcast-channel.md §7): it believes only
// what it can authenticate. The INITIALIZE UPDATE response must carry this SE's card cryptogram (a
// terminal cannot stand in for an SE) and the AUTHORIZE ACTION status object must carry a valid R-MAC
// (a terminal cannot claim an activation that did not happen). Keys are re-derived through the HSM
// role; the server itself holds none.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/paut.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/online_session.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

enum class DeliveryOutcome {
  activated,             // status 00, authenticated: the new image is active
  verified_kept_staged,  // status 01, authenticated (AUTHORIZE ACTION 02, deferred activation)
  integrity_mismatch,    // status 80, authenticated: the SE discarded the data
  manifest_refused,      // status 81, authenticated: rollback, wrong type or platform
  se_refused,            // an authenticated SE answered an error status word (no status object)
  interrupted,           // the delivery stopped before AUTHORIZE ACTION (power, link, terminal)
  not_authenticated,     // the answers do not come from this SE with this PAUT (forged or altered)
};

std::string_view outcome_name(DeliveryOutcome outcome) noexcept;
// Success is final; everything else but a refused manifest is worth another attempt with a fresh PAUT
// (the server's policy decides how many).
bool outcome_allows_retry(DeliveryOutcome outcome) noexcept;

struct Assessment {
  DeliveryOutcome outcome = DeliveryOutcome::interrupted;
  // True when the SE's card cryptogram in the INITIALIZE UPDATE response verified under this SE's keys
  // and this PAUT's host challenge (and, when a status object came back, its R-MAC too): the terminal
  // did reach this SE with this PAUT. False for everything a terminal could have made up: no INITIALIZE
  // UPDATE response, an error status word instead of one, or answers that do not verify.
  bool authenticated = false;
  std::optional<gp::broadcast::ImageStatus> status;  // only when authenticated
  std::string reason;                                // for the operator's log
};

// Never throws for what the terminal reports: a report that does not verify is `not_authenticated`
// with the reason. Throws only for keystore failures (unknown master key, ...).
Assessment assess_delivery(Keystore& keystore, const KeyRef& master_key, const SeAuthorizationRequest& request,
                           const gp::broadcast::PautCheck& check, const DeliveryReport& report);

// The same for an online authorization: `report.authenticate_response` in place of the INITIALIZE
// UPDATE response (its receipt must be the one the server verified), the status object checked under
// the session keys of `check`.
Assessment assess_online_delivery(const OnlineCheck& check, const DeliveryReport& report);

}  // namespace sefleet::offcard

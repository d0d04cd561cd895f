// SET STATUS (GPCS §11.10) of the card life cycle: P1 = 80, P2 = the target state, data empty or the
// ISD's AID. Allowed transitions: gp::card_life_cycle::is_allowed_transition (6985 otherwise); a P2
// that is no card life cycle state is 6A80. P1 40 locks/unlocks an installed applet instance
// (set_application_status in isd_install.cpp); other P1 are 6A86.
#include <algorithm>

#include "card/isd/isd_command.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {
namespace sw = iso7816::sw;
}

iso7816::ResponseApdu set_status(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  const auto& cmd = call.command;
  if (cmd.p1 == 0x40) return set_application_status(call);  // isd_install.cpp
  if (cmd.p1 != 0x80) throw StatusWordError(sw::kIncorrectP1P2, "SET STATUS: P1 must be 80 (card) or 40 (application)");
  if (!cmd.data.empty() && !std::ranges::equal(cmd.data, call.state.isd_aid())) {
    throw StatusWordError(sw::kWrongData, "SET STATUS: data must be empty or the ISD AID");
  }
  if (!gp::card_life_cycle::is_valid(cmd.p2)) throw StatusWordError(sw::kWrongData, "SET STATUS: not a card state");
  if (!gp::card_life_cycle::is_allowed_transition(call.state.life_cycle(), cmd.p2)) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "SET STATUS: transition not allowed");
  }
  call.state.set_life_cycle(cmd.p2);
  return iso7816::ResponseApdu(sw::kOk);
}

}  // namespace sefleet::card::isd

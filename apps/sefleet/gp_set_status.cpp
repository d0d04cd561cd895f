// sefleet gp set-status: moves the card through its life cycle (SET STATUS, P1 80) inside an SCP03
// session. TERMINATED is irreversible and needs --yes. A refusal says the card's life cycle and the
// transitions it allows (gp/host/refusal_reasons.hpp).
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/hex.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/host/refusal_reasons.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {

void run_gp_set_status(const GpCommonOptions& options, std::uint8_t state) {
  GpConnection connection = connect_gp(options);
  authenticate(connection, options);
  gp::host::set_card_status_explained(*connection.session, state);
  const std::string name = gp::card_life_cycle::name(state);
  if (options.json) {
    std::cout << nlohmann::json{{"reader", connection.card->description()},
                                {"card_life_cycle", name},
                                {"value", to_hex(Bytes{state})}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "card life cycle set to " << name << " (" << to_hex(Bytes{state}) << ")\n";
  }
}

namespace {

struct SetStatusOptions {
  GpCommonOptions common;
  std::string card;
  bool yes = false;
};

void run_set_status(const SetStatusOptions& options) {
  const auto state = gp::card_life_cycle::from_name(options.card);
  if (!state) {
    throw CLI::ValidationError("--card", "'" + options.card +
                                             "' is not a card life cycle state (OP_READY, INITIALIZED, SECURED, "
                                             "CARD_LOCKED, TERMINATED)");
  }
  if (*state == gp::card_life_cycle::kTerminated && !options.yes) {
    throw CLI::ValidationError("--card",
                               "TERMINATED cannot be undone: the card will refuse all management for good; "
                               "add --yes to confirm");
  }
  require_keys(options.common, "SET STATUS");
  run_gp_set_status(options.common, *state);
}

}  // namespace

void setup_gp_set_status(CLI::App& gp) {
  auto options = std::make_shared<SetStatusOptions>();
  auto* cmd = add_command(gp, "set-status", "Set the card life cycle state (SET STATUS)");
  cmd->footer(
      "States: OP_READY, INITIALIZED, SECURED, CARD_LOCKED (reversible: set SECURED again), TERMINATED (final).\n"
      "Example:\n"
      "  sefleet gp set-status --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F --card CARD_LOCKED");
  add_gp_common_options(*cmd, options->common, "33");
  cmd->add_option("--card", options->card, "New card life cycle state")->required();
  cmd->add_flag("--yes", options->yes, "Confirm an irreversible change (TERMINATED)");
  cmd->callback([options] { run_set_status(*options); });
}

}  // namespace sefleet::cli

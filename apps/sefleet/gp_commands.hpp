// The subcommands of `sefleet gp` (each in its own gp_<name>.cpp), attached by cmd_gp.cpp, and what
// they share: opening a GP session on the card from the common options.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "card_connection.hpp"
#include "gp/host/gp_session.hpp"
#include "transport/card_channel.hpp"

namespace sefleet::cli {

struct GpCommonOptions {
  ConnectionOptions connection;
  KeyOptions keys;
  bool json = false;
  bool verbose = false;
};

void add_gp_common_options(CLI::App& command, GpCommonOptions& options, const std::string& default_level);

// A connected card with a GP session on it, the security domain (--aid) selected.
struct GpConnection {
  std::unique_ptr<transport::CardChannel> card;
  std::unique_ptr<gp::host::GpSession> session;
  Bytes atr;
  Bytes fci;
};

// Connects and selects. Key options are validated first so that a usage error never touches the card.
GpConnection connect_gp(const GpCommonOptions& options);
// Opens SCP03 with the key options (which must be present: ValidationError otherwise).
void authenticate(GpConnection& connection, const GpCommonOptions& options);
// {"aid","kvn","i","level","kdd"} of the open channel.
nlohmann::json secure_channel_json(const GpConnection& connection);

void setup_gp_info(CLI::App& gp);
void setup_gp_put_key(CLI::App& gp);
void setup_gp_set_status(CLI::App& gp);
void setup_gp_install(CLI::App& gp);  // gp_install.cpp
void setup_gp_delete(CLI::App& gp);   // gp_install.cpp
void setup_gp_load(CLI::App& gp);     // gp_load.cpp

}  // namespace sefleet::cli

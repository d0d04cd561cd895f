// sefleet gp: GlobalPlatform card management (info, put-key, set-status, load, install, delete), the
// first things a user of GlobalPlatformPro reaches for, as subcommands or in GlobalPlatformPro's
// one-command form (`sefleet gp -l`, gp_gppro.cpp). The protocol lives in src/gp/host; these files
// parse and print.
#include <iostream>

#include "command.hpp"
#include "core/hex.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {

void add_gp_common_options(CLI::App& command, GpCommonOptions& options, const std::string& default_level) {
  add_connection_options(command, options.connection);
  add_key_options(command, options.keys, default_level);
  add_scp11_options(command, options.scp11);
  command.add_flag("--json", options.json, "Print the result as JSON");
  command.add_flag("-v,--verbose,-d,--debug", options.verbose, "Print every APDU on the wire to stderr (>> / <<)");
}

GpConnection connect_gp(const GpCommonOptions& options) {
  const Bytes aid = selected_aid(options.keys);
  GpConnection connection;
  if (options.scp11.chosen()) {
    connection.scp11 = make_scp11_channel_options(options.scp11, options.keys);
  } else if (options.keys.any()) {
    connection.keys = make_key_resolver(options.keys);
    connection.host_options = make_host_options(options.keys);
  }
  connection.card = open_card(options.connection);
  connection.atr = connection.card->atr();
  const bool verbose = options.verbose;
  connection.session =
      std::make_unique<gp::host::GpSession>(make_link(*connection.card, [verbose](ByteView command, ByteView response) {
        if (verbose) std::cerr << ">> " << to_hex(command) << "\n<< " << to_hex(response) << "\n";
      }));
  connection.fci = connection.session->select(aid);
  return connection;
}

void authenticate(GpConnection& connection, const GpCommonOptions& options) {
  if (connection.scp11) {
    connection.session->open_scp11_channel(*connection.scp11);
    return;
  }
  if (!connection.keys) require_keys(options, "this command");
  connection.session->open_secure_channel(*connection.keys, connection.host_options);
}

void require_keys(const GpCommonOptions& options, const std::string& what) {
  if (!options.keys.any() && !options.scp11.chosen()) {
    throw CLI::ValidationError("keys", what +
                                           " needs an SCP03 session (--key, --enc/--mac/--dek, --kdf3, --key-file "
                                           "or $SEFLEET_KEY; --key default for a card on the test key) or an SCP11 "
                                           "session (--scp 11a|11b|11c)");
  }
}

nlohmann::json secure_channel_json(const GpConnection& connection) {
  if (connection.scp11) {
    nlohmann::json json = scp11_channel_json(*connection.scp11, connection.session->scp11_channel().card_key());
    json["aid"] = to_hex(connection.session->selected_aid());
    return json;
  }
  const auto& channel = connection.session->channel();
  const auto& info = channel.host().card_info();
  return {{"aid", to_hex(connection.session->selected_aid())},
          {"kvn", to_hex(Bytes{info.kvn})},
          {"i", to_hex(Bytes{info.i})},
          {"level", to_hex(Bytes{channel.host().options().security_level})},
          {"kdd", to_hex(info.key_diversification_data)}};
}

namespace {

const RegisterCommand gp_registration{
    "gp", [](CLI::App& root) {
      auto* gp =
          add_command(root, "gp", "GlobalPlatform card management: info, put-key, set-status, load, install, delete");
      gp->require_subcommand(0, 1);
      setup_gp_info(*gp);
      setup_gp_put_key(*gp);
      setup_gp_set_status(*gp);
      setup_gp_load(*gp);
      setup_gp_install(*gp);
      setup_gp_delete(*gp);
      // After the subcommands: the one-command form refuses its options in front of a subcommand.
      setup_gp_gppro(*gp);
    }};

}  // namespace
}  // namespace sefleet::cli

// sefleet gp: GlobalPlatform card management (info, put-key, set-status, load, install, delete), the
// first things a user of GlobalPlatformPro reaches for. The protocol lives in src/gp/host; these files parse and print.
#include <iostream>

#include "command.hpp"
#include "core/hex.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {

void add_gp_common_options(CLI::App& command, GpCommonOptions& options, const std::string& default_level) {
  add_connection_options(command, options.connection);
  add_key_options(command, options.keys, default_level);
  command.add_flag("--json", options.json, "Print the result as JSON");
  command.add_flag("-v,--verbose", options.verbose, "Print every APDU on the wire to stderr (>> / <<)");
}

GpConnection connect_gp(const GpCommonOptions& options) {
  const Bytes aid = selected_aid(options.keys);
  if (options.keys.any()) {
    make_key_resolver(options.keys);
    make_host_options(options.keys);
  }
  GpConnection connection;
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
  connection.session->open_secure_channel(make_key_resolver(options.keys), make_host_options(options.keys));
}

nlohmann::json secure_channel_json(const GpConnection& connection) {
  const auto& channel = connection.session->channel();
  const auto& info = channel.host().card_info();
  return {{"aid", to_hex(connection.session->selected_aid())},
          {"kvn", to_hex(Bytes{info.kvn})},
          {"i", to_hex(Bytes{info.i})},
          {"level", to_hex(Bytes{channel.host().options().security_level})},
          {"kdd", to_hex(info.key_diversification_data)}};
}

namespace {

const RegisterCommand registration{
    "gp", [](CLI::App& root) {
      auto* gp =
          root.add_subcommand("gp", "GlobalPlatform card management: info, put-key, set-status, load, install, delete");
      gp->require_subcommand(1);
      setup_gp_info(*gp);
      setup_gp_put_key(*gp);
      setup_gp_set_status(*gp);
      setup_gp_load(*gp);
      setup_gp_install(*gp);
      setup_gp_delete(*gp);
    }};

}  // namespace
}  // namespace sefleet::cli

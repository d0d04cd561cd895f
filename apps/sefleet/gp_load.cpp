// sefleet gp load: puts a Java Card load file (`.sfjc`, from `sefleet javacard pack`) on the card:
// INSTALL [for load] with the package AID read from the file, then the LOAD blocks, inside an SCP03
// session. The file is decoded here first, so a damaged file never reaches the card.
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "card/javacard/loadfile/load_file.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "file_input.hpp"
#include "gp/host/load.hpp"
#include "gp_commands.hpp"
#include "java_class_names.hpp"

namespace sefleet::cli {
namespace {

struct LoadOptions {
  GpCommonOptions common;
  std::string file;
  std::size_t block_size = gp::host::kMaxLoadBlockSize;
  bool hash = false;
};

void run_load(const LoadOptions& o) {
  require_keys(o.common, "LOAD");
  const Bytes bytes = read_whole_file(o.file, "the load file");
  card::javacard::LoadFile load_file;
  try {
    load_file = card::javacard::decode_load_file(bytes);
  } catch (const card::javacard::LoadError& e) {
    throw Error(Errc::parse_error, o.file + ": " + e.what());
  }
  gp::host::InstallForLoadRequest request;
  request.load_file_aid = load_file.package_aid;
  request.security_domain_aid = selected_aid(o.common.keys);
  if (o.hash) {
    const crypto::Digest256 digest = crypto::sha256(bytes);
    request.data_block_hash.assign(digest.begin(), digest.end());
  }
  GpConnection connection = connect_gp(o.common);
  authenticate(connection, o.common);
  const gp::host::LoadSummary summary = gp::host::load(*connection.session, request, bytes, o.block_size);

  const std::string package = dotted_class_name(load_file.package_name);
  const std::string version = std::to_string(load_file.major_version) + "." + std::to_string(load_file.minor_version);
  if (o.common.json) {
    nlohmann::json applets = nlohmann::json::array();
    for (const auto& applet : load_file.applets) {
      applets.push_back({{"class", dotted_class_name(applet.class_name)}, {"aid", to_hex(applet.aid)}});
    }
    std::cout << nlohmann::json{{"reader", connection.card->description()},
                                {"secure_channel", secure_channel_json(connection)},
                                {"package", package},
                                {"package_aid", to_hex(load_file.package_aid)},
                                {"version", version},
                                {"applets", applets},
                                {"bytes", bytes.size()},
                                {"blocks", summary.blocks},
                                {"block_size", summary.block_size}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << "loaded " << package << " " << version << " as " << to_hex(load_file.package_aid) << " ("
              << bytes.size() << " bytes in " << summary.blocks << " LOAD blocks)\n";
    for (const auto& applet : load_file.applets) {
      std::cout << "  applet " << dotted_class_name(applet.class_name) << " " << to_hex(applet.aid) << "\n";
    }
  }
}

}  // namespace

void setup_gp_load(CLI::App& gp) {
  auto options = std::make_shared<LoadOptions>();
  auto* cmd = add_command(gp, "load", "Load a Java Card load file (.sfjc) onto the card (INSTALL [for load] + LOAD)");
  cmd->footer(
      "The load file AID is the package AID recorded in the file (`sefleet javacard pack --package-aid`); the\n"
      "load file is associated with the security domain of --aid. Then `sefleet gp install --package ... --applet "
      "...`.\n"
      "Example:\n"
      "  sefleet gp load --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F hello.sfjc");
  add_gp_common_options(*cmd, options->common, "33");
  cmd->add_option("file", options->file, "The load file (.sfjc)")->required();
  cmd->add_option("--block-size", options->block_size, "Data bytes per LOAD command")
      ->check(CLI::Range(std::size_t{1}, gp::host::kMaxLoadBlockSize))
      ->capture_default_str();
  cmd->add_flag("--hash", options->hash, "Send the load file's SHA-256 in INSTALL [for load]; the card checks it");
  cmd->callback([options] { run_load(*options); });
}

}  // namespace sefleet::cli

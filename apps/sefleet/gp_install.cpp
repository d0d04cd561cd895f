// sefleet gp install / gp delete: card content management. INSTALL [for install and make selectable]
// (or [for install] with --no-selectable, or [for make selectable] of an installed instance with
// --make-selectable) of a module of a load file on the card: a built-in one (`sefleet card applets`)
// or a Java Card package loaded with `sefleet gp load` (--package/--applet are GlobalPlatformPro's
// names for --load-file/--module). DELETE of an instance or a load file, inside an SCP03 session.
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/install.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {

Bytes aid_option(const std::string& text, const std::string& option) {
  Bytes aid;
  try {
    aid = from_hex(text);
  } catch (const Error& e) {
    throw CLI::ValidationError(option, e.what());
  }
  if (aid.size() < 5 || aid.size() > 16) {
    throw CLI::ValidationError(option, "an AID has 5 to 16 bytes, got " + std::to_string(aid.size()));
  }
  return aid;
}

namespace {

Bytes hex_option(const std::string& text, const std::string& option) {
  try {
    return from_hex(text);
  } catch (const Error& e) {
    throw CLI::ValidationError(option, e.what());
  }
}

// Sends a content management command; the card's refusal becomes CardRefusal naming the status word.
void send_checked(GpConnection& connection, const iso7816::CommandApdu& command, const char* what) {
  const auto response = connection.session->transmit(command);
  if (!response.ok()) throw gp::host::CardRefusal(what, response.sw);
}

struct InstallOptions {
  GpCommonOptions common;
  std::string load_file, module, instance, privileges = "00", params;
  bool no_selectable = false;
  bool make_selectable = false;
};

void run_install(const InstallOptions& o) {
  require_keys(o.common, "INSTALL");
  const Bytes instance = aid_option(o.instance, "--instance");
  const Bytes privileges = hex_option(o.privileges, "--privileges");
  if (privileges.size() != 1 && privileges.size() != 3) {
    throw CLI::ValidationError("--privileges", "privileges are 1 or 3 bytes (GP Table 11-7)");
  }
  iso7816::CommandApdu command;
  if (o.make_selectable) {
    if (!o.load_file.empty() || !o.module.empty() || !o.params.empty() || o.no_selectable) {
      throw CLI::ValidationError("--make-selectable", "takes only --instance (and --privileges)");
    }
    command = gp::host::make_install_for_make_selectable(instance, privileges);
  } else {
    if (o.load_file.empty() || o.module.empty()) {
      throw CLI::ValidationError("--package", "INSTALL needs --package/--load-file and --applet/--module");
    }
    gp::host::InstallRequest request;
    request.load_file_aid = aid_option(o.load_file, "--package");
    request.module_aid = aid_option(o.module, "--applet");
    request.application_aid = instance;
    request.privileges = privileges;
    request.parameters = hex_option(o.params, "--params");
    if (request.parameters.size() > 127) throw CLI::ValidationError("--params", "at most 127 bytes");
    request.make_selectable = !o.no_selectable;
    command = gp::host::make_install(request);
  }
  GpConnection connection = connect_gp(o.common);
  authenticate(connection, o.common);
  send_checked(connection, command, "INSTALL");
  const std::string state = o.make_selectable || !o.no_selectable ? "SELECTABLE" : "INSTALLED";
  if (o.common.json) {
    std::cout << nlohmann::json{{"reader", connection.card->description()},
                                {"secure_channel", secure_channel_json(connection)},
                                {"instance", to_hex(instance)},
                                {"load_file", o.load_file.empty() ? "" : to_hex(from_hex(o.load_file))},
                                {"module", o.module.empty() ? "" : to_hex(from_hex(o.module))},
                                {"privileges", to_hex(privileges)},
                                {"life_cycle", state}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << (o.make_selectable ? "made " : "installed ") << to_hex(instance) << " (" << state << ")\n";
  }
}

struct DeleteOptions {
  GpCommonOptions common;
  std::string aid;       // positional
  std::string instance;  // --instance, the older spelling
  bool related = false;
};

void run_delete(const DeleteOptions& o) {
  if (o.aid.empty() == o.instance.empty()) {
    throw CLI::ValidationError("AID", "give the AID to delete once: as the argument or with --instance");
  }
  require_keys(o.common, "DELETE");
  const Bytes aid = o.aid.empty() ? aid_option(o.instance, "--instance") : aid_option(o.aid, "AID");
  run_gp_delete(o.common, aid, o.related);
}

}  // namespace

void run_gp_delete(const GpCommonOptions& options, const Bytes& aid, bool related) {
  GpConnection connection = connect_gp(options);
  authenticate(connection, options);
  send_checked(connection, gp::host::make_delete_aid(aid, related), "DELETE");
  if (options.json) {
    std::cout << nlohmann::json{{"reader", connection.card->description()}, {"deleted", to_hex(aid)}}.dump(2) << "\n";
  } else {
    std::cout << "deleted " << to_hex(aid) << "\n";
  }
}

void setup_gp_install(CLI::App& gp) {
  auto options = std::make_shared<InstallOptions>();
  auto* cmd = add_command(gp, "install", "Install an applet instance from a load file on the card (INSTALL)");
  cmd->footer(
      "--aid selects the security domain (as for every gp command); the new instance is --instance.\n"
      "Examples:\n"
      "  sefleet gp install --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F \\\n"
      "      --load-file F053460001 --module F05346000101 --instance F0534600010101 --params 00000010\n"
      "  sefleet gp install --tcp 127.0.0.1:9025 --key KEYHEX \\\n"
      "      --package A0000001510001 --applet A000000151000101 --instance A000000151000101 --params 0102\n"
      "  sefleet gp install --reader 0 --key KEYHEX --make-selectable --instance F0534600010101");
  add_gp_common_options(*cmd, options->common, "33");
  cmd->add_option("--package,--pkg,--load-file", options->load_file,
                  "Executable load file AID (hex): a Java package's AID");
  cmd->add_option("--applet,--module", options->module, "Executable module AID (hex): a Java applet class's AID");
  cmd->add_option("--instance", options->instance, "AID of the new application instance (hex)")->required();
  cmd->add_option("--privileges,--privs", options->privileges, "Privileges (hex, 1 or 3 bytes)")->capture_default_str();
  cmd->add_option("--params", options->params,
                  "Application install parameters: the value of tag C9 (hex); a Java applet's install() gets it as its "
                  "application data");
  cmd->add_flag("--no-selectable", options->no_selectable, "[for install] only: the instance stays INSTALLED");
  cmd->add_flag("--make-selectable", options->make_selectable, "[for make selectable] of an INSTALLED instance");
  cmd->callback([options] { run_install(*options); });
}

void setup_gp_delete(CLI::App& gp) {
  auto options = std::make_shared<DeleteOptions>();
  auto* cmd = add_command(gp, "delete", "Delete an applet instance and its data, or a loaded load file (DELETE)");
  cmd->footer(
      "A load file with instances is refused unless --related deletes them with it.\n"
      "Examples:\n"
      "  sefleet gp delete --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F F0534600010101\n"
      "  sefleet gp delete --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F --related A0000001510001");
  add_gp_common_options(*cmd, options->common, "33");
  cmd->add_option("aid", options->aid, "AID of the application or load file to delete (hex)");
  cmd->add_option("--instance", options->instance, "Same as the AID argument (hex)");
  cmd->add_flag("--related", options->related,
                "Delete the object and its related objects (P2 80): a load file's instances");
  cmd->callback([options] { run_delete(*options); });
}

}  // namespace sefleet::cli

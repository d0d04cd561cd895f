// sefleet admin: the operator's tool for a running management server — campaigns, terminal tokens and
// devices through the admin API (docs/api.md), with --json on every command for scripts.
//
//   sefleet admin campaign upload|list|show|pause|resume|cancel|activate|watch ...
//   sefleet admin token create|list|revoke ...
//   sefleet admin device list|show|release ...
//
// Every command takes --server URL [--cacert FILE] and the admin token from --token-file FILE (mode 0600)
// or $SEFLEET_ADMIN_TOKEN. Exit status: 0 done, 1 refused by the server or unreachable, 2 usage error.
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <utility>

#include "admin_commands.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "offcard/api/json_reader.hpp"
#include "offcard/terminal/token_file.hpp"

namespace sefleet::cli {

namespace {

// A CLI check from one of the client's normalizers: the value is rewritten in lower case, or the
// normalizer's message becomes the usage error.
CLI::Validator normalizing_check(std::string (*normalize)(std::string_view), const std::string& name) {
  return CLI::Validator(
      [normalize](std::string& value) {
        try {
          value = normalize(value);
          return std::string();
        } catch (const Error& e) {
          return std::string(e.what());
        }
      },
      name);
}

std::string campaign_id_of(std::string_view text) {
  return offcard::admin::campaign_id(text);
}
std::string se_id_part_of(std::string_view text) {
  return offcard::api::se_id_part(text, "--search");
}

}  // namespace

CLI::Validator campaign_id_check() {
  return normalizing_check(&campaign_id_of, "CAMPAIGN_ID");
}
CLI::Validator se_id_check() {
  return normalizing_check(&offcard::admin::se_id, "SE_ID");
}
CLI::Validator se_id_part_check() {
  return normalizing_check(&se_id_part_of, "HEX");
}

void add_admin_options(CLI::App& command, AdminOptions& options) {
  command.add_option("--server", options.server, "Management server URL (http://HOST:PORT or https://HOST:PORT)")
      ->required();
  command
      .add_option("--cacert", options.cacert,
                  "https: PEM file of the CA that signed the server's certificate (default: the system's trust store)")
      ->check(CLI::ExistingFile);
  command.add_option(
      "--token-file", options.token_file,
      std::string("File whose first line is the admin token (mode 0600); default $") + kAdminTokenEnvironmentVariable);
  // Hidden: a token on the command line is readable by every user of the machine (ps). Refused with the way out.
  command.add_option("--token", options.token_on_command_line)->group("");
  command.add_flag("--json", options.json, "Print the server's answer as JSON");
}

offcard::admin::AdminClient connect_admin(const AdminOptions& options) {
  if (!options.token_on_command_line.empty()) {
    throw CLI::ValidationError("--token", std::string("a token on the command line is visible to every user of this "
                                                      "machine; put it in a file only you can read and give "
                                                      "--token-file FILE (chmod 600 FILE), or set $") +
                                              kAdminTokenEnvironmentVariable);
  }
  offcard::terminal::SessionOptions session;
  session.base_url = options.server;
  if (!options.cacert.empty()) session.ca_file = options.cacert;
  if (!options.token_file.empty()) {
    session.token = offcard::terminal::read_token_file(options.token_file);
  } else if (const char* token = std::getenv(kAdminTokenEnvironmentVariable); token != nullptr && *token != '\0') {
    session.token = token;
  } else {
    throw CLI::ValidationError("--token-file", std::string("no admin token: give --token-file FILE (mode 0600) or "
                                                           "set $") +
                                                   kAdminTokenEnvironmentVariable);
  }
  // No automatic retry: an upload or a release must not be sent twice because an answer was lost; the
  // operator sees the error and decides.
  session.retry.max_attempts = 1;
  return offcard::admin::AdminClient(std::move(session));
}

namespace {

const RegisterCommand admin_registration{
    "admin", [](CLI::App& root) {
      auto* admin = add_command(root, "admin", "Operate a running management server: campaigns, tokens, devices");
      admin->require_subcommand(1);
      admin->footer(std::string("The admin token comes from --token-file FILE (mode 0600) or $") +
                    kAdminTokenEnvironmentVariable + ", never from the command line.");
      setup_admin_campaign(*admin);
      setup_admin_token(*admin);
      setup_admin_device(*admin);
    }};

}  // namespace
}  // namespace sefleet::cli

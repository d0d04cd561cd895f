// The subcommands of `sefleet admin` (admin_campaign.cpp, admin_token.cpp, admin_device.cpp), attached by
// cmd_admin.cpp, and what they share: the server connection with the admin token, and the output form.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "offcard/admin/admin_client.hpp"

namespace sefleet::cli {

inline constexpr const char* kAdminTokenEnvironmentVariable = "SEFLEET_ADMIN_TOKEN";

struct AdminOptions {
  std::string server;
  std::string cacert;
  std::string token_file;
  std::string token_on_command_line;  // refused: only here to say what to use instead
  bool json = false;
};

// Option checks that turn a malformed id into a usage error (exit 2) and normalize it to lower case.
CLI::Validator campaign_id_check();
CLI::Validator se_id_check();
CLI::Validator se_id_part_check();  // hex digits an SE id contains (device list --search)

// --server, --cacert, --token-file, --json (and the refused --token) on one admin subcommand.
void add_admin_options(CLI::App& command, AdminOptions& options);
// The client for these options: the token from --token-file (0600) or $SEFLEET_ADMIN_TOKEN.
offcard::admin::AdminClient connect_admin(const AdminOptions& options);

void setup_admin_campaign(CLI::App& admin);  // admin_campaign.cpp
void setup_admin_token(CLI::App& admin);     // admin_token.cpp
void setup_admin_device(CLI::App& admin);    // admin_device.cpp

}  // namespace sefleet::cli

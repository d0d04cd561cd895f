// The subcommands of `sefleet gp` (each in its own gp_<name>.cpp), attached by cmd_gp.cpp, and what
// they share: opening a GP session on the card from the common options, and the actions that
// GlobalPlatformPro's one-command form (`sefleet gp -l`, gp_gppro.cpp) runs as well.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "card_connection.hpp"
#include "core/secret.hpp"
#include "gp/host/gp_session.hpp"
#include "gp/host/put_key.hpp"
#include "gp/scp03_host.hpp"
#include "scp11_options.hpp"
#include "transport/card_channel.hpp"

namespace sefleet::cli {

struct GpCommonOptions {
  ConnectionOptions connection;
  KeyOptions keys;
  Scp11Options scp11;
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
  std::optional<gp::StaticKeyResolver> keys;  // from the key options, when any was given
  gp::Scp03HostOptions host_options;
  std::optional<gp::host::Scp11ChannelOptions> scp11;  // --scp 11a|11b|11c, checked before the card is touched

  bool has_credentials() const { return keys.has_value() || scp11.has_value(); }
};

// Connects and selects. Key options are validated first so that a usage error never touches the card.
GpConnection connect_gp(const GpCommonOptions& options);
// Opens SCP03 with the key options, or SCP11 with --scp 11x (one must be given: ValidationError otherwise).
void authenticate(GpConnection& connection, const GpCommonOptions& options);
// ValidationError (exit 2) naming `what` when no key option is given.
void require_keys(const GpCommonOptions& options, const std::string& what);
// {"aid","kvn","i","level","kdd"} of the open SCP03 channel, or {"aid","scp","kvn","key_length","card_key"}.
nlohmann::json secure_channel_json(const GpConnection& connection);

// The actions, shared by the subcommands and the GlobalPlatformPro form.
// Card data, and the registry with keys (`registry_only`: the registry alone, keys required).
void run_gp_info(const GpCommonOptions& options, bool registry_only);
// PUT KEY of `request`; `replace_current`: replace the key version the session was opened with
// (GlobalPlatformPro's --lock/--unlock), whatever request.replace_kvn says.
void run_gp_put_key(const GpCommonOptions& options, gp::host::PutKeyRequest request, bool replace_current = false);
void run_gp_set_status(const GpCommonOptions& options, std::uint8_t state);
void run_gp_delete(const GpCommonOptions& options, const Bytes& aid, bool related);

// Hex text of a new key (for --new-key, --lock ...): ValidationError naming `option` for bad hex.
SecretBytes new_key_from_hex(const std::string& text, const std::string& option);
// An AID option (5..16 bytes of hex): ValidationError naming `option` otherwise.
Bytes aid_option(const std::string& text, const std::string& option);

// SCP11 key management actions of the one-command form (gp_scp11_keys.cpp).
struct Scp11KeyActions {
  std::vector<std::string> put_sd_key;  // KID/KVN FILE
  std::string new_sd_key;               // KID/KVN
  std::vector<std::string> put_ca_key;  // KID/KVN FILE|HEX
  bool replace = false;
  std::string delete_key;                    // KID/KVN, KID or /KVN
  std::vector<std::string> store_certs;      // KID/KVN FILE...
  std::vector<std::string> allowlist;        // KID/KVN SERIAL...|none
  std::vector<std::string> store_ca_issuer;  // KID/KVN HEX
  bool list_keys = false;
};
void add_scp11_key_actions(CLI::App& gp, Scp11KeyActions& actions);
// Each action's option name and whether it was given (for the one-action-at-a-time check).
std::vector<std::pair<const char*, bool>> scp11_key_action_names(const Scp11KeyActions& actions);
// Runs the one action given (ValidationError for a usage error, before the card is touched).
void run_scp11_key_action(const GpCommonOptions& options, const Scp11KeyActions& actions);

void setup_gp_gppro(CLI::App& gp);  // gp_gppro.cpp: `sefleet gp -l`, `gp --lock KEY` ...
void setup_gp_info(CLI::App& gp);
void setup_gp_put_key(CLI::App& gp);
void setup_gp_set_status(CLI::App& gp);
void setup_gp_install(CLI::App& gp);  // gp_install.cpp
void setup_gp_delete(CLI::App& gp);   // gp_install.cpp
void setup_gp_load(CLI::App& gp);     // gp_load.cpp

}  // namespace sefleet::cli

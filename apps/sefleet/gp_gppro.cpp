// GlobalPlatformPro's one-command form of `sefleet gp`: the action is an option of `gp` itself, as
// `gp` users type it (`sefleet gp -l --key default --tcp ...`, `sefleet gp --lock KEY ...`). Each
// action runs the same code as the matching subcommand (run_gp_* in gp_commands.hpp); only the
// spelling differs. One action per invocation; its options go before no subcommand (a subcommand
// takes its own options after its name, so an option in front of one would silently not apply).
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {
namespace {

struct GpProOptions {
  GpCommonOptions common;
  bool info = false;
  bool list = false;
  std::string delete_aid;
  bool force = false;  // --delete: with its related objects
  std::string lock, lock_enc, lock_mac, lock_dek;
  bool unlock = false;
  std::string put_key, replace_key;
  std::string new_keyver;
  bool lock_card = false, unlock_card = false, secure_card = false, initialize_card = false;
  Scp11KeyActions scp11_keys;
};

// The new key set of --lock/--lock-enc.../--unlock/--put-key/--replace-key, version `kvn` (0: the
// version of the set it replaces, known once the session is open).
gp::host::PutKeyRequest key_request(const GpProOptions& o, std::uint8_t kvn) {
  gp::host::PutKeyRequest request;
  const bool split = !o.lock_enc.empty() || !o.lock_mac.empty() || !o.lock_dek.empty();
  if (split) {
    if (o.lock_enc.empty() || o.lock_mac.empty() || o.lock_dek.empty()) {
      throw CLI::ValidationError("--lock-enc", "--lock-enc, --lock-mac and --lock-dek go together");
    }
    request.new_keys =
        gp::StaticKeySet(kvn, new_key_from_hex(o.lock_enc, "--lock-enc"), new_key_from_hex(o.lock_mac, "--lock-mac"),
                         new_key_from_hex(o.lock_dek, "--lock-dek"));
  } else {
    SecretBytes key;
    if (o.unlock) {
      std::cerr << "sefleet: warning: --unlock puts the GlobalPlatform test key 404142434445464748494A4B4C4D4E4F on "
                   "the card, known to everyone\n";
      key = SecretBytes(default_test_key());
    } else {
      const std::string& text = !o.lock.empty() ? o.lock : !o.put_key.empty() ? o.put_key : o.replace_key;
      const char* option = !o.lock.empty() ? "--lock" : !o.put_key.empty() ? "--put-key" : "--replace-key";
      key = new_key_from_hex(text, option);
    }
    request.new_keys = gp::StaticKeySet(kvn, key, key, key);
  }
  return request;
}

std::uint8_t new_key_version(const GpProOptions& o, bool required) {
  if (o.new_keyver.empty()) {
    if (required) throw CLI::ValidationError("--new-keyver", "--put-key and --replace-key need --new-keyver (hex)");
    return 0;
  }
  const std::uint8_t kvn = parse_hex_byte(o.new_keyver, "--new-keyver");
  if (kvn == 0 || kvn > 0x7F) throw CLI::ValidationError("--new-keyver", "a new key version is 01..7F");
  return kvn;
}

void run(const GpProOptions& o) {
  const bool lock = !o.lock.empty() || !o.lock_enc.empty() || !o.lock_mac.empty() || !o.lock_dek.empty();
  std::vector<std::pair<const char*, bool>> actions{{"-i/--info", o.info},
                                                    {"-l/--list", o.list},
                                                    {"--delete", !o.delete_aid.empty()},
                                                    {"--lock", lock},
                                                    {"--unlock", o.unlock},
                                                    {"--put-key", !o.put_key.empty()},
                                                    {"--replace-key", !o.replace_key.empty()},
                                                    {"--lock-card", o.lock_card},
                                                    {"--unlock-card", o.unlock_card},
                                                    {"--secure-card", o.secure_card},
                                                    {"--initialize-card", o.initialize_card}};
  bool scp11_key_action = false;
  for (const auto& action : scp11_key_action_names(o.scp11_keys)) {
    actions.push_back(action);
    scp11_key_action = scp11_key_action || action.second;
  }
  std::vector<std::string> given;
  for (const auto& [name, set] : actions) {
    if (set) given.emplace_back(name);
  }
  if (given.empty()) {
    throw CLI::ValidationError("gp",
                               "give a subcommand (info, put-key, set-status, load, install, delete) or an "
                               "action (-i, -l, --delete AID, --lock KEY, --unlock, --put-key KEY, "
                               "--lock-card ...); see sefleet gp --help");
  }
  if (given.size() > 1) {
    throw CLI::ValidationError("gp", "one action at a time: " + given[0] + " and " + given[1] + " were given");
  }
  if (o.force && o.delete_aid.empty()) throw CLI::ValidationError("-f", "--force goes with --delete");
  if (!o.new_keyver.empty() && !(lock || o.unlock || !o.put_key.empty() || !o.replace_key.empty())) {
    throw CLI::ValidationError("--new-keyver", "goes with --lock, --unlock, --put-key or --replace-key");
  }

  if (scp11_key_action) {
    run_scp11_key_action(o.common, o.scp11_keys);
  } else if (o.info || o.list) {
    run_gp_info(o.common, o.list);
  } else if (!o.delete_aid.empty()) {
    const Bytes aid = aid_option(o.delete_aid, "--delete");
    require_keys(o.common, "DELETE");
    run_gp_delete(o.common, aid, o.force);
  } else if (lock || o.unlock) {
    auto request = key_request(o, new_key_version(o, false));
    require_keys(o.common, "PUT KEY");
    run_gp_put_key(o.common, std::move(request), true);
  } else if (!o.put_key.empty() || !o.replace_key.empty()) {
    const std::uint8_t kvn = new_key_version(o, true);
    auto request = key_request(o, kvn);
    request.replace_kvn = o.replace_key.empty() ? 0 : kvn;
    require_keys(o.common, "PUT KEY");
    run_gp_put_key(o.common, std::move(request));
  } else {
    namespace lc = gp::card_life_cycle;
    std::uint8_t state = lc::kInitialized;
    if (o.lock_card) state = lc::kCardLocked;
    if (o.unlock_card || o.secure_card) state = lc::kSecured;
    require_keys(o.common, "SET STATUS");
    run_gp_set_status(o.common, state);
  }
}

// The names of the options of `gp` itself that were given (an option in front of a subcommand).
std::vector<std::string> given_options(const CLI::App& gp) {
  std::vector<std::string> out;
  for (const CLI::Option* option : gp.get_options()) {
    if (option->count() > 0 && option != gp.get_help_ptr()) out.push_back(option->get_name());
  }
  return out;
}

}  // namespace

void setup_gp_gppro(CLI::App& gp) {
  auto o = std::make_shared<GpProOptions>();
  add_gp_common_options(gp, o->common, "33");
  gp.add_flag("-i,--info", o->info, "GlobalPlatformPro form: what `gp info` shows");
  gp.add_flag("-l,--list", o->list, "GlobalPlatformPro form: the registry (GET STATUS; needs keys)");
  gp.add_option("--delete", o->delete_aid, "GlobalPlatformPro form: DELETE this AID (as `gp delete AID`)");
  gp.add_flag("-f,--force", o->force, "With --delete: delete the related objects too (a load file's instances)");
  gp.add_option("--lock", o->lock,
                "GlobalPlatformPro form: replace the key set the session opened with by this key (hex) as ENC, MAC "
                "and DEK (same version unless --new-keyver)");
  gp.add_option("--lock-enc", o->lock_enc, "With --lock-mac and --lock-dek: --lock with three keys (hex)");
  gp.add_option("--lock-mac", o->lock_mac, "New Key-MAC for --lock-enc (hex)");
  gp.add_option("--lock-dek", o->lock_dek, "New Key-DEK for --lock-enc (hex)");
  gp.add_flag("--unlock", o->unlock,
              "GlobalPlatformPro form: replace the key set the session opened with by the GP test key (warns)");
  gp.add_option("--put-key", o->put_key, "GlobalPlatformPro form: add key set --new-keyver with this key (hex)");
  gp.add_option("--replace-key", o->replace_key,
                "GlobalPlatformPro form: replace key set --new-keyver with this key (hex)");
  gp.add_option("--new-keyver", o->new_keyver, "Key version (hex, 01..7F) of the set --put-key/--lock writes");
  gp.add_flag("--lock-card", o->lock_card, "GlobalPlatformPro form: SET STATUS CARD_LOCKED");
  gp.add_flag("--unlock-card", o->unlock_card, "GlobalPlatformPro form: SET STATUS SECURED from CARD_LOCKED");
  gp.add_flag("--secure-card", o->secure_card, "GlobalPlatformPro form: SET STATUS SECURED");
  gp.add_flag("--initialize-card", o->initialize_card, "GlobalPlatformPro form: SET STATUS INITIALIZED");
  add_scp11_key_actions(gp, o->scp11_keys);
  gp.footer(
      "Two forms: subcommands (`sefleet gp info --tcp ...`), or GlobalPlatformPro's one-command form with the\n"
      "action as an option of gp itself (`sefleet gp -l --key default --tcp ...`). Keys: -k/--key HEX|default,\n"
      "--key-enc/--key-mac/--key-dek, --key-ver, --key-kdf kdf3, --kdf3, --key-file FILE (0600) or $SEFLEET_KEY;\n"
      "--mode clr|mac|enc|rmac|renc or --level. Exit status: 0 done, 1 refused by the card or a failed check\n"
      "(the message gives the status word, its meaning and the card's reason), 2 usage error.\n"
      "Examples:\n"
      "  sefleet gp -i --tcp 127.0.0.1:9025\n"
      "  sefleet gp -l --tcp 127.0.0.1:9025 --key default\n"
      "  sefleet gp --lock 00112233445566778899AABBCCDDEEFF --tcp 127.0.0.1:9025 --key default\n"
      "  sefleet gp --delete F0534600010101 --tcp 127.0.0.1:9025 --key-file card.key\n"
      "  sefleet gp --list-keys --tcp 127.0.0.1:9025\n"
      "  sefleet gp --new-sd-key 13/02 --scp 11a --card-ca ca.pem --oce-key oce.key --oce-cert oce.pem --tcp ...\n"
      "  sefleet gp --put-ca-key 10/12 ca.pem --key-file card.key --tcp 127.0.0.1:9025");

  // An option given to gp in front of a subcommand would not reach the subcommand: refused.
  CLI::App* gp_app = &gp;
  for (CLI::App* sub : gp.get_subcommands([](CLI::App*) { return true; })) {
    const std::string name = sub->get_name();
    sub->preparse_callback([gp_app, name](std::size_t) {
      const auto given = given_options(*gp_app);
      if (!given.empty()) {
        throw CLI::ValidationError(given.front(), "options of `gp " + name + "` go after '" + name +
                                                      "' (in front of it they belong to GlobalPlatformPro's "
                                                      "one-command form)");
      }
    });
  }
  gp.callback([gp_app, o] {
    if (gp_app->get_subcommands().empty()) run(*o);
  });
}

}  // namespace sefleet::cli

// sefleet card: the virtual secure element.
//   card init --state DIR --profile FILE.json [--scp03-keys KEYS.json]
//                                               personalizes a new SE (keys, identity, counters)
//   card run  --state DIR (--vpcd HOST:PORT | --listen HOST:PORT) [--tear-at N]
//   card info --state DIR [--json]              what the state holds (no secrets), without running it
//   card applets [--json]                       the built-in load files and modules INSTALL can instantiate
#include <csignal>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "card/applets/catalog.hpp"
#include "card/state/card_profile.hpp"
#include "card/virtual_card.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "core/secret.hpp"
#include "file_input.hpp"
#include "free_heap.hpp"
#include "offcard/keystore/keystore_spec.hpp"
#include "scp03_key_file.hpp"
#include "transport/host_port.hpp"
#include "transport/stop_signal.hpp"
#include "transport/tcp_card_server.hpp"
#include "transport/vpcd_card_link.hpp"

namespace sefleet::cli {
namespace {

// The profile with its `scp03` part taken from a key file (scp03_key_file.hpp). The profile may
// omit scp03 or name only its "i"; the key file's KDD, when it names one, must be the profile's, so
// that an SE never gets the keys derived for another.
card::CardProfile profile_with_scp03_keys(const std::string& profile_text, const std::string& key_path) {
  nlohmann::json profile;
  try {
    profile = nlohmann::json::parse(profile_text);
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(Errc::parse_error, std::string("profile: not valid JSON: ") + e.what());
  }
  if (!profile.is_object()) throw Error(Errc::parse_error, "profile: the top level must be a JSON object");
  const SecretBytes raw = offcard::read_secret_file(key_path, "SCP03 key");
  std::string text(raw.view().begin(), raw.view().end());
  Scp03KeyFile file;
  try {
    file = parse_scp03_key_file(text, key_path);
  } catch (...) {
    secure_zero(text.data(), text.size());
    throw;
  }
  secure_zero(text.data(), text.size());
  if (!file.kdd.empty() && profile.contains("kdd") && profile["kdd"].is_string()) {
    Bytes profile_kdd;
    try {
      profile_kdd = from_hex(profile["kdd"].get<std::string>());
    } catch (const Error&) {
      // CardProfile::from_json names the bad field below.
    }
    if (!profile_kdd.empty() && profile_kdd != file.kdd) {
      throw Error(Errc::invalid_argument, key_path + " holds the keys for KDD " + to_hex(file.kdd) +
                                              ", the profile's kdd is " + to_hex(profile_kdd));
    }
  }
  nlohmann::json scp03{{"kvn", to_hex(Bytes{file.keys.kvn})},
                       {"enc", to_hex(file.keys.enc.view())},
                       {"mac", to_hex(file.keys.mac.view())},
                       {"dek", to_hex(file.keys.dek.view())}};
  if (profile.contains("scp03") && profile["scp03"].is_object() && profile["scp03"].contains("i")) {
    scp03["i"] = profile["scp03"]["i"];
  }
  profile["scp03"] = std::move(scp03);
  std::string merged = profile.dump();
  auto parsed = card::CardProfile::from_json(merged);
  secure_zero(merged.data(), merged.size());
  return parsed;
}

// The loops watch this; SIGINT/SIGTERM request it (StopSignal::request is async-signal-safe).
transport::StopSignal* g_stop = nullptr;
extern "C" void on_stop_signal(int) {
  if (g_stop != nullptr) g_stop->request();
}

struct RunOptions {
  std::string state_dir;
  std::string vpcd;
  std::string listen;
  std::uint64_t tear_at = 0;
  std::size_t channels = 4;
  card::javacard::VmLimits java_card;  // docs/javacard.md "Limits"
};

// A simulated power cut (--tear-at) ends the process at once, as pulling the card would: no reply,
// no further write, no orderly shutdown. The state file is left exactly as the cut left it.
class PowerCutEndpoint final : public transport::CardEndpoint {
 public:
  explicit PowerCutEndpoint(card::VirtualCard& card) : card_(card) {}
  Bytes atr() override { return card_.endpoint().atr(); }
  void power_on() override {
    guard([&] { card_.endpoint().power_on(); });
  }
  void power_off() override {
    guard([&] { card_.endpoint().power_off(); });
  }
  void reset() override {
    guard([&] { card_.endpoint().reset(); });
  }
  Bytes transmit(ByteView command) override {
    Bytes response;
    guard([&] { response = card_.endpoint().transmit(command); });
    return response;
  }
  void after_response() override {
    guard([&] { card_.endpoint().after_response(); });
  }

 private:
  template <typename F>
  void guard(F&& call) {
    call();
    if (card_.power_lost()) {
      std::cerr << "sefleet card: power cut at NVM write " << card_.physical_writes()
                << " (--tear-at); exiting without answering\n";
      std::fflush(nullptr);
      std::_Exit(75);
    }
  }
  card::VirtualCard& card_;
};

void run_card(const RunOptions& options) {
  if (options.vpcd.empty() == options.listen.empty()) {
    throw Error(Errc::invalid_argument, "card run: give exactly one of --vpcd HOST:PORT or --listen HOST:PORT");
  }
  card::VirtualCardOptions card_options;
  if (options.tear_at != 0) card_options.tear_at_write = options.tear_at;
  card_options.logical_channels = options.channels;
  card_options.java_card_limits = options.java_card;
  auto card = card::VirtualCard::open(options.state_dir, card_options);
  // Opening peaks (ROM link, stored packages restored); the card then idles between commands.
  release_free_heap();
  PowerCutEndpoint endpoint(card);

  transport::StopSignal stop;
  g_stop = &stop;
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGPIPE, SIG_IGN);

  if (!options.vpcd.empty()) {
    const auto address = transport::HostPort::parse(options.vpcd);
    transport::VpcdCardLink link(endpoint, address);
    std::cout << "card " << to_hex(card.state().se_id()) << " connecting to vpcd at " << address.to_string()
              << std::endl;
    link.run(stop);
  } else {
    transport::TcpCardServer server(endpoint, transport::HostPort::parse(options.listen));
    // Scripts read this line to learn the port (--listen 127.0.0.1:0 picks a free one).
    std::cout << "card " << to_hex(card.state().se_id()) << " listening on " << server.address().to_string()
              << std::endl;
    server.run(stop);
  }
  g_stop = nullptr;
  std::cout << "card stopped" << std::endl;
}

void print_catalog(bool json) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& load_file : card::applets::builtin_catalog()) {
    nlohmann::json modules = nlohmann::json::array();
    for (const auto& module : load_file.modules) {
      modules.push_back(
          {{"aid", to_hex(module.aid)}, {"name", module.name}, {"default_instance", to_hex(module.default_instance)}});
    }
    out.push_back({{"load_file", to_hex(load_file.aid)},
                   {"name", load_file.name},
                   {"version", to_hex(load_file.version)},
                   {"modules", modules}});
  }
  if (json) {
    std::cout << out.dump(2) << "\n";
    return;
  }
  for (const auto& load_file : out) {
    std::cout << "load file " << load_file["load_file"].get<std::string>() << "  version "
              << load_file["version"].get<std::string>() << "  " << load_file["name"].get<std::string>() << "\n";
    for (const auto& module : load_file["modules"]) {
      std::cout << "  module " << module["aid"].get<std::string>() << "  " << module["name"].get<std::string>()
                << "  (install as e.g. " << module["default_instance"].get<std::string>() << ")\n";
    }
  }
}

void setup_card(CLI::App& root) {
  auto* card = add_command(root, "card", "Run and personalize the virtual secure element");
  card->require_subcommand(1);

  static std::string init_state, init_profile, init_scp03_keys;
  auto* init = add_command(*card, "init", "Personalize a new SE from a profile (refuses an existing state)");
  init->footer(
      "--scp03-keys takes the profile's scp03 part from the key file `sefleet hsm derive-scp03` wrote (mode\n"
      "0600; its kdd must be the profile's): the SE gets the keys the server's HSM derives from its master key.\n"
      "Example:\n"
      "  sefleet hsm derive-scp03 --keystore software:hsm.sfks --label master --kdd 00112233445566778801 -o se1.keys\n"
      "  sefleet card init --state se1 --profile se1.json --scp03-keys se1.keys");
  init->add_option("--state", init_state, "Directory for the card's persistent state (created)")->required();
  init->add_option("--profile", init_profile,
                   "Profile JSON: se_id, kdd, isd_aid, platform_id, scp03, platform_keys, ...")
      ->required()
      ->check(CLI::ExistingFile);
  init->add_option("--scp03-keys", init_scp03_keys,
                   "Key file of `sefleet hsm derive-scp03` (mode 0600): the profile's scp03 part");
  init->callback([] {
    const auto profile =
        init_scp03_keys.empty()
            ? card::CardProfile::from_json(read_whole_text_file(init_profile, "the card profile"))
            : profile_with_scp03_keys(read_whole_text_file(init_profile, "the card profile"), init_scp03_keys);
    card::VirtualCard::personalize(init_state, profile);
    std::cout << "personalized SE " << to_hex(profile.se_id) << " in " << init_state << " (ISD "
              << to_hex(profile.isd_aid) << ", SCP03 key set " << to_hex(Bytes{profile.scp03.kvn}) << ")\n";
  });

  static RunOptions run;
  auto* run_cmd = add_command(*card, "run", "Run the SE: as the card of a vpcd reader (pcscd) or a TCP card server");
  run_cmd->add_option("--state", run.state_dir, "The card's state directory (from card init)")->required();
  run_cmd->add_option("--vpcd", run.vpcd, "Connect to the vpcd reader of pcscd at HOST:PORT (e.g. 127.0.0.1:35963)");
  run_cmd->add_option("--listen", run.listen,
                      "Serve one host at a time on HOST:PORT (2-byte length framing; port 0 = any)");
  run_cmd
      ->add_option("--tear-at", run.tear_at,
                   "Cut power at the Nth physical NVM write (tearing test; the process exits 75)")
      ->check(CLI::PositiveNumber);
  run_cmd->add_option("--channels", run.channels, "Logical channels, basic channel included (1-20)")
      ->check(CLI::Range(1, 20))
      ->capture_default_str();
  // The Java Card VM's limits per entry (select, one command's process(), install, a deferred task).
  run_cmd->add_option("--jc-call-depth", run.java_card.max_call_depth, "Java Card VM: frames per entry")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  run_cmd
      ->add_option("--jc-frame-slots", run.java_card.max_frame_slots,
                   "Java Card VM: max_locals + max_stack of one method (32-bit slots)")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  run_cmd
      ->add_option("--jc-stack-slots", run.java_card.slot_stack,
                   "Java Card VM: 32-bit slots for all frames of an entry")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  run_cmd
      ->add_option("--jc-instruction-budget", run.java_card.instruction_budget,
                   "Java Card VM: bytecodes per entry (an endless loop ends in 6F00)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  run_cmd->callback([] { run_card(run); });

  static std::string info_state;
  static bool info_json = false;
  auto* info =
      add_command(*card, "info", "Show what a card's state holds (identity, life cycle, key sets; no secrets)");
  info->add_option("--state", info_state, "The card's state directory")->required();
  info->add_flag("--json", info_json, "Machine-readable output");
  info->callback([] {
    auto opened = card::VirtualCard::open(info_state, {});
    const nlohmann::json summary = opened.summary();
    if (info_json) {
      std::cout << summary.dump(2) << "\n";
      return;
    }
    for (const auto& [key, value] : summary.items()) {
      std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
  });

  static bool applets_json = false;
  auto* applets =
      add_command(*card, "applets", "List the built-in load files and modules (what `gp install` can instantiate)");
  applets->add_flag("--json", applets_json, "Machine-readable output");
  applets->callback([] { print_catalog(applets_json); });
}

const RegisterCommand card_registration{"card", setup_card};

}  // namespace
}  // namespace sefleet::cli

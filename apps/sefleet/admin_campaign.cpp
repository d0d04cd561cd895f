// sefleet admin campaign upload|list|show|pause|resume|cancel|activate|watch.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "admin_commands.hpp"
#include "admin_render.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "file_input.hpp"
#include "offcard/api/json_codec.hpp"

namespace sefleet::cli {
namespace {

namespace api = offcard::api;

// SE ids from --target and --targets-file (one per line; blank lines and '#' comments skipped).
std::vector<Bytes> read_targets(const std::vector<std::string>& targets, const std::string& targets_file) {
  std::vector<std::string> texts = targets;
  if (!targets_file.empty()) {
    std::ifstream in(targets_file);
    if (!in) throw Error(Errc::io_error, "cannot read the targets file " + targets_file);
    std::string line;
    while (std::getline(in, line)) {
      const auto start = line.find_first_not_of(" \t\r");
      if (start == std::string::npos || line[start] == '#') continue;
      const auto end = line.find_last_not_of(" \t\r");
      texts.push_back(line.substr(start, end - start + 1));
    }
  }
  if (texts.empty()) throw CLI::ValidationError("--target", "give at least one SE id (--target or --targets-file)");
  std::vector<Bytes> ids;
  for (const auto& text : texts) {
    try {
      ids.push_back(from_hex(offcard::admin::se_id(text)));
    } catch (const Error& e) {
      throw CLI::ValidationError("--target", e.what());
    }
  }
  return ids;
}

// "10,50,100" -> {10, 50, 100}; the server checks the rules (increasing, ending with 100).
std::vector<int> parse_waves(const std::string& text) {
  std::vector<int> waves;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    try {
      std::size_t used = 0;
      const int value = std::stoi(part, &used);
      if (used != part.size()) throw std::invalid_argument(part);
      waves.push_back(value);
    } catch (const std::exception&) {
      throw CLI::ValidationError("--waves", "'" + text + "': use cumulative percentages such as 10,50,100");
    }
  }
  if (waves.empty()) throw CLI::ValidationError("--waves", "give at least one wave, the last 100");
  return waves;
}

struct UploadOptions {
  AdminOptions admin;
  std::string package;
  std::string name;
  std::string master_key;
  std::string campaign_kek;
  std::vector<std::string> targets;
  std::string targets_file;
  std::string waves = "100";
  double max_failure_rate = 1.0;
  std::int64_t min_reports = 5;
  double max_unverified_rate = 1.0;
  std::int64_t max_attempts = 3;
  std::int64_t max_unverified_attempts = 5;
  std::int64_t unverified_backoff = 10;
  std::string security_level = "33";
  bool deferred = false;
  std::int64_t activate_at = 0;
  std::string pmob;
};

void run_upload(const UploadOptions& o) {
  api::CampaignCreate request;
  request.package = read_whole_file(o.package, "the campaign package");
  request.name = o.name.empty() ? std::filesystem::path(o.package).stem().string() : o.name;
  request.master_key = o.master_key;
  if (!o.campaign_kek.empty()) request.campaign_kek = o.campaign_kek;
  request.targets = read_targets(o.targets, o.targets_file);
  request.security_level = o.security_level == "13" ? 0x13 : 0x33;
  request.rollout.waves = parse_waves(o.waves);
  request.rollout.max_failure_rate = o.max_failure_rate;
  request.rollout.min_reports = o.min_reports;
  request.rollout.max_unverified_rate = o.max_unverified_rate;
  request.policy.max_attempts = o.max_attempts;
  request.policy.max_unverified_attempts = o.max_unverified_attempts;
  request.policy.unverified_backoff = o.unverified_backoff;
  if (o.deferred) {
    request.activation.mode = api::ActivationMode::deferred;
    if (o.activate_at != 0) request.activation.at = o.activate_at;
  }
  if (!o.pmob.empty()) request.pmob = read_whole_file(o.pmob, "the terminal payload");
  const api::Campaign campaign = connect_admin(o.admin).upload_campaign(request);
  if (o.admin.json) {
    std::cout << api::to_json(campaign).dump(2) << "\n";
  } else {
    std::cout << "campaign " << campaign.id << " uploaded\n\n";
    admin_render::print_campaign(std::cout, campaign);
  }
}

void setup_upload(CLI::App& campaign) {
  auto o = std::make_shared<UploadOptions>();
  auto* cmd = add_command(campaign, "upload", "Upload a campaign package (sefleet campaign build) for target SEs");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("package", o->package, "Campaign package file (SFCF)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--name", o->name, "Campaign name (default: the package file's name)");
  cmd->add_option("--master-key", o->master_key, "kdf3 master key in the server's keystore: LABEL or LABEL@VERSION")
      ->required();
  cmd->add_option("--campaign-kek", o->campaign_kek, "Profile 4: the server's KEK that wraps the broadcast key");
  cmd->add_option("--target", o->targets, "SE id (hex); repeatable");
  cmd->add_option("--targets-file", o->targets_file, "File of SE ids, one per line ('#' comments)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--waves", o->waves, "Cumulative percentages of the targets per wave, e.g. 10,50,100")
      ->capture_default_str();
  cmd->add_option("--max-failure-rate", o->max_failure_rate, "Pause a wave above this authenticated failure rate")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--min-reports", o->min_reports, "Reports in a wave before a rate is judged")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--max-unverified-rate", o->max_unverified_rate, "Pause a wave above this unverified report rate")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--max-attempts", o->max_attempts, "Authenticated failures before an SE is quarantined")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--max-unverified-attempts", o->max_unverified_attempts,
                  "Unverified failures in a row before an SE is unreachable")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  cmd->add_option("--unverified-backoff", o->unverified_backoff, "Seconds before a PAUT after an unverified failure")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--security-level", o->security_level, "SCP03 level of the PAUT's session: 33 or 13")
      ->capture_default_str()
      ->check(CLI::IsMember({"33", "13"}));
  auto* deferred =
      cmd->add_flag("--deferred", o->deferred, "Preload first; activate later (--activate-at or activate)");
  cmd->add_option("--activate-at", o->activate_at, "Deferred: activation time (Unix seconds)")
      ->needs(deferred)
      ->check(CLI::PositiveNumber);
  cmd->add_option("--pmob", o->pmob, "Payload for the terminals themselves (file)")->check(CLI::ExistingFile);
  cmd->callback([o] { run_upload(*o); });
}

struct CampaignShowOptions {
  AdminOptions admin;
  std::string id;
};

void setup_campaign_list(CLI::App& campaign) {
  auto o = std::make_shared<AdminOptions>();
  auto* cmd = add_command(campaign, "list", "List the campaigns (paused ones first)");
  add_admin_options(*cmd, *o);
  cmd->callback([o] {
    api::CampaignList list = connect_admin(*o).campaigns();
    if (o->json) {
      std::cout << api::to_json(list).dump(2) << "\n";
      return;
    }
    // Paused campaigns wait for a decision: they come first.
    std::stable_partition(list.campaigns.begin(), list.campaigns.end(),
                          [](const api::Campaign& c) { return c.state == api::CampaignState::paused; });
    admin_render::print_campaign_table(std::cout, list);
  });
}

void setup_campaign_show(CLI::App& campaign) {
  auto o = std::make_shared<CampaignShowOptions>();
  auto* cmd = add_command(campaign, "show", "Show one campaign (--json: the API's campaign object)");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("id", o->id, "Campaign id (any case)")->required()->check(campaign_id_check());
  cmd->callback([o] {
    const api::Campaign c = connect_admin(o->admin).campaign(o->id);
    if (o->admin.json) {
      std::cout << api::to_json(c).dump(2) << "\n";
    } else {
      admin_render::print_campaign(std::cout, c);
    }
  });
}

void setup_control(CLI::App& campaign, api::CampaignOperation operation, const std::string& description) {
  auto o = std::make_shared<CampaignShowOptions>();
  auto* cmd = add_command(campaign, std::string(api::name(operation)), description);
  add_admin_options(*cmd, o->admin);
  cmd->add_option("id", o->id, "Campaign id (any case)")->required()->check(campaign_id_check());
  cmd->callback([o, operation] {
    const api::Campaign c = connect_admin(o->admin).control(o->id, operation);
    if (o->admin.json) {
      std::cout << api::to_json(c).dump(2) << "\n";
    } else {
      std::cout << "campaign " << c.id << " is " << api::name(c.state)
                << (c.pause_reason ? " (" + *c.pause_reason + ")" : std::string()) << "\n";
    }
  });
}

struct WatchOptions {
  AdminOptions admin;
  std::string id;
  double interval = 1.0;
  double timeout = 0;
};

// Polls the campaign until it is completed or cancelled: a live bar on a terminal, a line per change
// otherwise. Exit 0 when completed, 1 when cancelled or when --timeout passes first.
void run_watch(const WatchOptions& o) {
  auto client = connect_admin(o.admin);
  const bool tty = ::isatty(STDOUT_FILENO) == 1 && !o.admin.json;
  const auto start = std::chrono::steady_clock::now();
  std::string last_line;
  for (;;) {
    const api::Campaign c = client.campaign(o.id);
    const bool ended = c.state == api::CampaignState::completed || c.state == api::CampaignState::cancelled;
    if (!o.admin.json) {
      const std::int64_t done = admin_render::finished(c);
      const std::int64_t width = 30;
      const auto filled = static_cast<std::size_t>(c.targets == 0 ? width : std::min(width, done * width / c.targets));
      std::string state(api::name(c.state));
      if (c.pause_reason && c.state == api::CampaignState::paused) state += ": " + *c.pause_reason;
      const std::string line = "[" + std::string(filled, '#') +
                               std::string(static_cast<std::size_t>(width) - filled, '.') + "] " +
                               std::to_string(done) + "/" + std::to_string(c.targets) + " " + state + " | " +
                               admin_render::counts_text(c.progress);
      if (tty) {
        std::cout << "\r\033[K" << line << std::flush;
        if (ended) std::cout << "\n";
      } else if (line != last_line) {
        std::cout << line << std::endl;
      }
      last_line = line;
    }
    if (ended) {
      if (o.admin.json) std::cout << api::to_json(c).dump(2) << "\n";
      if (c.state == api::CampaignState::cancelled) throw CommandFailed{1};
      return;
    }
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.timeout > 0 && elapsed >= o.timeout) {
      if (tty) std::cout << "\n";
      throw Error(Errc::unavailable, "the campaign did not end within " + std::to_string(o.timeout) + " s");
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.interval));
  }
}

void setup_watch(CLI::App& campaign) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = add_command(campaign, "watch", "Follow a campaign's progress until it is completed or cancelled");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("id", o->id, "Campaign id (any case)")->required()->check(campaign_id_check());
  cmd->add_option("--interval", o->interval, "Seconds between two looks")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--timeout", o->timeout, "Give up (exit 1) after this many seconds; 0: never")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 31536000.0));
  cmd->footer("Exit status: 0 when the campaign is completed, 1 when it is cancelled or --timeout passes.");
  cmd->callback([o] { run_watch(*o); });
}

}  // namespace

void setup_admin_campaign(CLI::App& admin) {
  auto* campaign = add_command(admin, "campaign", "Campaigns: upload, list, show, pause, resume, cancel, watch");
  campaign->require_subcommand(1);
  setup_upload(*campaign);
  setup_campaign_list(*campaign);
  setup_campaign_show(*campaign);
  setup_control(*campaign, api::CampaignOperation::pause, "Pause a campaign (no new PAUTs until resumed)");
  setup_control(*campaign, api::CampaignOperation::resume, "Resume a paused campaign");
  setup_control(*campaign, api::CampaignOperation::cancel, "Cancel a campaign for good (no more PAUTs)");
  setup_control(*campaign, api::CampaignOperation::activate, "Deferred campaign: activate the staged image now");
  setup_watch(*campaign);
}

}  // namespace sefleet::cli

// `sefleet demo`, the main job: a whole broadcast campaign on this machine with embedded defaults.
// A software keystore in memory (master and platform keys generated here), the management server in
// process (offcard::server::Server on 127.0.0.1:0, SQLite in a temporary directory), a campaign made
// by the design system, a fleet of virtual SEs, and terminal agents (threads, each over real HTTP)
// updating them. Some SEs are made to fail on purpose, so the output shows the server's policy at work:
//   - wrong platform: SEs personalized with another platform id; they refuse the image's manifest
//     (authenticated status 81), and the server quarantines them at once;
//   - power cut: SEs that lose power in the middle of the PSE on their first attempt; the server
//     decides "retry", the terminal asks for a fresh PAUT and the second attempt updates them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "offcard/api/messages.hpp"
#include "offcard/terminal/agent.hpp"
#include "offcard/terminal/se_endpoint.hpp"
#include "sim/fleet/virtual_fleet.hpp"

namespace sefleet::sim::demo {

// One SE of the run: which fleet member, its name in tables, and the planned power cut (commands
// received before the cut, first attempt only).
struct SePlan {
  VirtualFleet* fleet = nullptr;
  std::size_t index = 0;
  std::string name;
  std::optional<std::size_t> cut_after;
};
// How terminal number `terminal` reaches a planned SE (created in that terminal's thread).
using EndpointFactory =
    std::function<std::unique_ptr<offcard::terminal::SeEndpoint>(const SePlan& plan, std::size_t terminal)>;

struct DemoOptions {
  std::size_t ses = 100;
  std::size_t image_size = 64 * 1024;
  int profile = 3;            // 3 (campaign key) or 4 (platform key)
  std::size_t terminals = 4;  // agent threads
  std::size_t wrong_platform = 3;
  std::size_t power_cut = 2;
  std::size_t server_threads = 8;
  std::optional<std::filesystem::path> work_dir;  // default: a fresh temporary directory, removed after
  // Called once per finished SE (from the terminal threads, serialized).
  std::function<void(const offcard::terminal::SeResult&, std::size_t done, std::size_t total)> on_result;
  // Default: in process (FleetEndpoint). The PC/SC demo reaches the same SEs through pcscd.
  EndpointFactory endpoint_factory;
  std::string transport_name = "in-process";
  // Called once the server is up (URL), before the terminals start.
  std::function<void(const std::string& base_url)> on_server_started;
};

// What was planned for one SE (for the table: "which and why").
struct PlannedFault {
  std::string kind;  // "wrong_platform" | "power_cut"
  std::string why;
};

struct DemoResult {
  std::string server_url;
  std::string admin_token;  // the demo's own, random per run
  std::string campaign_id;
  std::string database;
  offcard::api::Campaign campaign;  // GET /v1/campaigns/{id} after the run
  offcard::api::Timeline timeline;  // GET /v1/campaigns/{id}/timeline
  offcard::api::EventList events;   // GET /v1/campaigns/{id}/events
  std::vector<offcard::terminal::SeResult> results;
  std::map<std::string, PlannedFault> faults;  // by endpoint name
  std::size_t image_size = 0;
  std::size_t pse_bytes = 0;
  std::size_t pse_commands = 0;
  int profile = 3;
  std::size_t terminals = 0;
  std::string transport_name;
  double setup_seconds = 0;                      // keys, fleet, campaign, server
  double campaign_seconds = 0;                   // from the first terminal start to the last SE finished
  std::map<std::string, std::size_t> finals;     // by terminal::status_name: updated, quarantined, ...
  std::map<std::string, std::size_t> decisions;  // by AttemptRecord::label, over all attempts
  std::size_t attempts = 0;
  // SEs whose final state differs from the plan (an updated wrong-platform SE, a failed normal SE...).
  std::vector<std::string> unexpected;
  bool as_planned() const { return unexpected.empty(); }
};

// Runs the whole demo. While `keep_server` is set the server is left running after the campaign and
// `hold` is called with the result (e.g. wait for Ctrl-C) before the server stops. Throws Error for a
// bad option or a setup failure.
DemoResult run_demo(const DemoOptions& options, const std::function<void(const DemoResult&)>& hold = {});

nlohmann::json demo_summary_json(const DemoResult& result);

}  // namespace sefleet::sim::demo

// sefleet demo: the main job. A whole broadcast campaign on embedded defaults (software keystore in
// memory, SQLite in a temporary directory, the management server in process on 127.0.0.1, virtual
// SEs, terminal agents over real HTTP), a summary table and a self-contained HTML report.
//   sefleet demo [--ses N] [--image-size BYTES] [--profile 3|4] [--terminals N] [--report FILE]
//                [--json] [--keep-server] [--pcsc]
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "offcard/api/json_codec.hpp"
#include "sim/demo/fleet_demo.hpp"
#include "sim/demo/html_report.hpp"
#include "sim/demo/pcsc_demo.hpp"

namespace sefleet::cli {
namespace {

struct DemoCliOptions {
  sim::demo::DemoOptions demo;
  std::string report = "sefleet-demo-report.html";
  bool json = false;
  bool keep_server = false;
  bool pcsc = false;
  std::string vpcd = "127.0.0.1:35963";
};

std::atomic<bool> g_interrupted{false};
extern "C" void on_interrupt(int) {
  g_interrupted.store(true);
}

std::string fixed(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

void print_summary(const sim::demo::DemoResult& r, const std::string& report) {
  const double rate = r.campaign_seconds > 0 ? static_cast<double>(r.results.size()) / r.campaign_seconds : 0;
  std::cout << "\ncampaign " << r.campaign_id << " (profile " << r.profile << ", image " << r.image_size
            << " bytes, PSE " << r.pse_commands << " commands / " << r.pse_bytes << " bytes, identical for every SE)\n";
  std::cout << "server " << r.server_url << " (SQLite), " << r.terminals << " terminals over HTTP\n\n";
  std::cout << std::left << std::setw(22) << "final state" << std::right << std::setw(8) << "SEs"
            << "\n";
  for (const auto& [state, count] : r.finals)
    std::cout << std::left << std::setw(22) << state << std::right << std::setw(8) << count << "\n";
  std::cout << "\n"
            << std::left << std::setw(22) << "decision (attempts)" << std::right << std::setw(8) << "count"
            << "\n";
  for (const auto& [decision, count] : r.decisions) {
    std::cout << std::left << std::setw(22) << decision << std::right << std::setw(8) << count << "\n";
  }
  std::cout << "\nSEs made to fail on purpose:\n";
  std::cout << std::left << std::setw(9) << "SE" << std::setw(17) << "fault" << std::setw(13) << "final" << std::setw(9)
            << "attempts"
            << "why / what happened\n";
  for (const auto& se : r.results) {
    const auto fault = r.faults.find(se.endpoint);
    if (fault == r.faults.end()) continue;
    std::cout << std::left << std::setw(9) << se.endpoint << std::setw(17) << fault->second.kind << std::setw(13)
              << offcard::terminal::status_name(se.status) << std::setw(9) << se.attempts << fault->second.why << "\n"
              << std::setw(48) << ""
              << "→ " << se.final_line() << "\n";
  }
  std::cout << "\n"
            << r.results.size() << " SEs, " << r.attempts << " delivery attempts in " << fixed(r.campaign_seconds, 2)
            << " s (" << fixed(rate, 1) << " SEs/s; setup " << fixed(r.setup_seconds, 2) << " s)\n";
  std::cout << "server's count: " << offcard::api::to_json(r.campaign).at("progress").dump() << ", state "
            << offcard::api::name(r.campaign.state) << "\n";
  if (r.as_planned()) {
    std::cout << "every SE ended as planned\n";
  } else {
    std::cout << r.unexpected.size() << " SE(s) did NOT end as planned:\n";
    for (const auto& line : r.unexpected) std::cout << "  " << line << "\n";
  }
  if (!report.empty()) std::cout << "HTML report: " << report << "\n";
}

// With --json the summary owns stdout, so the server's address goes to stderr there.
void hold_server(const sim::demo::DemoResult& r, std::ostream& out) {
  out << "\nserver left running at " << r.server_url << "\n"
      << "admin token: " << r.admin_token << "\n"
      << "campaign: " << r.campaign_id << "\n"
      << "press Ctrl-C to stop" << std::endl;
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  while (!g_interrupted.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  out << "stopping the server" << std::endl;
}

void run_demo_command(DemoCliOptions options) {
  const bool tty = ::isatty(STDOUT_FILENO) == 1 && !options.json;
  std::mutex print_mutex;
  if (!options.json) {
    options.demo.on_server_started = [](const std::string& url) {
      std::cout << "server listening on " << url << std::endl;
    };
    options.demo.on_result = [&, tty](const offcard::terminal::SeResult& se, std::size_t done, std::size_t total) {
      std::lock_guard lock(print_mutex);
      if (tty) {
        const std::size_t width = 40;
        const std::size_t filled = total == 0 ? width : done * width / total;
        std::cout << "\r[" << std::string(filled, '#') << std::string(width - filled, '.') << "] " << done << "/"
                  << total << " " << std::left << std::setw(10) << se.endpoint << " " << std::setw(12)
                  << offcard::terminal::status_name(se.status) << std::flush;
        if (done == total) std::cout << "\n";
      } else if (se.status != offcard::terminal::SeStatus::updated || se.attempts != 1 || done == total ||
                 done % 25 == 0) {
        std::cout << done << "/" << total << " " << se.endpoint << " " << offcard::terminal::status_name(se.status)
                  << " (" << se.attempts << " attempt" << (se.attempts == 1 ? "" : "s") << ")\n";
      }
    };
  }
  // The summary and the report are produced as soon as the campaign ends; with --keep-server that is
  // before the server is held open, so the operator sees the results while exploring the server.
  bool summarized = false;
  const auto summarize = [&](const sim::demo::DemoResult& result) {
    if (!options.report.empty()) sim::demo::write_html_report(options.report, result);
    if (options.json) {
      auto summary = sim::demo::demo_summary_json(result);
      summary["report"] = options.report;
      std::cout << summary.dump(2) << std::endl;
    } else {
      print_summary(result, options.report);
    }
    summarized = true;
  };
  std::function<void(const sim::demo::DemoResult&)> hold;
  if (options.keep_server) {
    hold = [&](const sim::demo::DemoResult& result) {
      summarize(result);
      hold_server(result, options.json ? std::cerr : std::cout);
    };
  }
  sim::demo::DemoResult result;
  if (options.pcsc) {
    result = sim::demo::run_pcsc_demo(options.demo, transport::HostPort::parse(options.vpcd), hold);
  } else {
    result = sim::demo::run_demo(options.demo, hold);
  }
  if (!summarized) summarize(result);
  if (!result.as_planned()) throw CommandFailed{1};
}

const RegisterCommand demo_registration{
    "demo", [](CLI::App& root) {
      auto options = std::make_shared<DemoCliOptions>();
      auto* cmd = add_command(
          root, "demo",
          "The main job: a broadcast campaign to a virtual fleet through the in-process server, with a report");
      cmd->add_option("--ses", options->demo.ses, "Virtual SEs in the fleet")
          ->capture_default_str()
          ->check(CLI::Range(1, 100000));
      cmd->add_option("--image-size", options->demo.image_size, "Image body size in bytes")
          ->capture_default_str()
          ->check(CLI::Range(1, 16 * 1024 * 1024));
      cmd->add_option("--profile", options->demo.profile, "3 (campaign key) or 4 (platform key)")
          ->capture_default_str()
          ->check(CLI::IsMember({3, 4}));
      cmd->add_option("--terminals", options->demo.terminals, "Terminal agents (threads, each over HTTP)")
          ->capture_default_str()
          ->check(CLI::Range(1, 64));
      cmd->add_option("--wrong-platform", options->demo.wrong_platform,
                      "SEs personalized for another platform (they refuse the manifest: quarantined)")
          ->capture_default_str();
      cmd->add_option("--power-cut", options->demo.power_cut,
                      "SEs that lose power mid-stream on their first attempt (retried and updated)")
          ->capture_default_str();
      cmd->add_option("--report", options->report, "HTML report to write (empty: none)")->capture_default_str();
      cmd->add_flag("--json", options->json, "Print a machine-readable summary instead of tables");
      cmd->add_flag("--keep-server", options->keep_server,
                    "Leave the server running after the campaign (prints its URL and admin token; Ctrl-C stops it)");
      cmd->add_flag("--pcsc", options->pcsc, "Reach the virtual SEs through pcscd (vpcd reader) instead of in process");
      cmd->add_option("--vpcd", options->vpcd, "With --pcsc: vpcd's HOST:PORT for slot 0 (slot 1 is PORT+1)")
          ->capture_default_str();
      cmd->callback([options] { run_demo_command(*options); });
    }};

}  // namespace
}  // namespace sefleet::cli

// sefleet dk: the digital-key scenario (phone -> NFC reader -> CAN -> ECU -> SE2 vehicle applet), run
// with deferred execution and without it (baseline), in virtual time (deterministic) and wall time.
//   dk [--json] [--svg FILE] [--profile NAME|FILE] [--link NAME|FILE] [--host NAME|FILE] [--no-defer] [--repeat N]
// --no-defer runs only the baseline. Its table shows that run alone; its JSON keeps the DESIGN.md shape
// with both "runs" members holding the baseline run and "no_defer": true, so readers of the shape do
// not break and can tell; the SVG shows the baseline twice.
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "sim/dk/dk_path.hpp"
#include "sim/dk/dk_scenario.hpp"
#include "sim/timing/report.hpp"

namespace sefleet::cli {
namespace {

struct DkOptions {
  bool json = false;
  std::string svg;
  std::string profile = std::string(sim::kDefaultSeProfile);
  std::string link = std::string(sim::kDefaultLinkProfile);
  std::string host = std::string(sim::kDefaultHostProfile);
  bool no_defer = false;
  std::size_t repeat = 1;
};

std::string fixed3(double value) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << sim::round_to_us(value);
  return out.str();
}

// The baseline alone (--no-defer): one row per command.
std::string single_run_table(const sim::RunTiming& run) {
  std::ostringstream out;
  out << std::left << std::setw(18) << "command" << std::right;
  for (const char* column : {"HWT ms", "SEHT ms", "SEWT ms", "HPT ms", "deferred", "waited"}) out << std::setw(11) << column;
  out << "\n";
  for (const auto& command : run.commands) {
    out << std::left << std::setw(18) << command.name << std::right;
    for (double value : {command.hwt_ms, command.seht_ms, command.sewt_ms, command.hpt_ms, command.deferred_ms,
                         command.waited_ms}) {
      out << std::setw(11) << fixed3(value);
    }
    out << "\n";
  }
  out << std::left << std::setw(18) << "total" << std::right << std::setw(11) << fixed3(run.total_ms) << "\n";
  return out.str();
}

// Who carries the APDUs (the link profile's hops by role), for the first transaction's commands.
std::string path_table(const sim::dk::DkRun& run, const sim::LinkProfile& link) {
  std::ostringstream out;
  out << "path (" << link.name << "), ms command / response per role:\n";
  for (std::size_t i = 0; i < run.trace.size() && i < 5; ++i) {
    const auto& trace = run.trace[i];
    out << "  " << std::left << std::setw(16) << trace.name << std::right;
    for (const auto& role : sim::dk::path_breakdown(link, trace.command_bytes, trace.response_bytes)) {
      out << "  " << role.role << " " << fixed3(static_cast<double>(role.command_ns) / 1e6) << "/"
          << fixed3(static_cast<double>(role.response_ns) / 1e6);
    }
    out << "\n";
  }
  return out.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (!file) throw Error(Errc::io_error, "dk: cannot write " + path);
  file << text;
  if (!file.flush()) throw Error(Errc::io_error, "dk: write to " + path + " failed");
}

void run_dk(const DkOptions& options) {
  sim::dk::DkScenarioConfig config{sim::SeCostProfile::load(options.profile), sim::LinkProfile::load(options.link),
                                   sim::HostProfile::load(options.host)};
  config.repeat = options.repeat;

  const std::string title = "sefleet dk: " + config.se.name() + ", " + config.link.name + ", " + config.phone.name +
                            (options.repeat > 1 ? ", " + std::to_string(options.repeat) + " transactions" : "");
  if (options.no_defer) {
    const auto baseline = sim::dk::run_dk_scenario(config, false);
    if (!options.svg.empty()) write_file(options.svg, sim::render_svg(baseline.timing, baseline.timing, title + " (baseline only)"));
    if (options.json) {
      nlohmann::json out = sim::dk_json(baseline.timing, baseline.timing, nlohmann::json{{"baseline", sim::dk::wall_json(baseline)}});
      out["no_defer"] = true;
      std::cout << out.dump(2) << "\n";
    } else {
      std::cout << title << ", baseline only (no deferral)\n" << single_run_table(baseline.timing);
    }
    return;
  }

  const auto comparison = sim::dk::run_dk_comparison(config);
  if (!options.svg.empty()) {
    write_file(options.svg, sim::render_svg(comparison.deferred.timing, comparison.baseline.timing, title));
  }
  if (options.json) {
    const nlohmann::json wall{{"deferred", sim::dk::wall_json(comparison.deferred)},
                              {"baseline", sim::dk::wall_json(comparison.baseline)}};
    std::cout << sim::dk_json(comparison.deferred.timing, comparison.baseline.timing, wall).dump(2) << "\n";
    return;
  }
  std::cout << title << "\n"
            << sim::render_table(comparison.deferred.timing, comparison.baseline.timing) << "\n"
            << path_table(comparison.deferred, config.link) << "door: "
            << card::dk::door_state_name(comparison.deferred.final_door)
            << ", transactions counted by the applet: " << comparison.deferred.transaction_counter
            << ", wall clock on this machine: deferred run " << fixed3(comparison.deferred.wall_total_ms)
            << " ms, baseline run " << fixed3(comparison.baseline.wall_total_ms) << " ms\n";
}

void setup(CLI::App& root) {
  static DkOptions options;
  auto* dk = root.add_subcommand("dk", "Digital-key scenario: phone -> reader -> CAN -> ECU SE, with and without deferred execution");
  dk->add_flag("--json", options.json, "JSON output: {\"runs\": {\"deferred\", \"baseline\"}, \"wall\"} (DESIGN.md)");
  dk->add_option("--svg", options.svg, "Write the SVG timeline (deferred run above the baseline) to FILE");
  dk->add_option("--profile", options.profile, "SE cost profile: built-in name (jcop4, older_chip) or JSON file")
      ->capture_default_str();
  dk->add_option("--link", options.link,
                 "Link profile: iso14443_106|212|424|848, ble, uwb, or JSON file")
      ->capture_default_str();
  dk->add_option("--host", options.host, "Phone host profile: built-in name (phone) or JSON file")->capture_default_str();
  dk->add_flag("--no-defer", options.no_defer, "Run only the baseline (deferred work done before each response)");
  dk->add_option("--repeat", options.repeat, "Transactions on the same card (1-1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  dk->callback([] { run_dk(options); });
}

const RegisterCommand kRegister{"dk", setup};

}  // namespace
}  // namespace sefleet::cli

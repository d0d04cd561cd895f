// sefleet dk: the digital-key scenario (phone -> NFC reader -> CAN -> ECU -> SE2 vehicle applet), run
// with deferred execution and without it (baseline), in virtual time (deterministic) and wall time.
//   dk [--json] [--svg FILE] [--profile NAME|FILE] [--link NAME|FILE] [--host NAME|FILE] [--no-defer] [--repeat N]
//   dk ... [--wide] [--vm cpp|java]
// The table fits 100 columns (--wide: every column of both runs) and is followed by the definition of
// every term and how each total is made up. --vm java runs the same scenario with the Java vehicle
// applet on the card's Java Card VM: the same table and JSON shapes, the title says so and the JSON
// gains "vm": "java" (absent for the C++ applet, so the default output is unchanged). --no-defer runs
// only the baseline. Its table shows that run alone; its JSON keeps the usual shape
// ({"runs": {"deferred": R, "baseline": R}}) with both members holding the baseline run and
// "no_defer": true, so readers of the shape do not break and can tell; the SVG shows the baseline twice.
#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

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
  bool wide = false;
  std::size_t repeat = 1;
  std::string vm = "cpp";
};

std::string fixed3(double value) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(3) << sim::round_to_us(value);
  return out.str();
}

// The baseline alone (--no-defer): one row per command, the sums and the total, then the terms.
std::string single_run_table(const sim::RunTiming& run) {
  constexpr int kNumber = 11;
  std::ostringstream out;
  out << "Virtual time in ms.\n" << std::left << std::setw(18) << "command" << std::right;
  for (const char* column : {"HWT", "SEHT", "SEWT", "HPT", "deferred", "waited"}) out << std::setw(kNumber) << column;
  out << "\n";
  std::array<double, 6> sums{};
  const auto print_row = [&](const std::string& label, const std::array<double, 6>& values) {
    out << std::left << std::setw(18) << label << std::right;
    for (double value : values) out << std::setw(kNumber) << fixed3(value);
    out << "\n";
  };
  for (const auto& command : run.commands) {
    const std::array<double, 6> values = {command.hwt_ms, command.seht_ms,     command.sewt_ms,
                                          command.hpt_ms, command.deferred_ms, command.waited_ms};
    for (std::size_t c = 0; c < values.size(); ++c) sums[c] += values[c];
    print_row(command.name, values);
  }
  print_row("sum", sums);
  out << "transaction total: " << fixed3(run.total_ms) << " ms\n" << sim::render_terms(run, nullptr);
  return out.str();
}

// Who carries the APDUs (the link profile's hops by role): link time of each of the first
// transaction's commands on each role, command / response, one row per role so that the table
// stays within 100 columns whatever the roles are called.
std::string path_table(const sim::dk::DkRun& run, const sim::LinkProfile& link) {
  const std::size_t commands = std::min<std::size_t>(run.trace.size(), 5);
  std::vector<std::vector<sim::dk::RoleTime>> roles_of_command;
  for (std::size_t i = 0; i < commands; ++i) {
    const auto& trace = run.trace[i];
    roles_of_command.push_back(sim::dk::path_breakdown(link, trace.command_bytes, trace.response_bytes));
  }
  std::ostringstream out;
  out << "link time in ms per role on the path (" << link.name << "), command / response:\n";
  out << std::left << std::setw(24) << "role" << std::right;
  for (std::size_t i = 0; i < commands; ++i) out << std::setw(15) << run.trace[i].name;
  out << "\n";
  const std::size_t roles = roles_of_command.empty() ? 0 : roles_of_command.front().size();
  for (std::size_t r = 0; r < roles; ++r) {
    out << std::left << std::setw(24) << roles_of_command.front()[r].role << std::right;
    for (std::size_t i = 0; i < commands; ++i) {
      const auto& role = roles_of_command[i][r];
      out << std::setw(15)
          << fixed3(static_cast<double>(role.command_ns) / 1e6) + "/" +
                 fixed3(static_cast<double>(role.response_ns) / 1e6);
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
  config.vm = options.vm == "java" ? sim::dk::VehicleVm::java : sim::dk::VehicleVm::cpp;
  const bool java = config.vm == sim::dk::VehicleVm::java;

  const std::string title = "sefleet dk: " + config.se.name() + ", " + config.link.name + ", " + config.phone.name +
                            (options.repeat > 1 ? ", " + std::to_string(options.repeat) + " transactions" : "") +
                            (java ? ", Java vehicle applet on the Java Card VM" : "");
  if (options.no_defer) {
    const auto baseline = sim::dk::run_dk_scenario(config, false);
    if (!options.svg.empty())
      write_file(options.svg, sim::render_svg(baseline.timing, baseline.timing, title + " (baseline only)"));
    if (options.json) {
      nlohmann::json out =
          sim::dk_json(baseline.timing, baseline.timing, nlohmann::json{{"baseline", sim::dk::wall_json(baseline)}});
      out["no_defer"] = true;
      if (java) out["vm"] = "java";
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
    nlohmann::json out = sim::dk_json(comparison.deferred.timing, comparison.baseline.timing, wall);
    if (java) out["vm"] = "java";
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::cout << title << "\n"
            << sim::render_table(comparison.deferred.timing, comparison.baseline.timing,
                                 options.wide ? sim::TableWidth::wide : sim::TableWidth::narrow)
            << "\n"
            << path_table(comparison.deferred, config.link)
            << "door: " << protocols::dk::door_state_name(comparison.deferred.final_door)
            << ", transactions counted by the applet: " << comparison.deferred.transaction_counter << "\n"
            << "wall clock on this machine: deferred run " << fixed3(comparison.deferred.wall_total_ms)
            << " ms, baseline run " << fixed3(comparison.baseline.wall_total_ms) << " ms\n";
}

void setup_dk(CLI::App& root) {
  static DkOptions options;
  auto* dk = add_command(root, "dk",
                         "Digital-key scenario: phone -> reader -> CAN -> ECU SE, with and without deferred execution");
  dk->add_flag("--json", options.json,
               "JSON output: {\"runs\": {\"deferred\", \"baseline\"}, \"wall\"} (docs/digital-key.md)");
  dk->add_option("--svg", options.svg, "Write the SVG timeline (deferred run above the baseline) to FILE");
  dk->add_option("--profile", options.profile, "SE cost profile: built-in name (jcop4, older_chip) or JSON file")
      ->capture_default_str();
  dk->add_option("--link", options.link, "Link profile: iso14443_106|212|424|848, ble, uwb, or JSON file")
      ->capture_default_str();
  dk->add_option("--host", options.host, "Phone host profile: built-in name (phone) or JSON file")
      ->capture_default_str();
  dk->add_flag("--no-defer", options.no_defer, "Run only the baseline (deferred work done before each response)");
  dk->add_flag("--wide", options.wide,
               "Table with every column of both runs (wider than 100 columns); default: HWT of both runs, the "
               "rest of the run with deferral");
  dk->add_option("--repeat", options.repeat, "Transactions on the same card (1-1000)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  dk->add_option(
        "--vm", options.vm,
        "Vehicle applet: cpp (built-in C++ applet) or java (javacard/applets/org/sefleet/dk on the Java Card VM)")
      ->check(CLI::IsMember({"cpp", "java"}))
      ->capture_default_str();
  dk->callback([] { run_dk(options); });
}

const RegisterCommand dk_registration{"dk", setup_dk};

}  // namespace
}  // namespace sefleet::cli

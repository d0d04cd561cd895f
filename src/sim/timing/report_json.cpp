#include "sim/timing/report.hpp"
#include "sim/timing/report_format.hpp"

namespace sefleet::sim {
namespace {

nlohmann::json run_json(const RunTiming& run) {
  nlohmann::json commands = nlohmann::json::array();
  for (const CommandTiming& command : run.commands) {
    commands.push_back({
        {"name", command.name},
        {"hwt_ms", round_to_us(command.hwt_ms)},
        {"seht_ms", round_to_us(command.seht_ms)},
        {"sewt_ms", round_to_us(command.sewt_ms)},
        {"hpt_ms", round_to_us(command.hpt_ms)},
        {"deferred_ms", round_to_us(command.deferred_ms)},
        {"waited_ms", round_to_us(command.waited_ms)},
    });
  }
  return {{"commands", std::move(commands)}, {"total_ms", round_to_us(run.total_ms)}};
}

}  // namespace

nlohmann::json dk_json(const RunTiming& deferred, const RunTiming& baseline,
                       const std::optional<nlohmann::json>& wall) {
  report_format::require_same_commands(deferred, baseline);
  // nlohmann::json keeps object keys sorted, so the key order is stable whatever the insertion order.
  nlohmann::json document = {{"runs", {{"deferred", run_json(deferred)}, {"baseline", run_json(baseline)}}}};
  if (wall) {
    document["wall"] = *wall;
  }
  return document;
}

}  // namespace sefleet::sim

#include "sim/timing/report_format.hpp"

#include <cmath>

#include <fmt/format.h>

#include "core/error.hpp"
#include "sim/timing/report.hpp"

namespace sefleet::sim {

double round_to_us(double ms) noexcept {
  const double rounded = std::round(ms * 1000.0) / 1000.0;
  return rounded == 0.0 ? 0.0 : rounded;  // never print "-0"
}

namespace report_format {

void require_same_commands(const RunTiming& deferred, const RunTiming& baseline) {
  if (deferred.commands.empty() || baseline.commands.empty()) {
    throw Error(Errc::invalid_argument, "report: a run has no command");
  }
  if (deferred.commands.size() != baseline.commands.size()) {
    throw Error(Errc::invalid_argument, "report: the deferred run has " + std::to_string(deferred.commands.size()) +
                                            " commands, the baseline " + std::to_string(baseline.commands.size()));
  }
  for (std::size_t k = 0; k < deferred.commands.size(); ++k) {
    if (deferred.commands[k].name != baseline.commands[k].name) {
      throw Error(Errc::invalid_argument, "report: command " + std::to_string(k) + " is '" + deferred.commands[k].name +
                                              "' with deferral but '" + baseline.commands[k].name +
                                              "' in the baseline");
    }
  }
}

std::string fixed_ms(double ms) {
  return fmt::format("{:.3f}", round_to_us(ms));
}

std::optional<std::string> change_percent(double deferred_ms, double baseline_ms) {
  const double base = round_to_us(baseline_ms);
  if (base == 0.0) {
    return std::nullopt;
  }
  double change = (round_to_us(deferred_ms) - base) / base * 100.0;
  change = std::round(change * 10.0) / 10.0;
  return fmt::format("{:+.1f}%", change == 0.0 ? 0.0 : change);
}

}  // namespace report_format
}  // namespace sefleet::sim

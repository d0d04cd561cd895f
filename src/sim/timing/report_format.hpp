// Helpers shared by the three renderers. Internal to src/sim/timing.
#pragma once

#include <optional>
#include <string>

#include "sim/timing/timeline.hpp"

namespace sefleet::sim::report_format {

// Both runs must list the same commands in the same order; Error(invalid_argument) naming
// the first difference otherwise, or when a run is empty.
void require_same_commands(const RunTiming& deferred, const RunTiming& baseline);

// "12.345" (ms rounded to microseconds, fixed 3 decimals).
std::string fixed_ms(double ms);

// Relative change in percent ("-27.4%", "+0.0%"), nullopt when the baseline is 0.
std::optional<std::string> change_percent(double deferred_ms, double baseline_ms);

}  // namespace sefleet::sim::report_format

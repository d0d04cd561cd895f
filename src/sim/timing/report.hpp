// Renderers of a scenario's two runs (with deferral, and the --no-defer baseline): the JSON whose
// shape is fixed (docs/digital-key.md), a plain-text table, and an SVG timeline. All three are deterministic: the
// same RunTimings give the same bytes (numbers are rounded to microseconds before printing).
// Both runs must list the same commands in the same order; otherwise Error(invalid_argument).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sim/timing/timeline.hpp"

namespace sefleet::sim {

// {"runs": {"deferred": R, "baseline": R}} with R = {"commands": [{"name", "hwt_ms", "seht_ms",
// "sewt_ms", "hpt_ms", "deferred_ms", "waited_ms"}], "total_ms"}, and "wall": *wall when given.
nlohmann::json dk_json(const RunTiming& deferred, const RunTiming& baseline, const std::optional<nlohmann::json>& wall);

// One row per command, a "sum" row and the transaction totals, then what every term and total means
// (render_terms). Narrow (at most 100 columns with command names of up to 21 characters): HWT of
// both runs and its change in %, then SEHT, SEWT, HPT, deferred and waited of the run with
// deferral. Wide: each of those for both runs. ms, 3 decimals.
enum class TableWidth { narrow, wide };
std::string render_table(const RunTiming& deferred, const RunTiming& baseline, TableWidth width = TableWidth::narrow);

// The definitions printed under a table (HWT, SEHT, SEWT, HPT, deferred, waited, change when there
// is a baseline, sum) and the transaction total of `run` (and of `baseline`, when given) worked out
// as the HWT sum plus the HPT between commands.
std::string render_terms(const RunTiming& run, const RunTiming* baseline);

// A standalone SVG: the deferred run above the baseline, each with lanes host / link / SE / deferred,
// a block per command and phase, labels, a common time axis in ms, and a legend of the colours.
std::string render_svg(const RunTiming& deferred, const RunTiming& baseline, std::string_view title);

// Microsecond rounding used by every renderer (half away from zero).
double round_to_us(double ms) noexcept;

}  // namespace sefleet::sim

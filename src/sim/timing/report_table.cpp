#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sim/timing/report.hpp"
#include "sim/timing/report_format.hpp"

namespace sefleet::sim {
namespace {

using report_format::change_percent;
using report_format::fixed_ms;

struct Column {
  std::string_view title;
  double CommandTiming::*field;
};
// HWT first (with its change), then the other figures of both runs.
constexpr std::array<Column, 5> kOtherColumns = {{
    {"SEHT", &CommandTiming::seht_ms},
    {"SEWT", &CommandTiming::sewt_ms},
    {"HPT", &CommandTiming::hpt_ms},
    {"deferred", &CommandTiming::deferred_ms},
    {"waited", &CommandTiming::waited_ms},
}};
constexpr int kNumber = 9;  // width of one number column

std::string row(std::string_view label, std::size_t label_width, double hwt_deferred, double hwt_baseline,
                const std::array<std::pair<double, double>, kOtherColumns.size()>& others) {
  std::string line = fmt::format("{:<{}}  {:>{}} {:>{}} {:>8}", label, label_width, fixed_ms(hwt_deferred), kNumber,
                                 fixed_ms(hwt_baseline), kNumber,
                                 change_percent(hwt_deferred, hwt_baseline).value_or("n/a"));
  for (const auto& [with, without] : others) {
    line += fmt::format("  {:>{}} {:>{}}", fixed_ms(with), kNumber, fixed_ms(without), kNumber);
  }
  return line + "\n";
}

}  // namespace

std::string render_table(const RunTiming& deferred, const RunTiming& baseline) {
  report_format::require_same_commands(deferred, baseline);
  std::size_t label_width = std::string_view("command").size();
  for (const CommandTiming& command : deferred.commands) {
    label_width = std::max(label_width, command.name.size());
  }

  std::string out = "Virtual time in ms: each figure as \"with deferral / baseline (--no-defer)\".\n";
  std::string groups = fmt::format("{:<{}}  {:^{}}", "", label_width, "HWT", 2 * kNumber + 10);
  std::string titles = fmt::format("{:<{}}  {:>{}} {:>{}} {:>8}", "command", label_width, "deferred", kNumber,
                                   "baseline", kNumber, "change");
  for (const Column& column : kOtherColumns) {
    groups += fmt::format("  {:^{}}", column.title, 2 * kNumber + 1);
    titles += fmt::format("  {:>{}} {:>{}}", "deferred", kNumber, "baseline", kNumber);
  }
  out += groups + "\n" + titles + "\n";

  double sum_hwt_deferred = 0;
  double sum_hwt_baseline = 0;
  std::array<std::pair<double, double>, kOtherColumns.size()> sums{};
  for (std::size_t k = 0; k < deferred.commands.size(); ++k) {
    const CommandTiming& with = deferred.commands[k];
    const CommandTiming& without = baseline.commands[k];
    std::array<std::pair<double, double>, kOtherColumns.size()> others{};
    for (std::size_t c = 0; c < kOtherColumns.size(); ++c) {
      others[c] = {with.*kOtherColumns[c].field, without.*kOtherColumns[c].field};
      sums[c].first += others[c].first;
      sums[c].second += others[c].second;
    }
    sum_hwt_deferred += with.hwt_ms;
    sum_hwt_baseline += without.hwt_ms;
    out += row(with.name, label_width, with.hwt_ms, without.hwt_ms, others);
  }
  out += row("sum", label_width, sum_hwt_deferred, sum_hwt_baseline, sums);
  out += fmt::format("transaction total (first command sent -> last response at the host): {} ms with deferral, "
                     "{} ms baseline ({})\n",
                     fixed_ms(deferred.total_ms), fixed_ms(baseline.total_ms),
                     change_percent(deferred.total_ms, baseline.total_ms).value_or("n/a"));
  return out;
}

}  // namespace sefleet::sim

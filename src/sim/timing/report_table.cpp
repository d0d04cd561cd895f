// The plain-text table of `sefleet dk`: narrow by default (fits 100 columns: HWT of both runs, the
// other figures of the run with deferral), wide on request (every figure of both runs), always
// followed by what each term and each total means, with the arithmetic of the transaction total.
#include <algorithm>
#include <array>
#include <vector>

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
// HWT first (with its change), then the other figures.
constexpr std::array<Column, 5> kOtherColumns = {{
    {"SEHT", &CommandTiming::seht_ms},
    {"SEWT", &CommandTiming::sewt_ms},
    {"HPT", &CommandTiming::hpt_ms},
    {"deferred", &CommandTiming::deferred_ms},
    {"waited", &CommandTiming::waited_ms},
}};
constexpr int kNumber = 9;  // width of one number column
constexpr int kChange = 8;  // width of the HWT change column
using Others = std::array<std::pair<double, double>, kOtherColumns.size()>;

std::string row(std::string_view label, std::size_t label_width, double hwt_deferred, double hwt_baseline,
                const Others& others, bool wide) {
  std::string line =
      fmt::format("{:<{}}  {:>{}} {:>{}} {:>{}}", label, label_width, fixed_ms(hwt_deferred), kNumber,
                  fixed_ms(hwt_baseline), kNumber, change_percent(hwt_deferred, hwt_baseline).value_or("n/a"), kChange);
  for (const auto& [with, without] : others) {
    line += wide ? fmt::format("  {:>{}} {:>{}}", fixed_ms(with), kNumber, fixed_ms(without), kNumber)
                 : fmt::format(" {:>{}}", fixed_ms(with), kNumber);
  }
  return line + "\n";
}

std::string header(std::size_t label_width, bool wide) {
  if (wide) {
    std::string groups = fmt::format("{:<{}}  {:^{}}", "", label_width, "HWT", 2 * kNumber + kChange + 2);
    std::string titles = fmt::format("{:<{}}  {:>{}} {:>{}} {:>{}}", "command", label_width, "deferred", kNumber,
                                     "baseline", kNumber, "change", kChange);
    for (const Column& column : kOtherColumns) {
      groups += fmt::format("  {:^{}}", column.title, 2 * kNumber + 1);
      titles += fmt::format("  {:>{}} {:>{}}", "deferred", kNumber, "baseline", kNumber);
    }
    return "Virtual time in ms; each figure with deferral, then in the baseline (--no-defer).\n" + groups + "\n" +
           titles + "\n";
  }
  std::string titles = fmt::format("{:<{}}  {:>{}} {:>{}} {:>{}}", "command", label_width, "HWT", kNumber, "HWT base",
                                   kNumber, "change", kChange);
  for (const Column& column : kOtherColumns) titles += fmt::format(" {:>{}}", column.title, kNumber);
  return "Virtual time in ms. HWT with deferral and in the baseline (--no-defer); the other columns\n"
         "are the run with deferral (--wide shows them for both runs).\n" +
         titles + "\n";
}

// Every command's HPT but the last one's: the host's processing between the commands.
double hpt_between(const RunTiming& run) {
  double sum = 0;
  for (std::size_t k = 0; k + 1 < run.commands.size(); ++k) sum += run.commands[k].hpt_ms;
  return sum;
}

double hwt_sum(const RunTiming& run) {
  double sum = 0;
  for (const CommandTiming& command : run.commands) sum += command.hwt_ms;
  return sum;
}

}  // namespace

std::string render_table(const RunTiming& deferred, const RunTiming& baseline, TableWidth width) {
  report_format::require_same_commands(deferred, baseline);
  const bool wide = width == TableWidth::wide;
  std::size_t label_width = std::string_view("command").size();
  for (const CommandTiming& command : deferred.commands) {
    label_width = std::max(label_width, command.name.size());
  }

  std::string out = header(label_width, wide);
  Others sums{};
  for (std::size_t k = 0; k < deferred.commands.size(); ++k) {
    const CommandTiming& with = deferred.commands[k];
    const CommandTiming& without = baseline.commands[k];
    Others others{};
    for (std::size_t c = 0; c < kOtherColumns.size(); ++c) {
      others[c] = {with.*kOtherColumns[c].field, without.*kOtherColumns[c].field};
      sums[c].first += others[c].first;
      sums[c].second += others[c].second;
    }
    out += row(with.name, label_width, with.hwt_ms, without.hwt_ms, others, wide);
  }
  out += row("sum", label_width, hwt_sum(deferred), hwt_sum(baseline), sums, wide);
  out += fmt::format("transaction total: {} ms with deferral, {} ms baseline ({})\n", fixed_ms(deferred.total_ms),
                     fixed_ms(baseline.total_ms), change_percent(deferred.total_ms, baseline.total_ms).value_or("n/a"));
  return out + render_terms(deferred, &baseline);
}

std::string render_terms(const RunTiming& run, const RunTiming* baseline) {
  std::string out =
      "\n"
      "HWT       host wait time: the host sends the command -> the host has the response\n"
      "SEHT      SE handling time: the SE receives the command -> the SE sends the response\n"
      "SEWT      SE wait time: the SE sent the response -> the next command reaches it (0 for the last)\n"
      "HPT       host processing time: the host has the response -> it sends the next command\n"
      "deferred  work the SE runs after this response, in the SEWT that follows (none in the baseline)\n"
      "waited    time this command waited in the SE for deferred work still running (part of its HWT)\n";
  if (baseline != nullptr) {
    out += "change    HWT with deferral against the baseline, which does the same work before each response\n";
  }
  out += "sum       each column added over the commands\n";
  // The total is not the HWT sum: the host also spends its processing time between two commands.
  const auto total_line = [](const RunTiming& timing, std::string_view which) {
    return fmt::format("  {} + {} = {} ms {}\n", fixed_ms(hwt_sum(timing)), fixed_ms(hpt_between(timing)),
                       fixed_ms(timing.total_ms), which);
  };
  out +=
      "transaction total: the first command sent -> the last response at the host, which is the HWT sum\n"
      "plus the HPT between the commands (every command's HPT but the last one's); deferred work after\n"
      "the last response is not part of it:\n";
  out += total_line(run, baseline != nullptr ? "with deferral" : "");
  if (baseline != nullptr) out += total_line(*baseline, "baseline");
  return out;
}

}  // namespace sefleet::sim

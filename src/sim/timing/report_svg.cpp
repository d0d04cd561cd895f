// The SVG timeline: both runs one above the other on a common time axis. Every coordinate is printed
// with two decimals and every label comes from the RunTimings, so the same runs give the same bytes.
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "sim/timing/report.hpp"
#include "sim/timing/report_format.hpp"

namespace sefleet::sim {
namespace {

constexpr double kWidth = 1200;
constexpr double kLeft = 110;  // lane labels
constexpr double kRight = 20;
constexpr double kTitleHeight = 36;
constexpr double kRunHeader = 26;
constexpr double kLaneHeight = 24;
constexpr double kLaneGap = 6;
constexpr double kRunGap = 18;
constexpr double kAxisHeight = 40;
constexpr double kCharWidth = 6.2;  // approximate width of one 11 px sans-serif character
constexpr double kLegendRow = 20;
constexpr std::array<std::string_view, 4> kLanes = {"host", "link", "SE", "deferred"};

// What each colour means, in the order a command's life goes (the classes of the blocks drawn).
struct LegendEntry {
  std::string_view css_class;
  std::string_view text;
};
constexpr std::array<LegendEntry, 7> kLegend = {{
    {"hwt", "HWT: the host waits for the response"},
    {"command", "C: command on the link"},
    {"waited", "wait: command waits for deferred work"},
    {"seht", "SEHT: the SE handles the command"},
    {"response", "R: response on the link"},
    {"hpt", "HPT: the host processes the response"},
    {"deferred", "deferred work, after the response"},
}};

std::string escape_xml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // Control characters are not allowed in XML 1.0 text.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n') {
          out += c;
        }
    }
  }
  return out;
}

std::string num(double value) {
  return fmt::format("{:.2f}", value == 0.0 ? 0.0 : value);
}

// The legend's entries flowed into rows of the drawing's width, drawn into *out (or only measured
// when out is null); returns the rows' total height.
double draw_legend(std::string* out, double top) {
  double x = kLeft;
  double y = top;
  for (const LegendEntry& entry : kLegend) {
    const double width = 16 + static_cast<double>(entry.text.size()) * kCharWidth + 18;
    if (x + width > kWidth - kRight && x > kLeft) {
      x = kLeft;
      y += kLegendRow;
    }
    if (out != nullptr) {
      *out +=
          fmt::format(R"(<rect class="{}" x="{}" y="{}" width="12" height="12"/>)", entry.css_class, num(x), num(y));
      *out += fmt::format(R"(<text class="legend" x="{}" y="{}">{}</text>)", num(x + 16), num(y + 10),
                          escape_xml(entry.text));
      *out += "\n";
    }
    x += width;
  }
  return y - top + kLegendRow;
}

// A step of 1, 2 or 5 x 10^n ms giving about 8 to 20 ticks over `extent_ms`.
double tick_step(double extent_ms) {
  const double raw = extent_ms / 10.0;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (factor * magnitude >= raw) {
      return factor * magnitude;
    }
  }
  return 10.0 * magnitude;
}

class SvgWriter {
 public:
  SvgWriter(double extent_ns, double plot_width) : px_per_ns_(plot_width / extent_ns) {}

  double x(std::uint64_t ns) const { return kLeft + static_cast<double>(ns) * px_per_ns_; }

  // A block from `from` to `to` on a lane, with a tooltip and, when it fits, a label inside.
  void block(std::uint64_t from, std::uint64_t to, double lane_y, std::string_view css_class, std::string_view label,
             std::string_view tooltip) {
    if (to <= from) {
      return;
    }
    const double left = x(from);
    const double width = std::max(x(to) - left, 0.5);  // sub-pixel work stays visible
    out += fmt::format(R"(<rect class="{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>)", css_class,
                       num(left), num(lane_y + 2), num(width), num(kLaneHeight - 4), escape_xml(tooltip));
    out += "\n";
    if (!label.empty() && static_cast<double>(label.size()) * kCharWidth + 4 <= width) {
      out += fmt::format(R"(<text class="label" x="{}" y="{}">{}</text>)", num(left + width / 2),
                         num(lane_y + kLaneHeight / 2 + 4), escape_xml(label));
      out += "\n";
    }
  }

  std::string out;

 private:
  double px_per_ns_;
};

std::string ms_label(std::uint64_t from, std::uint64_t to) {
  return report_format::fixed_ms(ns_to_ms(to - from)) + " ms";
}

void draw_run(SvgWriter& svg, const RunTiming& run, std::string_view heading, double top) {
  svg.out += fmt::format(R"(<text class="run" x="{}" y="{}">{} (total {} ms)</text>)", num(kLeft), num(top + 17),
                         escape_xml(heading), report_format::fixed_ms(run.total_ms));
  svg.out += "\n";
  std::array<double, kLanes.size()> lane_y{};
  for (std::size_t lane = 0; lane < kLanes.size(); ++lane) {
    lane_y[lane] = top + kRunHeader + static_cast<double>(lane) * (kLaneHeight + kLaneGap);
    svg.out += fmt::format(R"(<rect class="lane" x="{}" y="{}" width="{}" height="{}"/>)", num(kLeft),
                           num(lane_y[lane]), num(kWidth - kLeft - kRight), num(kLaneHeight));
    svg.out += fmt::format(R"(<text class="lanename" x="{}" y="{}">{}</text>)", num(kLeft - 8),
                           num(lane_y[lane] + kLaneHeight / 2 + 4), kLanes[lane]);
    svg.out += "\n";
  }
  for (const CommandTiming& command : run.commands) {
    const CommandInstants& at = command.at;
    const std::string& name = command.name;
    svg.block(at.host_send_ns, at.host_receive_ns, lane_y[0], "hwt", name,
              name + ": HWT " + ms_label(at.host_send_ns, at.host_receive_ns));
    svg.block(at.host_receive_ns, at.host_next_send_ns, lane_y[0], "hpt", "HPT",
              name + ": HPT " + ms_label(at.host_receive_ns, at.host_next_send_ns));
    svg.block(at.host_send_ns, at.se_arrival_ns, lane_y[1], "command", "C",
              name + ": C-APDU on the link " + ms_label(at.host_send_ns, at.se_arrival_ns));
    svg.block(at.se_response_ns, at.host_receive_ns, lane_y[1], "response", "R",
              name + ": R-APDU on the link " + ms_label(at.se_response_ns, at.host_receive_ns));
    svg.block(at.se_arrival_ns, at.se_start_ns, lane_y[2], "waited", "wait",
              name + ": waited for deferred work " + ms_label(at.se_arrival_ns, at.se_start_ns));
    svg.block(at.se_start_ns, at.se_response_ns, lane_y[2], "seht", name,
              name + ": SEHT " + ms_label(at.se_start_ns, at.se_response_ns));
    svg.block(at.se_response_ns, at.deferred_end_ns, lane_y[3], "deferred", name,
              name + ": deferred work " + ms_label(at.se_response_ns, at.deferred_end_ns));
  }
}

}  // namespace

std::string render_svg(const RunTiming& deferred, const RunTiming& baseline, std::string_view title) {
  report_format::require_same_commands(deferred, baseline);
  const std::uint64_t extent_ns = std::max<std::uint64_t>({deferred.end_ns, baseline.end_ns, 1});
  const double plot_width = kWidth - kLeft - kRight;
  const double run_height = kRunHeader + static_cast<double>(kLanes.size()) * (kLaneHeight + kLaneGap);
  const double axis_top = kTitleHeight + 2 * run_height + kRunGap;
  const double height = axis_top + kAxisHeight + draw_legend(nullptr, 0);

  SvgWriter svg(static_cast<double>(extent_ns), plot_width);
  svg.out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  svg.out += fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif" font-size="11">)",
      num(kWidth), num(height));
  svg.out +=
      "\n<style>"
      ".lane{fill:#f4f4f4}.hwt{fill:#dde6f3}.hpt{fill:#9aa5b1}.command{fill:#f2c14e}.response{fill:#f5a65b}"
      ".seht{fill:#4e79a7}.waited{fill:#e15759}.deferred{fill:#59a14f}"
      ".label{text-anchor:middle;fill:#111}.lanename{text-anchor:end;fill:#333}"
      ".run{font-weight:bold}.title{font-size:14px;font-weight:bold}.tick{stroke:#999}"
      ".ticklabel{text-anchor:middle;fill:#333}.legend{fill:#333}"
      "</style>\n";
  svg.out += fmt::format(R"(<text class="title" x="{}" y="22">{}</text>)", num(kLeft), escape_xml(title));
  svg.out += "\n";

  draw_run(svg, deferred, "with deferral", kTitleHeight);
  draw_run(svg, baseline, "baseline (--no-defer)", kTitleHeight + run_height + kRunGap);

  // Time axis: a line with ticks across both runs.
  const double extent_ms = ns_to_ms(extent_ns);
  const double step = tick_step(extent_ms);
  svg.out += fmt::format(R"(<line class="tick" x1="{}" y1="{}" x2="{}" y2="{}"/>)", num(kLeft), num(axis_top),
                         num(kLeft + plot_width), num(axis_top));
  svg.out += "\n";
  for (int i = 0;; ++i) {
    const double ms = step * i;
    if (ms > extent_ms * (1 + 1e-9)) {
      break;
    }
    const double tick_x = kLeft + ms / extent_ms * plot_width;
    svg.out += fmt::format(R"(<line class="tick" x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", num(tick_x),
                           num(kTitleHeight), num(axis_top + 5));
    svg.out += fmt::format(R"(<text class="ticklabel" x="{}" y="{}">{}</text>)", num(tick_x), num(axis_top + 18),
                           fmt::format("{:g}", ms));
    svg.out += "\n";
  }
  svg.out +=
      fmt::format(R"(<text class="lanename" x="{}" y="{}">time (ms)</text>)", num(kLeft - 8), num(axis_top + 18));
  svg.out += "\n";
  draw_legend(&svg.out, axis_top + kAxisHeight - 8);
  svg.out += "</svg>\n";
  return svg.out;
}

}  // namespace sefleet::sim

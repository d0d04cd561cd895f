#include "sim/demo/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "offcard/api/json_codec.hpp"

namespace sefleet::sim::demo {
namespace {

std::string number(double value, int decimals = 2) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

namespace api = offcard::api;
using offcard::terminal::SeStatus;

// Colours by a final status or an attempt's label (terminal::status_name, AttemptRecord::label).
std::string color_of(const std::string& label) {
  if (label == "updated" || label == "staged" || label == "already_updated") return "#2e7d32";
  if (label == "retry") return "#ef6c00";
  if (label == "quarantined") return "#c62828";
  if (label == "unreachable") return "#795548";
  return "#6a1b9a";  // errors and refusals
}

// A legend row inside an SVG: one swatch and label per entry, starting at (x, y).
std::string svg_legend(const std::vector<std::pair<std::string, std::string>>& entries, double x, double y) {
  std::ostringstream svg;
  svg << "<g class=\"legend\">";
  for (const auto& [color, label] : entries) {
    svg << "<rect x=\"" << number(x, 1) << "\" y=\"" << number(y - 9, 1) << "\" width=\"10\" height=\"10\" fill=\""
        << color << "\"/><text x=\"" << number(x + 14, 1) << "\" y=\"" << number(y, 1) << "\" font-size=\"11\">"
        << html_escape(label) << "</text>";
    x += 24 + 6.5 * static_cast<double>(label.size());
  }
  svg << "</g>\n";
  return svg.str();
}

// A time axis under a plot: the line, five ticks labelled in seconds, and the axis title.
std::string time_axis(double left, double width, double y, double max_t) {
  std::ostringstream svg;
  svg << "<line x1=\"" << left << "\" x2=\"" << left + width << "\" y1=\"" << number(y, 1) << "\" y2=\"" << number(y, 1)
      << "\" stroke=\"#555\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    const double x = left + width * k / 4.0;
    svg << "<line x1=\"" << number(x, 1) << "\" x2=\"" << number(x, 1) << "\" y1=\"" << number(y, 1) << "\" y2=\""
        << number(y + 4, 1) << "\" stroke=\"#555\"/><text x=\"" << number(x, 1) << "\" y=\"" << number(y + 16, 1)
        << "\" text-anchor=\"middle\" font-size=\"11\">" << number(max_t * k / 4.0, 2) << " s</text>\n";
  }
  svg << "<text x=\"" << number(left + width / 2, 1) << "\" y=\"" << number(y + 32, 1)
      << "\" text-anchor=\"middle\" font-size=\"12\">seconds since the terminals started</text>\n";
  return svg.str();
}

// A vertical axis title, turned to read upwards, centred on [top, top + height].
std::string y_title(const std::string& title, double x, double top, double height) {
  const double y = top + height / 2;
  return "<text x=\"" + number(x, 1) + "\" y=\"" + number(y, 1) + "\" text-anchor=\"middle\" font-size=\"12\" " +
         "transform=\"rotate(-90 " + number(x, 1) + " " + number(y, 1) + ")\">" + html_escape(title) + "</text>\n";
}

std::string outcome_text(const std::optional<offcard::DeliveryOutcome>& outcome) {
  return outcome ? std::string(api::name(*outcome)) : std::string("-");
}

// Cumulative count of SEs that reached `status` by time t, as SVG polyline points.
std::string cumulative_points(const DemoResult& result, SeStatus status, double width, double height, double x0,
                              double y0, double max_t, std::size_t max_n) {
  std::vector<double> times;
  for (const auto& se : result.results) {
    if (se.status == status) times.push_back(se.finished);
  }
  std::sort(times.begin(), times.end());
  std::ostringstream points;
  const auto x = [&](double t) { return x0 + (max_t > 0 ? t / max_t : 0) * width; };
  const auto y = [&](std::size_t n) {
    return y0 + height - (max_n > 0 ? static_cast<double>(n) / static_cast<double>(max_n) : 0) * height;
  };
  points << number(x(0), 1) << "," << number(y(0), 1);
  for (std::size_t k = 0; k < times.size(); ++k) {
    points << " " << number(x(times[k]), 1) << "," << number(y(k), 1);
    points << " " << number(x(times[k]), 1) << "," << number(y(k + 1), 1);
  }
  points << " " << number(x(max_t), 1) << "," << number(y(times.size()), 1);
  return points.str();
}

std::string timeline_svg(const DemoResult& result) {
  const double left = 50, top = 20, width = 820, height = 220;
  double max_t = result.campaign_seconds;
  for (const auto& se : result.results) max_t = std::max(max_t, se.finished);
  if (max_t <= 0) max_t = 1;
  const std::size_t n = std::max<std::size_t>(1, result.results.size());
  std::ostringstream svg;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"" << (top + height + 64)
      << "\" role=\"img\" aria-label=\"SEs updated over time\">\n";
  svg << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << width << "\" height=\"" << height
      << "\" fill=\"#fafafa\" stroke=\"#999\"/>\n";
  for (int k = 0; k <= 4; ++k) {
    const double y = top + height - height * k / 4.0;
    svg << "<line x1=\"" << left << "\" x2=\"" << left + width << "\" y1=\"" << number(y, 1) << "\" y2=\""
        << number(y, 1) << "\" stroke=\"#ddd\"/><text x=\"" << left - 6 << "\" y=\"" << number(y + 4, 1)
        << "\" text-anchor=\"end\" font-size=\"11\">" << (n * static_cast<std::size_t>(k)) / 4 << "</text>\n";
  }
  svg << time_axis(left, width, top + height, max_t) << y_title("SEs (cumulative)", 14, top, height);
  svg << "<polyline fill=\"none\" stroke=\"#2e7d32\" stroke-width=\"2\" points=\""
      << cumulative_points(result, SeStatus::updated, width, height, left, top, max_t, n) << "\"/>\n";
  svg << "<polyline fill=\"none\" stroke=\"#c62828\" stroke-width=\"2\" points=\""
      << cumulative_points(result, SeStatus::quarantined, width, height, left, top, max_t, n) << "\"/>\n";
  // Each attempt that ended in "retry": a tick where it ended.
  for (const auto& se : result.results) {
    for (const auto& attempt : se.history) {
      if (attempt.decision != api::DeviceState::retry) continue;
      const double x = left + (attempt.started + attempt.seconds) / max_t * width;
      svg << "<line x1=\"" << number(x, 1) << "\" x2=\"" << number(x, 1) << "\" y1=\"" << top + height - 12
          << "\" y2=\"" << top + height << "\" stroke=\"#ef6c00\" stroke-width=\"2\"><title>"
          << html_escape(se.endpoint) << ": retry (" << html_escape(outcome_text(attempt.outcome))
          << ")</title></line>\n";
    }
  }
  svg << svg_legend(
      {{"#2e7d32", "SEs updated"}, {"#c62828", "SEs quarantined"}, {"#ef6c00", "attempt sent back for a retry (tick)"}},
      left, top + height + 56);
  svg << "</svg>\n";
  return svg.str();
}

// One row per SE, one bar per attempt, coloured by the server's decision.
std::string attempts_svg(const DemoResult& result) {
  const double left = 70, width = 800, row = 6, top = 5;
  double max_t = result.campaign_seconds;
  for (const auto& se : result.results) max_t = std::max(max_t, se.finished);
  if (max_t <= 0) max_t = 1;
  const std::size_t rows = result.results.size();
  const std::size_t shown = std::min<std::size_t>(rows, 400);  // a long fleet is sampled, not truncated silently
  const std::size_t step = shown == 0 ? 1 : (rows + shown - 1) / shown;
  std::ostringstream svg;
  const double height = static_cast<double>((rows + step - 1) / step) * row + 5;
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"900\" height=\"" << number(top + height + 64, 0)
      << "\" role=\"img\" aria-label=\"delivery attempts per SE\">\n";
  svg << "<line x1=\"" << left << "\" x2=\"" << left << "\" y1=\"" << top << "\" y2=\"" << number(top + height, 1)
      << "\" stroke=\"#555\"/>\n"
      << y_title(step > 1 ? "SEs (one row each, sampled)" : "SEs (one row each)", 40, top, height)
      << time_axis(left, width, top + height, max_t)
      << svg_legend({{color_of("updated"), "updated / staged"},
                     {color_of("retry"), "retry"},
                     {color_of("quarantined"), "quarantined"},
                     {color_of("unreachable"), "unreachable"},
                     {color_of("error"), "error or refusal"}},
                    left, top + height + 56);
  std::size_t line = 0;
  for (std::size_t k = 0; k < rows; k += step, ++line) {
    const auto& se = result.results[k];
    const double y = top + static_cast<double>(line) * row;
    for (const auto& attempt : se.history) {
      const double x = left + attempt.started / max_t * width;
      const double w = std::max(1.0, attempt.seconds / max_t * width);
      svg << "<rect x=\"" << number(x, 1) << "\" y=\"" << number(y, 1) << "\" width=\"" << number(w, 1)
          << "\" height=\"" << row - 1 << "\" fill=\"" << color_of(attempt.label()) << "\"><title>"
          << html_escape(se.endpoint) << " " << html_escape(se.se_id) << ": " << html_escape(attempt.label()) << " "
          << html_escape(outcome_text(attempt.outcome)) << " (" << number(attempt.seconds * 1000, 1)
          << " ms)</title></rect>\n";
    }
  }
  svg << "</svg>\n";
  if (step > 1) svg << "<p>One SE in " << step << " shown.</p>\n";
  return svg.str();
}

std::string counts_table(const std::map<std::string, std::size_t>& counts, const char* heading) {
  std::ostringstream out;
  out << "<table><tr><th>" << heading << "</th><th>count</th></tr>\n";
  for (const auto& [name, count] : counts) {
    out << "<tr><td><span class=\"dot\" style=\"background:" << color_of(name) << "\"></span>" << html_escape(name)
        << "</td><td class=\"n\">" << count << "</td></tr>\n";
  }
  out << "</table>\n";
  return out.str();
}

}  // namespace

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
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
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_html_report(const DemoResult& result) {
  const double rate =
      result.campaign_seconds > 0 ? static_cast<double>(result.results.size()) / result.campaign_seconds : 0;
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
       << "<title>sefleet demo: campaign " << html_escape(result.campaign_id) << "</title>\n"
       << "<style>body{font-family:sans-serif;margin:2em;max-width:960px}table{border-collapse:collapse;margin:1em 0}"
       << "td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}td.n{text-align:right}"
       << ".dot{display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:6px}"
       << ".bad{color:#c62828}.ok{color:#2e7d32}.filtered label{margin-right:1em}</style>\n</head>\n<body>\n";
  html << "<h1>sefleet demo: broadcast campaign</h1>\n";
  html << "<p>Campaign <code>" << html_escape(result.campaign_id) << "</code>, profile " << result.profile << ", image "
       << result.image_size << " bytes, PSE " << result.pse_bytes << " bytes (" << result.pse_commands
       << " commands, the same bytes for every SE), " << result.results.size() << " virtual SEs, " << result.terminals
       << " terminals over HTTP to the in-process server (SQLite).</p>\n";
  html << "<p>Setup " << number(result.setup_seconds) << " s; campaign " << number(result.campaign_seconds) << " s; <b>"
       << number(rate, 1) << " SEs/s</b>; " << result.attempts << " delivery attempts. Result: "
       << (result.as_planned()
               ? "<b class=\"ok\">every SE ended as planned</b>"
               : "<b class=\"bad\">" + std::to_string(result.unexpected.size()) + " SE(s) did not end as planned</b>")
       << ".</p>\n";
  html << "<h2>Outcomes</h2>\n"
       << counts_table(result.finals, "final state") << counts_table(result.decisions, "decisions (all attempts)");
  html << "<p>The server's count: ";
  bool first = true;
  for (const auto& [state, name] : api::EnumNames<api::DeviceState>::entries) {
    html << (first ? "" : ", ") << name << " " << result.campaign.progress[state];
    first = false;
  }
  html << "; campaign state " << api::name(result.campaign.state) << ".</p>\n";
  html << "<h2>Timeline</h2>\n<p><span class=\"dot\" style=\"background:#2e7d32\"></span>SEs updated, "
       << "<span class=\"dot\" style=\"background:#c62828\"></span>SEs quarantined, "
       << "<span class=\"dot\" style=\"background:#ef6c00\"></span>attempts the server sent back for a retry.</p>\n"
       << timeline_svg(result);
  html << "<h3>Delivery attempts</h3>\n<p>One row per SE, one bar per attempt, coloured by the server's decision.</p>\n"
       << attempts_svg(result);
  const auto& samples = result.timeline.samples;
  html << "<h3>Server timeline samples</h3>\n<p>" << samples.size()
       << " samples recorded by the server (GET /v1/campaigns/{id}/timeline); the last: <code>"
       << html_escape(samples.empty() ? std::string("none")
                                      : api::to_json(api::Timeline{{samples.back()}}).at("samples").at(0).dump())
       << "</code></p>\n";
  html << "<h2>SEs made to fail on purpose</h2>\n<table><tr><th>SE</th><th>fault</th><th>why</th><th>final</th>"
       << "<th>attempts</th><th>outcome</th></tr>\n";
  for (const auto& se : result.results) {
    const auto fault = result.faults.find(se.endpoint);
    if (fault == result.faults.end()) continue;
    html << "<tr><td>" << html_escape(se.endpoint) << " <code>" << html_escape(se.se_id) << "</code></td><td>"
         << html_escape(fault->second.kind) << "</td><td>" << html_escape(fault->second.why) << "</td><td>"
         << html_escape(std::string(status_name(se.status))) << "</td><td class=\"n\">" << se.attempts << "</td><td>"
         << html_escape(se.reason) << "</td></tr>\n";
  }
  html << "</table>\n";
  if (!result.unexpected.empty()) {
    html << "<h2 class=\"bad\">Not as planned</h2>\n<ul>\n";
    for (const auto& line : result.unexpected) html << "<li>" << html_escape(line) << "</li>\n";
    html << "</ul>\n";
  }
  // The filter is CSS only (the page has no script): a radio button per final state hides the other rows.
  html << "<h2>Every SE</h2>\n<div class=\"filtered\">\n<span>Show: </span>"
       << "<input type=\"radio\" name=\"final\" id=\"final-all\" checked=\"checked\"/>"
       << "<label for=\"final-all\">all (" << result.results.size() << ")</label>\n";
  std::ostringstream filter_css;
  for (const auto& [name, count] : result.finals) {
    const std::string id = "final-" + html_escape(name);
    html << "<input type=\"radio\" name=\"final\" id=\"" << id << "\"/><label for=\"" << id << "\">"
         << html_escape(name) << " (" << count << ")</label>\n";
    filter_css << "#" << id << ":checked~table tr.se:not(." << id << "){display:none}";
  }
  html << "<style>" << filter_css.str() << "</style>\n";
  html << "<table id=\"every-se\"><tr><th>SE</th><th>id</th><th>final</th><th>attempts</th><th>seconds</th>"
       << "<th>detail</th></tr>\n";
  for (const auto& se : result.results) {
    html << "<tr class=\"se final-" << html_escape(std::string(status_name(se.status))) << "\"><td>"
         << html_escape(se.endpoint) << "</td><td><code>" << html_escape(se.se_id) << "</code></td><td>"
         << "<span class=\"dot\" style=\"background:" << color_of(std::string(status_name(se.status))) << "\"></span>"
         << html_escape(std::string(status_name(se.status))) << "</td><td class=\"n\">" << se.attempts
         << "</td><td class=\"n\">" << number(se.finished - se.started, 3) << "</td><td>" << html_escape(se.reason)
         << "</td></tr>\n";
  }
  html << "</table>\n</div>\n</body>\n</html>\n";
  return html.str();
}

void write_html_report(const std::filesystem::path& path, const DemoResult& result) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << render_html_report(result);
    if (!out.flush()) throw Error(Errc::io_error, "cannot write " + temporary.string());
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw Error(Errc::io_error, "cannot write " + path.string() + ": " + ec.message());
}

}  // namespace sefleet::sim::demo

// The renderers: JSON in its fixed shape (docs/digital-key.md), a table with every command that fits
// 100 columns unless asked wide and explains its terms and totals, a well-formed SVG with a legend,
// and all three byte-for-byte deterministic.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sim/timing/report.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::sim {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

LinkProfile test_link() {
  return LinkProfile::from_json(R"({"kind": "link", "name": "test", "description": "d",
    "hops": [{"name": "wire", "segment": "air", "fixed_us": 87, "per_frame_us": 0, "per_byte_us": 21,
              "frame_overhead_bytes": 3, "max_frame_payload": 0, "source": "test"}]})");
}

// The same scenario as a driver would trace it, once with deferral and once without.
std::pair<RunTiming, RunTiming> runs(const std::string& odd_name = "AUTH0 <\"fast\"> & co") {
  const std::vector<CommandTrace> deferred = {
      {"SELECT", 13, 20, kMs / 2, 0, 1 * kMs},
      {odd_name, 113, 87, 28 * kMs, 0, 3 * kMs},
      {"AUTH1", 72, 84, 95 * kMs + 123'456, 38 * kMs + 7, 2 * kMs},
      {"EXCHANGE", 40, 30, 9 * kMs, 6 * kMs, 1 * kMs},
      {"CONTROL_FLOW", 6, 2, kMs, 0, 0},
  };
  std::vector<CommandTrace> baseline = deferred;
  for (CommandTrace& command : baseline) {
    command.se_ns += command.deferred_ns;
    command.deferred_ns = 0;
  }
  return {compute_timeline(deferred, test_link()), compute_timeline(baseline, test_link())};
}

TEST(TimingReport, JsonHasExactlyTheDesignShape) {
  const auto [deferred, baseline] = runs();
  const nlohmann::json json = dk_json(deferred, baseline, std::nullopt);
  ASSERT_EQ(json.size(), 1u);
  ASSERT_TRUE(json.contains("runs"));
  ASSERT_EQ(json["runs"].size(), 2u);
  for (const char* run : {"deferred", "baseline"}) {
    const nlohmann::json& r = json["runs"][run];
    ASSERT_EQ(r.size(), 2u) << run;
    ASSERT_TRUE(r["total_ms"].is_number_float());
    ASSERT_EQ(r["commands"].size(), 5u);
    for (const nlohmann::json& command : r["commands"]) {
      ASSERT_EQ(command.size(), 7u);
      EXPECT_TRUE(command["name"].is_string());
      for (const char* key : {"hwt_ms", "seht_ms", "sewt_ms", "hpt_ms", "deferred_ms", "waited_ms"}) {
        EXPECT_TRUE(command[key].is_number()) << key;
      }
    }
  }
  // Same order in both runs, figures rounded to microseconds.
  EXPECT_EQ(json["runs"]["deferred"]["commands"][2]["name"], "AUTH1");
  EXPECT_EQ(json["runs"]["baseline"]["commands"][2]["name"], "AUTH1");
  EXPECT_DOUBLE_EQ(json["runs"]["deferred"]["commands"][2]["seht_ms"].get<double>(), 95.123);
  EXPECT_DOUBLE_EQ(json["runs"]["deferred"]["commands"][2]["deferred_ms"].get<double>(), 38.0);
  EXPECT_DOUBLE_EQ(json["runs"]["baseline"]["commands"][2]["seht_ms"].get<double>(), 133.123);
  // No figure carries more than three decimals once printed.
  const std::string text = json.dump();
  std::size_t digits = 0;
  bool after_point = false;
  for (char c : text) {
    after_point = c == '.' || (after_point && c >= '0' && c <= '9');
    digits = (after_point && c != '.') ? digits + 1 : 0;
    EXPECT_LE(digits, 3u) << text;
  }

  const nlohmann::json wall = {{"runs", {{"deferred", {{"total_ms", 1.5}}}}}};
  const nlohmann::json with_wall = dk_json(deferred, baseline, wall);
  EXPECT_EQ(with_wall["wall"], wall);
  EXPECT_EQ(with_wall["runs"], json["runs"]);
}

TEST(TimingReport, RenderingIsDeterministicByteForByte) {
  const auto [d1, b1] = runs();
  const auto [d2, b2] = runs();
  EXPECT_EQ(dk_json(d1, b1, std::nullopt).dump(2), dk_json(d2, b2, std::nullopt).dump(2));
  EXPECT_EQ(render_table(d1, b1), render_table(d2, b2));
  EXPECT_EQ(render_svg(d1, b1, "dk"), render_svg(d2, b2, "dk"));
  // And a different run gives a different picture.
  EXPECT_NE(render_svg(d1, b1, "dk"), render_svg(b1, b1, "dk"));
}

TEST(TimingReport, TableHasEveryCommandBothRunsAndTheHwtChange) {
  const auto [deferred, baseline] = runs("AUTH0");
  const std::string table = render_table(deferred, baseline);
  for (const CommandTiming& command : deferred.commands) {
    EXPECT_NE(table.find("\n" + command.name + " "), std::string::npos) << command.name << "\n" << table;
  }
  EXPECT_NE(table.find("sum"), std::string::npos);
  EXPECT_NE(table.find("transaction total"), std::string::npos);
  // AUTH1's HWT with and without deferral and its change, printed in the AUTH1 row.
  const CommandTiming& with = deferred.commands[2];
  const CommandTiming& without = baseline.commands[2];
  const double change =
      std::round((round_to_us(with.hwt_ms) - round_to_us(without.hwt_ms)) / round_to_us(without.hwt_ms) * 1000.0) /
      10.0;
  char expected[64];
  std::snprintf(expected, sizeof expected, "%.3f", round_to_us(with.hwt_ms));
  const std::size_t row = table.find("\nAUTH1 ");
  const std::string line = table.substr(row + 1, table.find('\n', row + 1) - row - 1);
  EXPECT_NE(line.find(expected), std::string::npos) << line;
  std::snprintf(expected, sizeof expected, "%.3f", round_to_us(without.hwt_ms));
  EXPECT_NE(line.find(expected), std::string::npos) << line;
  std::snprintf(expected, sizeof expected, "%+.1f%%", change);
  EXPECT_NE(line.find(expected), std::string::npos) << line << " expected " << expected;
  EXPECT_LT(change, -25.0);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  for (std::size_t end; (end = text.find('\n', at)) != std::string::npos; at = end + 1)
    lines.push_back(text.substr(at, end - at));
  return lines;
}

TEST(TimingReport, NarrowTableFitsHundredColumnsAndWideShowsBothRuns) {
  const auto [deferred, baseline] = runs("AUTH0");
  const std::string narrow = render_table(deferred, baseline);
  for (const std::string& line : lines_of(narrow)) EXPECT_LE(line.size(), 100u) << line;
  const std::string wide = render_table(deferred, baseline, TableWidth::wide);
  std::size_t widest = 0;
  for (const std::string& line : lines_of(wide)) widest = std::max(widest, line.size());
  EXPECT_GT(widest, 100u);
  // The baseline's SEHT of AUTH1 (its deferred work done before the response) only in the wide table.
  char baseline_seht[32];
  std::snprintf(baseline_seht, sizeof baseline_seht, " %.3f", round_to_us(baseline.commands[2].seht_ms));
  const auto auth1_row = [](const std::string& table) {
    const std::size_t row = table.find("\nAUTH1 ");
    return table.substr(row + 1, table.find('\n', row + 1) - row - 1);
  };
  EXPECT_EQ(auth1_row(narrow).find(baseline_seht), std::string::npos) << auth1_row(narrow);
  EXPECT_NE(auth1_row(wide).find(baseline_seht), std::string::npos) << auth1_row(wide);
  EXPECT_NE(wide.find("baseline"), std::string::npos);
}

TEST(TimingReport, TableDefinesItsTermsAndWorksOutTheTransactionTotal) {
  const auto [deferred, baseline] = runs("AUTH0");
  const std::string table = render_table(deferred, baseline);
  for (const char* term :
       {"\nHWT ", "\nSEHT ", "\nSEWT ", "\nHPT ", "\ndeferred ", "\nwaited ", "\nchange ", "\nsum "}) {
    EXPECT_NE(table.find(term), std::string::npos) << term;
  }
  // total = the HWT sum + every HPT but the last, for both runs, with the figures printed.
  for (const RunTiming* run : {&deferred, &baseline}) {
    double hwt = 0, hpt = 0;
    for (std::size_t k = 0; k < run->commands.size(); ++k) {
      hwt += run->commands[k].hwt_ms;
      if (k + 1 < run->commands.size()) hpt += run->commands[k].hpt_ms;
    }
    EXPECT_NEAR(hwt + hpt, run->total_ms, 1e-9);
    char sum[96];
    std::snprintf(sum, sizeof sum, "%.3f + %.3f = %.3f ms", round_to_us(hwt), round_to_us(hpt),
                  round_to_us(run->total_ms));
    EXPECT_NE(table.find(sum), std::string::npos) << sum << "\n" << table;
  }
  // A single run (the --no-defer table) has no "change" to define.
  const std::string terms = render_terms(baseline, nullptr);
  EXPECT_EQ(terms.find("\nchange "), std::string::npos);
  EXPECT_NE(terms.find("transaction total"), std::string::npos);
}

TEST(TimingReport, SvgIsWellFormedXmlWithBothRunsAndAllLanes) {
  const auto [deferred, baseline] = runs();
  const std::string svg = render_svg(deferred, baseline, "digital key <test> & \"quotes\"");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(svg.find("with deferral"), std::string::npos);
  EXPECT_NE(svg.find("baseline (--no-defer)"), std::string::npos);
  EXPECT_EQ(svg.find("<test>"), std::string::npos);  // escaped
  EXPECT_NE(svg.find("digital key &lt;test&gt; &amp; &quot;quotes&quot;"), std::string::npos);
  // The legend: one 12 x 12 swatch per colour a block can have, each next to its meaning.
  for (const char* css : {"hwt", "hpt", "command", "response", "seht", "waited", "deferred"}) {
    const std::regex swatch(std::string("<rect class=\"") + css +
                            "\" x=\"[0-9.]+\" y=\"[0-9.]+\" width=\"12\" height=\"12\"/>");
    EXPECT_TRUE(std::regex_search(svg, swatch)) << css;
  }
  for (const char* text : {"HWT: the host waits for the response", "HPT: the host processes the response",
                           "C: command on the link", "R: response on the link", "SEHT: the SE handles the command",
                           "wait: command waits for deferred work", "deferred work, after the response"}) {
    EXPECT_NE(svg.find(std::string("class=\"legend\"")), std::string::npos);
    EXPECT_NE(svg.find(std::string(">") + text + "</text>"), std::string::npos) << text;
  }

  // Parse it with a real XML parser and check the structure.
  test::TempDir dir;
  const std::string path = (dir.path() / "timeline.svg").string();
  std::ofstream(path, std::ios::binary) << svg;
  const std::string script =
      "import sys, xml.etree.ElementTree as E\n"
      "ns = '{http://www.w3.org/2000/svg}'\n"
      "root = E.parse(sys.argv[1]).getroot()\n"
      "assert root.tag == ns + 'svg', root.tag\n"
      "rects = root.findall(ns + 'rect')\n"
      "swatches = [r.get('class') for r in rects if r.get('width') == '12' and r.find(ns + 'title') is None]\n"
      "assert sorted(swatches) == sorted(['hwt', 'hpt', 'command', 'response', 'seht', 'waited', 'deferred']), "
      "swatches\n"
      "rects = [r for r in rects if not (r.get('width') == '12' and r.find(ns + 'title') is None)]\n"
      "classes = [r.get('class') for r in rects]\n"
      "for c in ('lane', 'hwt', 'hpt', 'command', 'response', 'seht', 'deferred'):\n"
      "    assert c in classes, c\n"
      "assert classes.count('lane') == 8, classes.count('lane')\n"
      "assert classes.count('seht') == 10, classes.count('seht')\n"
      "assert classes.count('deferred') == 2, classes.count('deferred')\n"
      "texts = [t.text for t in root.findall(ns + 'text')]\n"
      "for lane in ('host', 'link', 'SE', 'deferred'):\n"
      "    assert texts.count(lane) == 2, lane\n"
      "assert any(t and t.startswith('AUTH0 <\"fast\"> & co') for t in \n"
      "           [e.text for e in root.iter(ns + 'title')]), 'tooltips unescaped wrongly'\n";
  const std::string script_path = (dir.path() / "check.py").string();
  std::ofstream(script_path) << script;
  const std::string run = "/usr/bin/python3 " + script_path + " " + path;
  EXPECT_EQ(std::system(run.c_str()), 0) << svg;
}

TEST(TimingReport, RunsThatDoNotMatchAreRefused) {
  const auto [deferred, baseline] = runs();
  RunTiming shorter = baseline;
  shorter.commands.pop_back();
  EXPECT_THROW((void)dk_json(deferred, shorter, std::nullopt), Error);
  EXPECT_THROW((void)render_table(deferred, shorter), Error);
  EXPECT_THROW((void)render_svg(deferred, shorter, "x"), Error);
  RunTiming renamed = baseline;
  renamed.commands[1].name = "AUTH9";
  EXPECT_THROW((void)dk_json(deferred, renamed, std::nullopt), Error);
  EXPECT_THROW((void)render_table(RunTiming{}, RunTiming{}), Error);
}

TEST(TimingReport, RoundsToMicrosecondsWithoutNegativeZero) {
  EXPECT_DOUBLE_EQ(round_to_us(1.2345678), 1.235);
  EXPECT_DOUBLE_EQ(round_to_us(0.0004), 0.0);
  EXPECT_FALSE(std::signbit(round_to_us(-0.0004)));
}

}  // namespace
}  // namespace sefleet::sim

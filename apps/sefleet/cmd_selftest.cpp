// sefleet selftest: checks this build's cryptography, SCP03 and SCP11 (both roles where the vectors
// allow) against every public vector (compiled in, or read from --vectors DIR) and prints what passed.
// In DIR, scp03.json (with scp03_checkpoints.json) and every scp11*.json file are checked; a
// directory with none of them is refused.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "embedded_vectors.hpp"
#include "gp/selftest/scp11_vector_check.hpp"
#include "gp/selftest/vector_check.hpp"

namespace sefleet::cli {
namespace {

struct SelftestOptions {
  std::string vectors_dir;
  bool json = false;
  bool verbose = false;
};

nlohmann::json load(const SelftestOptions& options, const std::string& file, std::string_view embedded) {
  try {
    if (options.vectors_dir.empty()) return nlohmann::json::parse(embedded);
    const std::string path = options.vectors_dir + "/" + file;
    std::ifstream in(path);
    if (!in) throw Error(Errc::io_error, "cannot read " + path);
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw Error(Errc::parse_error, file + ": " + e.what());
  }
}

// The SCP11 vector files of --vectors DIR: scp11*.json, in name order.
std::vector<std::string> scp11_files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind("scp11", 0) == 0 && entry.path().extension() == ".json") {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<gp::selftest::VectorResult> run_checks(const SelftestOptions& options) {
  std::vector<gp::selftest::VectorResult> results;
  const bool embedded = options.vectors_dir.empty();
  if (embedded || std::filesystem::exists(options.vectors_dir + "/scp03.json")) {
    const auto scp03 = load(options, "scp03.json", embedded_vector_file("scp03.json"));
    const auto checkpoints = load(options, "scp03_checkpoints.json", embedded_vector_file("scp03_checkpoints.json"));
    results = gp::selftest::check_scp03_vectors(scp03);
    const auto more = gp::selftest::check_scp03_checkpoints(checkpoints, scp03);
    results.insert(results.end(), more.begin(), more.end());
  }
  const std::vector<std::string> scp11 =
      embedded ? std::vector<std::string>{"scp11.json"} : scp11_files(options.vectors_dir);
  for (const auto& file : scp11) {
    auto more = gp::selftest::check_scp11_vectors(load(options, file, embedded_vector_file("scp11.json")));
    for (auto& result : more) result.file = file;
    results.insert(results.end(), more.begin(), more.end());
  }
  if (results.empty()) {
    throw Error(Errc::not_found, "no vector files in " + options.vectors_dir + " (scp03.json or scp11*.json)");
  }
  return results;
}

void run_selftest(const SelftestOptions& options) {
  const auto results = run_checks(options);

  std::size_t failed = 0;
  for (const auto& r : results) failed += r.passed ? 0 : 1;
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : results) {
      out.push_back(
          {{"file", r.file}, {"category", r.category}, {"id", r.id}, {"passed", r.passed}, {"detail", r.detail}});
    }
    std::cout << nlohmann::json{{"passed", results.size() - failed}, {"failed", failed}, {"results", out}}.dump(2)
              << "\n";
  } else {
    struct Row {
      std::size_t passed = 0, failed = 0;
      std::string file;
    };
    std::map<std::string, Row> rows;
    for (const auto& r : results) {
      auto& row = rows[r.category];
      row.file = r.file;
      (r.passed ? row.passed : row.failed)++;
    }
    std::cout << std::left << std::setw(24) << "category" << std::setw(26) << "file" << std::right << std::setw(8)
              << "passed" << std::setw(8) << "failed"
              << "\n";
    for (const auto& [category, row] : rows) {
      std::cout << std::left << std::setw(24) << category << std::setw(26) << row.file << std::right << std::setw(8)
                << row.passed << std::setw(8) << row.failed << "\n";
    }
    for (const auto& r : results) {
      if (!r.passed || options.verbose) {
        std::cout << (r.passed ? "  ok    " : "  FAIL  ") << r.category << " " << r.id << ": " << r.detail << "\n";
      }
    }
    std::cout << (failed == 0 ? "selftest passed: " : "selftest FAILED: ") << results.size() - failed << " of "
              << results.size() << " vectors\n";
  }
  if (failed != 0) throw CommandFailed{1};
}

const RegisterCommand selftest_registration{
    "selftest", [](CLI::App& root) {
      auto options = std::make_shared<SelftestOptions>();
      auto* cmd = add_command(root, "selftest",
                              "Check crypto, SCP03 and SCP11 (host and card roles) against the public vectors");
      cmd->add_option("--vectors", options->vectors_dir,
                      "Directory holding scp03.json with scp03_checkpoints.json and/or scp11*.json files (default: "
                      "the copies compiled in)")
          ->check(CLI::ExistingDirectory);
      cmd->add_flag("--json", options->json, "Print every result as JSON");
      cmd->add_flag("-v,--verbose", options->verbose, "List every vector, not only failures");
      cmd->callback([options] { run_selftest(*options); });
    }};

}  // namespace
}  // namespace sefleet::cli

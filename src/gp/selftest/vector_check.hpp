// Checks the public SCP03 vector files (tests/vectors/scp03.json and scp03_checkpoints.json, embedded in the binary)
// against this implementation: every vector of every category, both roles where a vector describes a session. Used by
// `sefleet selftest` and by the test suite, so the product and the tests check the same thing. An unknown category or a
// malformed vector is a failed result, never a skip.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace sefleet::gp::selftest {

struct VectorResult {
  std::string file;      // "scp03.json" or "scp03_checkpoints.json"
  std::string category;  // e.g. "kdf_scp03", "scp03_session", "checkpoints"
  std::string id;
  bool passed = false;
  std::string detail;  // what was checked, or what went wrong
};

// One result per vector of scp03.json.
std::vector<VectorResult> check_scp03_vectors(const nlohmann::json& scp03);
// One result per session of scp03_checkpoints.json; the sessions' inputs come from scp03.json.
std::vector<VectorResult> check_scp03_checkpoints(const nlohmann::json& checkpoints, const nlohmann::json& scp03);

}  // namespace sefleet::gp::selftest

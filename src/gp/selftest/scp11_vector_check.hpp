// Checks the SCP11 vector file (tests/vectors/scp11.json, embedded in the binary) against this
// implementation: the external SCP11a session from the OCE's side (its private keys are public; the
// card's are not), the synthetic SCP11b session from both sides, and the GlobalPlatform-format
// certificate examples. Used by `sefleet selftest` and by the test suite. Each of these sections
// present in the file is checked (a held-out file may carry only some); a file with none of them, a
// section without cases, or a malformed field is a failed result, never a skip.
#pragma once

#include <nlohmann/json.hpp>

#include <vector>

#include "gp/selftest/vector_check.hpp"

namespace sefleet::gp::selftest {

std::vector<VectorResult> check_scp11_vectors(const nlohmann::json& scp11);

}  // namespace sefleet::gp::selftest

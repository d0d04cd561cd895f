// Replays recorded SCP03 sessions (scp03_session vectors and their checkpoints) through both roles:
// the host must produce every recorded command byte for byte and accept every recorded response; the
// card must accept every recorded command, give back the plain command, and produce the recorded
// responses (or, where a recorded card padded non-minimally, refuse to copy that padding).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "gp/selftest/vector_fields.hpp"

namespace sefleet::gp::selftest {

std::string check_session_vector(const nlohmann::json& vector);
std::string check_checkpoint_session(const nlohmann::json& session, const nlohmann::json& scp03);

}  // namespace sefleet::gp::selftest

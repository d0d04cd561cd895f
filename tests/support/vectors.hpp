// Loads the shared public test vectors (SEFLEET_VECTORS_DIR, set by CMake for every test).
// A missing or unreadable file is a test failure, never a silent skip.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/bytes.hpp"

namespace sefleet::test {

// Parsed JSON of <vectors dir>/<file>; throws std::runtime_error with the path when unavailable.
nlohmann::json load_vectors(const std::string& file);

// The directory the vectors come from.
std::string vectors_dir();

// The repository root, and the built sefleet executable (for tests that drive the CLI).
std::string source_dir();
std::string sefleet_binary();

// Hex field of a JSON object; throws naming the field when absent or malformed.
Bytes hex_field(const nlohmann::json& object, const std::string& field);

}  // namespace sefleet::test

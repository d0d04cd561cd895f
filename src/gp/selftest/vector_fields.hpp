// Small accessors for the vector JSON layout ({"inputs": {...}, "expected": {...}}), with errors that
// name the missing field or the first differing value.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/bytes.hpp"

namespace sefleet::gp::selftest {

Bytes hex_at(const nlohmann::json& object, const std::string& field);
Bytes hex_input(const nlohmann::json& vector, const std::string& field);
Bytes hex_expected(const nlohmann::json& vector, const std::string& field);
// Throws Error(Errc::integrity_error) "<what>: expected X, got Y" when the bytes differ.
void expect_equal(const std::string& what, ByteView actual, ByteView expected);

}  // namespace sefleet::gp::selftest

#include "gp/selftest/vector_fields.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::gp::selftest {

Bytes hex_at(const nlohmann::json& object, const std::string& field) {
  if (!object.is_object() || !object.contains(field) || !object.at(field).is_string()) {
    throw Error(Errc::parse_error, "vector field \"" + field + "\" is missing or not a string");
  }
  return from_hex(object.at(field).get<std::string>());
}

Bytes hex_input(const nlohmann::json& vector, const std::string& field) {
  if (!vector.contains("inputs")) throw Error(Errc::parse_error, "vector has no \"inputs\"");
  return hex_at(vector.at("inputs"), field);
}

Bytes hex_expected(const nlohmann::json& vector, const std::string& field) {
  if (!vector.contains("expected")) throw Error(Errc::parse_error, "vector has no \"expected\"");
  return hex_at(vector.at("expected"), field);
}

void expect_equal(const std::string& what, ByteView actual, ByteView expected) {
  if (!std::equal(actual.begin(), actual.end(), expected.begin(), expected.end())) {
    throw Error(Errc::integrity_error, what + ": expected " + to_hex(expected) + ", got " + to_hex(actual));
  }
}

}  // namespace sefleet::gp::selftest

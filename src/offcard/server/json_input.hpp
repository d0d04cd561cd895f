// Reading request bodies: every refusal is an ApiError 400 that names the field (docs/api.md), so a
// terminal or operator sees at once what to fix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"

namespace sefleet::offcard::server {

// The body as a JSON object; 400 malformed_json otherwise.
nlohmann::json parse_json_object(std::string_view body);

bool has_field(const nlohmann::json& object, const std::string& field);  // present and not null
std::string string_field(const nlohmann::json& object, const std::string& field);
std::optional<std::string> optional_string_field(const nlohmann::json& object, const std::string& field);
std::int64_t integer_field(const nlohmann::json& object, const std::string& field, std::int64_t min, std::int64_t max);
std::optional<std::int64_t> optional_integer_field(const nlohmann::json& object, const std::string& field,
                                                   std::int64_t min, std::int64_t max);
double number_field(const nlohmann::json& object, const std::string& field, double min, double max);
// Hex of min..max bytes.
Bytes hex_field(const nlohmann::json& object, const std::string& field, std::size_t min, std::size_t max);
std::optional<Bytes> optional_hex_field(const nlohmann::json& object, const std::string& field, std::size_t min,
                                        std::size_t max);
Bytes base64_field(const nlohmann::json& object, const std::string& field);
// Hex of bytes given as a JSON string value (for array elements); `field` names it in errors.
Bytes hex_value(const nlohmann::json& value, const std::string& field, std::size_t min, std::size_t max);

// Lower-case hex, as every byte string in the API's answers.
std::string lower_hex(ByteView bytes);

}  // namespace sefleet::offcard::server

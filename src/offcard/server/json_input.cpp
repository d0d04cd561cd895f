#include "offcard/server/json_input.hpp"

#include <cctype>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/base64.hpp"

namespace sefleet::offcard::server {

nlohmann::json parse_json_object(std::string_view body) {
  nlohmann::json value = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw ApiError(400, "malformed_json", "body: not valid JSON");
  if (!value.is_object()) throw ApiError(400, "malformed_json", "body: expected a JSON object");
  return value;
}

bool has_field(const nlohmann::json& object, const std::string& field) {
  const auto it = object.find(field);
  return it != object.end() && !it->is_null();
}

std::string string_field(const nlohmann::json& object, const std::string& field) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) throw invalid_field(field, "missing");
  if (!it->is_string()) throw invalid_field(field, "expected a string");
  return it->get<std::string>();
}

std::optional<std::string> optional_string_field(const nlohmann::json& object, const std::string& field) {
  if (!has_field(object, field)) return std::nullopt;
  return string_field(object, field);
}

std::optional<std::int64_t> optional_integer_field(const nlohmann::json& object, const std::string& field,
                                                   std::int64_t min, std::int64_t max) {
  if (!has_field(object, field)) return std::nullopt;
  const auto& value = object.at(field);
  if (!value.is_number_integer()) throw invalid_field(field, "expected an integer");
  std::int64_t number = 0;
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max)) {
      throw invalid_field(field, "expected " + std::to_string(min) + ".." + std::to_string(max));
    }
    number = static_cast<std::int64_t>(u);
  } else {
    number = value.get<std::int64_t>();
  }
  if (number < min || number > max) {
    throw invalid_field(field, "expected " + std::to_string(min) + ".." + std::to_string(max));
  }
  return number;
}

std::int64_t integer_field(const nlohmann::json& object, const std::string& field, std::int64_t min,
                           std::int64_t max) {
  auto value = optional_integer_field(object, field, min, max);
  if (!value) throw invalid_field(field, "missing");
  return *value;
}

double number_field(const nlohmann::json& object, const std::string& field, double min, double max) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) throw invalid_field(field, "missing");
  if (!it->is_number()) throw invalid_field(field, "expected a number");
  const double value = it->get<double>();
  if (!(value >= min && value <= max)) {
    throw invalid_field(field, "expected " + std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

Bytes hex_value(const nlohmann::json& value, const std::string& field, std::size_t min, std::size_t max) {
  if (!value.is_string()) throw invalid_field(field, "expected a hex string");
  const auto& text = value.get_ref<const std::string&>();
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) throw invalid_field(field, "expected hex digits only");
  }
  if (text.size() % 2 != 0) throw invalid_field(field, "odd number of hex digits");
  const Bytes bytes = from_hex(text);
  if (bytes.size() < min || bytes.size() > max) {
    throw invalid_field(field, "expected " + std::to_string(min) + ".." + std::to_string(max) + " bytes of hex");
  }
  return bytes;
}

Bytes hex_field(const nlohmann::json& object, const std::string& field, std::size_t min, std::size_t max) {
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) throw invalid_field(field, "missing");
  return hex_value(*it, field, min, max);
}

std::optional<Bytes> optional_hex_field(const nlohmann::json& object, const std::string& field, std::size_t min,
                                        std::size_t max) {
  if (!has_field(object, field)) return std::nullopt;
  return hex_field(object, field, min, max);
}

Bytes base64_field(const nlohmann::json& object, const std::string& field) {
  const std::string text = string_field(object, field);
  try {
    return base64_decode(text);
  } catch (const Error& error) {
    throw invalid_field(field, error.what());
  }
}

std::string lower_hex(ByteView bytes) {
  std::string text = to_hex(bytes);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace sefleet::offcard::server

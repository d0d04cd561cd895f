#include "offcard/api/json_reader.hpp"

#include <cctype>
#include <cmath>

#include "core/hex.hpp"
// Base64 is the server's OpenSSL-backed codec (the API's only base64 fields are upload fields).
#include "offcard/server/base64.hpp"

namespace sefleet::offcard::api {
namespace {

std::string range_text(std::int64_t min, std::int64_t max) {
  return std::to_string(min) + ".." + std::to_string(max);
}

}  // namespace

nlohmann::json parse_json_object(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) throw MessageError(MessageError::Kind::malformed_json, "", "body: not valid JSON");
  if (!value.is_object()) throw MessageError(MessageError::Kind::malformed_json, "", "body: expected a JSON object");
  return value;
}

std::string lower_hex(ByteView bytes) {
  std::string text = to_hex(bytes);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void fail_value(const std::string& path, const std::string& what) {
  throw MessageError(MessageError::Kind::invalid_field, path, (path.empty() ? "body" : path) + ": " + what);
}

std::string se_id_part(std::string_view text, const std::string& path) {
  if (text.empty() || text.size() > 128 || text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    fail_value(path, "'" + std::string(text) + "' is not hex digits of an SE id");
  }
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string string_value(const nlohmann::json& value, const std::string& path, std::size_t max_size) {
  if (!value.is_string()) fail_value(path, "expected a string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > max_size) fail_value(path, "at most " + std::to_string(max_size) + " characters");
  return text;
}

Bytes hex_value(const nlohmann::json& value, const std::string& path, std::size_t min, std::size_t max) {
  if (!value.is_string()) fail_value(path, "expected a hex string");
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() > 2 * max + 1) {
    fail_value(path, "expected " + range_text(static_cast<std::int64_t>(min), static_cast<std::int64_t>(max)) +
                         " bytes of hex");
  }
  for (char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) fail_value(path, "expected hex digits only");
  }
  if (text.size() % 2 != 0) fail_value(path, "odd number of hex digits");
  Bytes bytes = from_hex(text);
  if (bytes.size() < min || bytes.size() > max) {
    fail_value(path, "expected " + range_text(static_cast<std::int64_t>(min), static_cast<std::int64_t>(max)) +
                         " bytes of hex");
  }
  return bytes;
}

std::int64_t integer_value(const nlohmann::json& value, const std::string& path, std::int64_t min, std::int64_t max) {
  if (!value.is_number_integer()) fail_value(path, "expected an integer");
  if (value.is_number_unsigned()) {
    const auto u = value.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(max) || (min > 0 && u < static_cast<std::uint64_t>(min))) {
      fail_value(path, "expected " + range_text(min, max));
    }
    return static_cast<std::int64_t>(u);
  }
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max) fail_value(path, "expected " + range_text(min, max));
  return number;
}

JsonReader::JsonReader(const nlohmann::json& value, std::string path) : object_(value), path_(std::move(path)) {
  if (!object_.is_object()) fail_value(path_, "expected a JSON object");
}

std::string JsonReader::path_of(std::string_view field) const {
  return path_.empty() ? std::string(field) : path_ + "." + std::string(field);
}

void JsonReader::fail(std::string_view field, const std::string& what) const {
  fail_value(path_of(field), what);
}

bool JsonReader::has(std::string_view field) const {
  const auto it = object_.find(field);
  return it != object_.end() && !it->is_null();
}

const nlohmann::json& JsonReader::require(std::string_view field) const {
  const auto it = object_.find(field);
  if (it == object_.end() || it->is_null()) fail(field, "missing");
  return *it;
}

std::string JsonReader::string(std::string_view field, std::size_t min_size, std::size_t max_size) const {
  std::string text = string_value(require(field), path_of(field), max_size);
  if (text.size() < min_size) {
    fail(field, min_size == 1 ? "must not be empty" : "at least " + std::to_string(min_size) + " characters");
  }
  return text;
}

std::optional<std::string> JsonReader::optional_string(std::string_view field, std::size_t min_size,
                                                       std::size_t max_size) const {
  if (!has(field)) return std::nullopt;
  return string(field, min_size, max_size);
}

std::int64_t JsonReader::integer(std::string_view field, std::int64_t min, std::int64_t max) const {
  return integer_value(require(field), path_of(field), min, max);
}

std::optional<std::int64_t> JsonReader::optional_integer(std::string_view field, std::int64_t min,
                                                         std::int64_t max) const {
  if (!has(field)) return std::nullopt;
  return integer(field, min, max);
}

double JsonReader::number(std::string_view field, double min, double max) const {
  const nlohmann::json& value = require(field);
  if (!value.is_number()) fail(field, "expected a number");
  const double number = value.get<double>();
  if (!std::isfinite(number) || number < min || number > max) {
    fail(field, "expected " + nlohmann::json(min).dump() + ".." + nlohmann::json(max).dump());
  }
  return number;
}

bool JsonReader::boolean(std::string_view field) const {
  const nlohmann::json& value = require(field);
  if (!value.is_boolean()) fail(field, "expected true or false");
  return value.get<bool>();
}

Bytes JsonReader::hex(std::string_view field, std::size_t min, std::size_t max) const {
  return hex_value(require(field), path_of(field), min, max);
}

std::optional<Bytes> JsonReader::optional_hex(std::string_view field, std::size_t min, std::size_t max) const {
  if (!has(field)) return std::nullopt;
  return hex(field, min, max);
}

Bytes JsonReader::base64(std::string_view field) const {
  const std::string text = string(field);
  try {
    return server::base64_decode(text);
  } catch (const Error& error) {
    fail(field, error.what());
  }
}

JsonReader JsonReader::object(std::string_view field) const {
  return JsonReader(require(field), path_of(field));
}

std::optional<JsonReader> JsonReader::optional_object(std::string_view field) const {
  if (!has(field)) return std::nullopt;
  return object(field);
}

std::vector<JsonReader::Element> JsonReader::array(std::string_view field, std::size_t max_size) const {
  const nlohmann::json& value = require(field);
  if (!value.is_array()) fail(field, "expected an array");
  if (value.size() > max_size) fail(field, "at most " + std::to_string(max_size) + " elements");
  std::vector<Element> out;
  out.reserve(value.size());
  for (std::size_t k = 0; k < value.size(); ++k) {
    out.push_back(Element{value[k], path_of(field) + "[" + std::to_string(k) + "]"});
  }
  return out;
}

}  // namespace sefleet::offcard::api

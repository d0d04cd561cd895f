// Reading the API's JSON with a clear refusal for every mistake: a MessageError naming the field by
// its full path ("rollout.waves[2]: expected percentages in 1..100"), so a terminal or operator sees at
// once what to fix. The server answers it as 400 (its reason: malformed_json or invalid_field); the
// terminal reports a server answer that does not read as a protocol error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "offcard/api/enums.hpp"

namespace sefleet::offcard::api {

class MessageError : public Error {
 public:
  enum class Kind { malformed_json, invalid_field };
  MessageError(Kind kind, std::string field, const std::string& message)
      : Error(Errc::parse_error, message), kind_(kind), field_(std::move(field)) {}
  Kind kind() const noexcept { return kind_; }
  std::string_view reason() const noexcept {
    return kind_ == Kind::malformed_json ? "malformed_json" : "invalid_field";
  }
  const std::string& field() const noexcept { return field_; }

 private:
  Kind kind_;
  std::string field_;
};

// `text` as a JSON object; MessageError(malformed_json) otherwise.
nlohmann::json parse_json_object(std::string_view text);

// Lower-case hex, as every byte string of the API.
std::string lower_hex(ByteView bytes);
// Part of an SE id to search by (the device list's `q`): 1..128 hex digits, returned in lower case;
// MessageError(invalid_field) at `path` otherwise. What the server, the admin client and the CLI check.
std::string se_id_part(std::string_view text, const std::string& path);

// A view of one JSON object at `path` ("" for the body itself). A field that is absent or null is
// "missing"; the optional_* readers return std::nullopt for it.
class JsonReader {
 public:
  // MessageError(invalid_field) when `value` is not an object ("body: expected a JSON object" at the top).
  JsonReader(const nlohmann::json& value, std::string path = {});

  bool has(std::string_view field) const;  // present and not null
  const nlohmann::json& json() const noexcept { return object_; }

  std::string string(std::string_view field, std::size_t min_size = 0, std::size_t max_size = 1 << 20) const;
  std::optional<std::string> optional_string(std::string_view field, std::size_t min_size = 0,
                                             std::size_t max_size = 1 << 20) const;
  std::int64_t integer(std::string_view field, std::int64_t min, std::int64_t max) const;
  std::optional<std::int64_t> optional_integer(std::string_view field, std::int64_t min, std::int64_t max) const;
  double number(std::string_view field, double min, double max) const;
  bool boolean(std::string_view field) const;
  // Hex of min..max bytes (either case accepted).
  Bytes hex(std::string_view field, std::size_t min, std::size_t max) const;
  std::optional<Bytes> optional_hex(std::string_view field, std::size_t min, std::size_t max) const;
  // Base64, standard alphabet with padding.
  Bytes base64(std::string_view field) const;
  JsonReader object(std::string_view field) const;
  std::optional<JsonReader> optional_object(std::string_view field) const;
  // The elements of an array field (at most `max_size`), each with its path "field[k]".
  struct Element {
    const nlohmann::json& value;
    std::string path;
  };
  std::vector<Element> array(std::string_view field, std::size_t max_size = 1 << 20) const;

  template <typename E>
  E enumeration(std::string_view field) const {
    const std::string text = string(field);
    if (auto value = from_name<E>(text)) return *value;
    fail(field, "unknown value \"" + text + "\" (expected one of: " + names_of<E>() + ")");
  }
  template <typename E>
  std::optional<E> optional_enumeration(std::string_view field) const {
    if (!has(field)) return std::nullopt;
    return enumeration<E>(field);
  }

  std::string path_of(std::string_view field) const;
  [[noreturn]] void fail(std::string_view field, const std::string& what) const;

 private:
  const nlohmann::json& require(std::string_view field) const;

  const nlohmann::json& object_;
  std::string path_;
};

// A single JSON value at `path` (array elements, top-level values).
std::string string_value(const nlohmann::json& value, const std::string& path, std::size_t max_size = 1 << 20);
Bytes hex_value(const nlohmann::json& value, const std::string& path, std::size_t min, std::size_t max);
std::int64_t integer_value(const nlohmann::json& value, const std::string& path, std::int64_t min, std::int64_t max);
[[noreturn]] void fail_value(const std::string& path, const std::string& what);

}  // namespace sefleet::offcard::api

#include "sim/timing/profile_json.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "sim/timing/embedded_profiles.hpp"

namespace sefleet::sim::profile_json {
namespace {

// 1000 s: far beyond any SE or link figure, and small enough that ps values fit in 63 bits.
constexpr double kMaxMicros = 1e9;

[[noreturn]] void refuse(std::string_view kind, const std::string& field, std::string_view problem) {
  throw Error(Errc::invalid_argument, std::string(kind) + " profile: field '" + field + "' " + std::string(problem));
}

double micros(const nlohmann::json& object, std::string_view key, std::string_view kind, const std::string& path) {
  const std::string field = join(path, key);
  const nlohmann::json& value = member(object, key, kind, path);
  if (!value.is_number()) {
    refuse(kind, field, "must be a number of microseconds");
  }
  const double us = value.get<double>();
  if (!std::isfinite(us) || us < 0) {
    refuse(kind, field, "must not be negative (got " + value.dump() + ")");
  }
  if (us > kMaxMicros) {
    refuse(kind, field, "is out of range (at most 1e9 microseconds, got " + value.dump() + ")");
  }
  return us;
}

}  // namespace

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

nlohmann::json parse_document(std::string_view text, std::string_view kind) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    throw Error(Errc::parse_error, std::string(kind) + " profile: not valid JSON: " + e.what());
  }
  if (!document.is_object()) {
    throw Error(Errc::invalid_argument, std::string(kind) + " profile: the document must be a JSON object");
  }
  const std::string found = string_field(document, "kind", kind, "");
  if (found != kind) {
    refuse(kind, "kind", "must be \"" + std::string(kind) + "\" (got \"" + found + "\")");
  }
  return document;
}

void require_only_keys(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                       std::string_view kind, const std::string& path) {
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (std::string_view name : allowed) {
      known = known || name == key;
    }
    if (!known) {
      refuse(kind, join(path, key), "is not a known field");
    }
  }
}

const nlohmann::json& member(const nlohmann::json& object, std::string_view key, std::string_view kind,
                             const std::string& path) {
  const auto found = object.find(std::string(key));
  if (found == object.end()) {
    refuse(kind, join(path, key), "is missing");
  }
  return *found;
}

void require_object(const nlohmann::json& value, std::string_view kind, const std::string& path) {
  if (!value.is_object()) {
    refuse(kind, path, "must be an object");
  }
}

std::string string_field(const nlohmann::json& object, std::string_view key, std::string_view kind,
                         const std::string& path) {
  const nlohmann::json& value = member(object, key, kind, path);
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
    refuse(kind, join(path, key), "must be a non-empty string");
  }
  return value.get<std::string>();
}

std::string name_field(const nlohmann::json& object, std::string_view key, std::string_view kind,
                       const std::string& path) {
  std::string name = string_field(object, key, kind, path);
  bool valid = name.size() <= 32;
  for (char c : name) {
    valid = valid && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  }
  if (!valid) {
    refuse(kind, join(path, key), "must be 1 to 32 characters of [a-z0-9_] (got \"" + name + "\")");
  }
  return name;
}

std::uint64_t micros_as_ns(const nlohmann::json& object, std::string_view key, std::string_view kind,
                           const std::string& path) {
  return static_cast<std::uint64_t>(std::llround(micros(object, key, kind, path) * 1e3));
}

std::uint64_t micros_as_ps(const nlohmann::json& object, std::string_view key, std::string_view kind,
                           const std::string& path) {
  return static_cast<std::uint64_t>(std::llround(micros(object, key, kind, path) * 1e6));
}

std::size_t count_field(const nlohmann::json& object, std::string_view key, std::size_t min, std::size_t max,
                        std::string_view kind, const std::string& path) {
  const std::string field = join(path, key);
  const nlohmann::json& value = member(object, key, kind, path);
  const std::string range = "[" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!value.is_number_integer()) {
    refuse(kind, field, "must be an integer in " + range);
  }
  if (value.is_number_unsigned()) {
    const auto n = value.get<std::uint64_t>();
    if (n >= min && n <= max) {
      return n;  // std::uint64_t and std::size_t are the same type on our targets
    }
  } else {
    const auto n = value.get<std::int64_t>();
    if (n >= 0 && static_cast<std::uint64_t>(n) >= min && static_cast<std::uint64_t>(n) <= max) {
      return static_cast<std::size_t>(n);
    }
  }
  refuse(kind, field, "must be an integer in " + range + " (got " + value.dump() + ")");
}

std::string read_file(const std::string& path, std::string_view kind) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(Errc::io_error, std::string(kind) + " profile: cannot open '" + path + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    throw Error(Errc::io_error, std::string(kind) + " profile: cannot read '" + path + "'");
  }
  return text.str();
}

std::vector<std::string> builtin_names(std::string_view kind) {
  std::vector<std::string> names;
  for (const EmbeddedProfile& profile : embedded_profiles()) {
    if (profile.kind == kind) {
      names.emplace_back(profile.name);
    }
  }
  return names;
}

bool is_builtin(std::string_view kind, std::string_view file_or_name) {
  return find_embedded_profile(kind, file_or_name).has_value();
}

std::string_view builtin_text(std::string_view kind, std::string_view name) {
  if (const auto text = find_embedded_profile(kind, name)) {
    return *text;
  }
  std::string known;
  for (const std::string& each : builtin_names(kind)) {
    known += (known.empty() ? "" : ", ") + each;
  }
  throw Error(Errc::not_found,
              "no built-in " + std::string(kind) + " profile '" + std::string(name) + "' (built-in: " + known + ")");
}

std::string resolve_text(std::string_view kind, std::string_view file_or_name) {
  if (is_builtin(kind, file_or_name)) {
    return std::string(builtin_text(kind, file_or_name));
  }
  std::error_code ignored;
  if (!std::filesystem::is_regular_file(std::filesystem::path(file_or_name), ignored)) {
    std::string known;
    for (const std::string& each : builtin_names(kind)) {
      known += (known.empty() ? "" : ", ") + each;
    }
    throw Error(Errc::not_found, std::string(kind) + " profile '" + std::string(file_or_name) +
                                     "' is neither a built-in profile (" + known + ") nor a file");
  }
  return read_file(std::string(file_or_name), kind);
}

}  // namespace sefleet::sim::profile_json

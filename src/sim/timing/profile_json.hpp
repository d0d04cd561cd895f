// Strict field readers shared by the three profile loaders. Every refusal is
// Error(Errc::invalid_argument) naming the field by its path ("operations.ecdsa_sign.fixed_us"),
// except text that is not JSON at all (Errc::parse_error). Internal to src/sim/timing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sefleet::sim::profile_json {

// Parses `text`, requires an object whose "kind" is `kind`.
nlohmann::json parse_document(std::string_view text, std::string_view kind);

// Refuses any key of `object` that is not in `allowed` (typos must not be ignored silently).
void require_only_keys(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                       std::string_view kind, const std::string& path);

// The member `key` of `object`; missing -> error naming path.key.
const nlohmann::json& member(const nlohmann::json& object, std::string_view key, std::string_view kind,
                             const std::string& path);
// `value` must be an object.
void require_object(const nlohmann::json& value, std::string_view kind, const std::string& path);

std::string string_field(const nlohmann::json& object, std::string_view key, std::string_view kind,
                         const std::string& path);
// A profile or step name: 1..32 characters of [a-z0-9_].
std::string name_field(const nlohmann::json& object, std::string_view key, std::string_view kind,
                       const std::string& path);
// Non-negative, finite microseconds (at most 1e9 us), converted to integer ns / ps with rounding.
std::uint64_t micros_as_ns(const nlohmann::json& object, std::string_view key, std::string_view kind,
                           const std::string& path);
std::uint64_t micros_as_ps(const nlohmann::json& object, std::string_view key, std::string_view kind,
                           const std::string& path);
// A JSON integer in [min, max].
std::size_t count_field(const nlohmann::json& object, std::string_view key, std::size_t min, std::size_t max,
                        std::string_view kind, const std::string& path);

// "a.b" ("b" alone when path is empty).
std::string join(const std::string& path, std::string_view key);

// Reads a whole file; Error(io_error) naming it.
std::string read_file(const std::string& path, std::string_view kind);

// The embedded text of profiles/<kind>/<name>.json, or Error(not_found) listing what there is.
std::string_view builtin_text(std::string_view kind, std::string_view name);
std::vector<std::string> builtin_names(std::string_view kind);
// True when `file_or_name` names a built-in profile of `kind`.
bool is_builtin(std::string_view kind, std::string_view file_or_name);
// What `--profile FILE|NAME` resolves to: the embedded text of a built-in name, else the file's text.
// Error(not_found) when it is neither, listing the built-in names.
std::string resolve_text(std::string_view kind, std::string_view file_or_name);

}  // namespace sefleet::sim::profile_json

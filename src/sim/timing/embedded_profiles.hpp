// The profile files under profiles/ at the repository root, compiled into sefleet_sim at build time
// (sefleet_embed_files in src/sim/CMakeLists.txt; embedded_profiles.cpp reads its table), so
// `sefleet dk` works from any directory without the source tree.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sefleet::sim {

struct EmbeddedProfile {
  std::string_view kind;  // "se", "link" or "host": the folder under profiles/
  std::string_view name;  // the file name without ".json"
  std::string_view text;  // the file's bytes
};

// Every embedded profile, sorted by kind then name.
std::span<const EmbeddedProfile> embedded_profiles() noexcept;

// The text of profiles/<kind>/<name>.json, if it was embedded.
std::optional<std::string_view> find_embedded_profile(std::string_view kind, std::string_view name) noexcept;

}  // namespace sefleet::sim

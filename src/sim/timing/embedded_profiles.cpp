// embedded_profiles(): the embedded files of profiles/<kind>/<name>.json seen as (kind, name, text).
#include "sim/timing/embedded_profiles.hpp"

#include <vector>

#include "sim/timing/embedded_profile_files.hpp"

namespace sefleet::sim {
namespace {

constexpr std::string_view kSuffix = ".json";

std::vector<EmbeddedProfile> profiles_of_files() {
  std::vector<EmbeddedProfile> profiles;
  profiles.reserve(detail::kProfileFileCount);
  for (std::size_t i = 0; i < detail::kProfileFileCount; ++i) {
    const detail::EmbeddedFile& file = detail::kProfileFiles[i];
    // The kind is the folder under profiles/, the name the file name without ".json" (the table holds
    // *.json files only).
    const std::size_t slash = file.name.rfind('/');
    const std::string_view kind = slash == std::string_view::npos ? std::string_view() : file.name.substr(0, slash);
    std::string_view name = slash == std::string_view::npos ? file.name : file.name.substr(slash + 1);
    if (name.ends_with(kSuffix)) name.remove_suffix(kSuffix.size());
    profiles.push_back({kind, name, std::string_view(reinterpret_cast<const char*>(file.data), file.size)});
  }
  return profiles;
}

}  // namespace

std::span<const EmbeddedProfile> embedded_profiles() noexcept {
  // Built once, from a table sorted by path: so sorted by kind, then name. Views into the table.
  static const std::vector<EmbeddedProfile> profiles = profiles_of_files();
  return profiles;
}

}  // namespace sefleet::sim

#include "sim/timing/embedded_profiles.hpp"

namespace sefleet::sim {

std::optional<std::string_view> find_embedded_profile(std::string_view kind, std::string_view name) noexcept {
  for (const EmbeddedProfile& profile : embedded_profiles()) {
    if (profile.kind == kind && profile.name == name) {
      return profile.text;
    }
  }
  return std::nullopt;
}

}  // namespace sefleet::sim

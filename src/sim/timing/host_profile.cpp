#include "sim/timing/host_profile.hpp"

#include "core/error.hpp"
#include "sim/timing/profile_json.hpp"

namespace sefleet::sim {
namespace {

constexpr std::string_view kHostProfileKind = "host";

}  // namespace

std::uint64_t HostProfile::step_ns(std::string_view step) const {
  for (const HostStep& each : steps) {
    if (each.name == step) {
      return each.ns;
    }
  }
  throw Error(Errc::not_found, "host profile '" + name + "' has no step '" + std::string(step) + "'");
}

HostProfile HostProfile::from_json(std::string_view text) {
  namespace pj = profile_json;
  const nlohmann::json document = pj::parse_document(text, kHostProfileKind);
  pj::require_only_keys(document, {"kind", "name", "description", "steps"}, kHostProfileKind, "");
  HostProfile profile;
  profile.name = pj::name_field(document, "name", kHostProfileKind, "");
  profile.description = pj::string_field(document, "description", kHostProfileKind, "");
  const nlohmann::json& steps = pj::member(document, "steps", kHostProfileKind, "");
  pj::require_object(steps, kHostProfileKind, "steps");
  for (const auto& [key, value] : steps.items()) {
    bool known = false;
    for (std::string_view step : kHostSteps) {
      known = known || step == key;
    }
    if (!known) {
      throw Error(Errc::invalid_argument, "host profile: field 'steps." + key + "' is not a known host step");
    }
  }
  for (std::string_view step : kHostSteps) {
    const std::string path = "steps." + std::string(step);
    const nlohmann::json& entry = pj::member(steps, step, kHostProfileKind, "steps");
    pj::require_object(entry, kHostProfileKind, path);
    pj::require_only_keys(entry, {"us", "source"}, kHostProfileKind, path);
    profile.steps.push_back(HostStep{std::string(step), pj::micros_as_ns(entry, "us", kHostProfileKind, path),
                                     pj::string_field(entry, "source", kHostProfileKind, path)});
  }
  return profile;
}

HostProfile HostProfile::from_file(const std::string& path) {
  return from_json(profile_json::read_file(path, kHostProfileKind));
}

HostProfile HostProfile::builtin(std::string_view name) {
  HostProfile profile = from_json(profile_json::builtin_text(kHostProfileKind, name));
  if (profile.name != name) {
    throw Error(Errc::integrity_error,
                "built-in host profile '" + std::string(name) + "' names itself '" + profile.name + "'");
  }
  return profile;
}

HostProfile HostProfile::load(std::string_view file_or_name) {
  if (profile_json::is_builtin(kHostProfileKind, file_or_name)) {
    return builtin(file_or_name);
  }
  return from_json(profile_json::resolve_text(kHostProfileKind, file_or_name));
}

std::vector<std::string> list_builtin_host_profiles() {
  return profile_json::builtin_names(kHostProfileKind);
}

}  // namespace sefleet::sim

#include "sim/timing/link_profile.hpp"

#include <array>

#include "core/error.hpp"
#include "sim/timing/profile_json.hpp"
#include "sim/timing/saturating.hpp"

namespace sefleet::sim {
namespace {

constexpr std::string_view kLinkProfileKind = "link";
constexpr std::array<std::pair<LinkSegment, std::string_view>, 4> kSegments = {{
    {LinkSegment::air, "air"},
    {LinkSegment::reader, "reader"},
    {LinkSegment::bus, "bus"},
    {LinkSegment::se_interface, "se_interface"},
}};
// Bounds that keep every figure meaningful: no frame format has more overhead or payload than this.
constexpr std::size_t kMaxFrameBytes = 65536;
constexpr std::size_t kMaxHops = 16;

LinkHop parse_hop(const nlohmann::json& entry, const std::string& path) {
  namespace pj = profile_json;
  pj::require_object(entry, kLinkProfileKind, path);
  pj::require_only_keys(entry,
                        {"name", "segment", "fixed_us", "per_frame_us", "per_byte_us", "frame_overhead_bytes",
                         "max_frame_payload", "source"},
                        kLinkProfileKind, path);
  LinkHop hop;
  hop.name = pj::name_field(entry, "name", kLinkProfileKind, path);
  const std::string segment = pj::string_field(entry, "segment", kLinkProfileKind, path);
  const auto parsed = parse_link_segment(segment);
  if (!parsed) {
    throw Error(Errc::invalid_argument, "link profile: field '" + path +
                                            ".segment' must be air, reader, bus or se_interface (got \"" + segment +
                                            "\")");
  }
  hop.segment = *parsed;
  hop.fixed_ns = pj::micros_as_ns(entry, "fixed_us", kLinkProfileKind, path);
  hop.per_frame_ns = pj::micros_as_ns(entry, "per_frame_us", kLinkProfileKind, path);
  hop.per_byte_ps = pj::micros_as_ps(entry, "per_byte_us", kLinkProfileKind, path);
  hop.frame_overhead_bytes = pj::count_field(entry, "frame_overhead_bytes", 0, kMaxFrameBytes, kLinkProfileKind, path);
  hop.max_frame_payload = pj::count_field(entry, "max_frame_payload", 0, kMaxFrameBytes, kLinkProfileKind, path);
  hop.source = pj::string_field(entry, "source", kLinkProfileKind, path);
  return hop;
}

}  // namespace

std::string_view link_segment_name(LinkSegment segment) noexcept {
  for (const auto& [value, name] : kSegments) {
    if (value == segment) {
      return name;
    }
  }
  return "unknown";
}

std::optional<LinkSegment> parse_link_segment(std::string_view name) noexcept {
  for (const auto& [value, each] : kSegments) {
    if (each == name) {
      return value;
    }
  }
  return std::nullopt;
}

std::uint64_t LinkHop::transfer_ns(std::size_t apdu_bytes) const noexcept {
  // An empty transfer still takes one frame (an R-APDU is never empty on the wire: it has its SW).
  const std::size_t frames =
      max_frame_payload == 0 || apdu_bytes == 0 ? 1 : (apdu_bytes + max_frame_payload - 1) / max_frame_payload;
  const std::uint64_t wire_bytes = saturating::add(apdu_bytes, saturating::mul(frames, frame_overhead_bytes));
  std::uint64_t ns = saturating::add(fixed_ns, saturating::mul(frames, per_frame_ns));
  return saturating::add(ns, saturating::ps_to_ns(saturating::mul(wire_bytes, per_byte_ps)));
}

std::uint64_t LinkProfile::command_ns(std::size_t apdu_bytes) const {
  std::uint64_t ns = 0;
  for (const LinkHop& hop : hops) {
    ns = saturating::add(ns, hop.transfer_ns(apdu_bytes));
  }
  return ns;
}

std::uint64_t LinkProfile::response_ns(std::size_t apdu_bytes) const {
  // The hop model is symmetric (see the header); only the byte count differs.
  return command_ns(apdu_bytes);
}

std::uint64_t LinkProfile::segment_ns(LinkSegment segment, std::size_t apdu_bytes) const {
  std::uint64_t ns = 0;
  for (const LinkHop& hop : hops) {
    if (hop.segment == segment) {
      ns = saturating::add(ns, hop.transfer_ns(apdu_bytes));
    }
  }
  return ns;
}

LinkProfile LinkProfile::from_json(std::string_view text) {
  namespace pj = profile_json;
  const nlohmann::json document = pj::parse_document(text, kLinkProfileKind);
  pj::require_only_keys(document, {"kind", "name", "description", "hops"}, kLinkProfileKind, "");
  LinkProfile profile;
  profile.name = pj::name_field(document, "name", kLinkProfileKind, "");
  profile.description = pj::string_field(document, "description", kLinkProfileKind, "");
  const nlohmann::json& hops = pj::member(document, "hops", kLinkProfileKind, "");
  if (!hops.is_array() || hops.empty() || hops.size() > kMaxHops) {
    throw Error(Errc::invalid_argument,
                "link profile: field 'hops' must be an array of 1 to " + std::to_string(kMaxHops) + " hops");
  }
  for (std::size_t i = 0; i < hops.size(); ++i) {
    LinkHop hop = parse_hop(hops[i], "hops[" + std::to_string(i) + "]");
    for (const LinkHop& earlier : profile.hops) {
      if (earlier.name == hop.name) {
        throw Error(Errc::invalid_argument,
                    "link profile: field 'hops[" + std::to_string(i) + "].name' repeats \"" + hop.name + "\"");
      }
    }
    profile.hops.push_back(std::move(hop));
  }
  return profile;
}

LinkProfile LinkProfile::from_file(const std::string& path) {
  return from_json(profile_json::read_file(path, kLinkProfileKind));
}

LinkProfile LinkProfile::builtin(std::string_view name) {
  LinkProfile profile = from_json(profile_json::builtin_text(kLinkProfileKind, name));
  if (profile.name != name) {
    throw Error(Errc::integrity_error,
                "built-in link profile '" + std::string(name) + "' names itself '" + profile.name + "'");
  }
  return profile;
}

LinkProfile LinkProfile::load(std::string_view file_or_name) {
  if (profile_json::is_builtin(kLinkProfileKind, file_or_name)) {
    return builtin(file_or_name);
  }
  return from_json(profile_json::resolve_text(kLinkProfileKind, file_or_name));
}

std::vector<std::string> list_builtin_link_profiles() {
  return profile_json::builtin_names(kLinkProfileKind);
}

}  // namespace sefleet::sim

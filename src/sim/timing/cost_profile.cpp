#include "sim/timing/cost_profile.hpp"

#include "core/error.hpp"
#include "sim/timing/profile_json.hpp"
#include "sim/timing/saturating.hpp"

namespace sefleet::sim {
namespace {

constexpr std::string_view kCostProfileKind = "se";
// Java Card's getMaxCommitCapacity() returns a short.
constexpr std::size_t kMaxCommitCapacity = 32767;

}  // namespace

std::uint64_t OperationCost::cost_ns(std::size_t bytes) const noexcept {
  return saturating::add(fixed_ns, saturating::ps_to_ns(saturating::mul(per_byte_ps, bytes)));
}

SeCostProfile SeCostProfile::from_json(std::string_view text) {
  namespace pj = profile_json;
  const nlohmann::json document = pj::parse_document(text, kCostProfileKind);
  pj::require_only_keys(document,
                        {"kind", "name", "description", "commit_capacity", "commit_capacity_source", "operations"},
                        kCostProfileKind, "");
  SeCostProfile profile;
  profile.name_ = pj::name_field(document, "name", kCostProfileKind, "");
  profile.description_ = pj::string_field(document, "description", kCostProfileKind, "");
  profile.commit_capacity_ = pj::count_field(document, "commit_capacity", 1, kMaxCommitCapacity, kCostProfileKind, "");
  pj::string_field(document, "commit_capacity_source", kCostProfileKind, "");

  const nlohmann::json& operations = pj::member(document, "operations", kCostProfileKind, "");
  pj::require_object(operations, kCostProfileKind, "operations");
  for (const auto& [key, value] : operations.items()) {
    if (!card::parse_se_operation(key)) {
      throw Error(Errc::invalid_argument, "se profile: field 'operations." + key + "' is not a known SE operation");
    }
  }
  for (std::size_t i = 0; i < card::kSeOperationCount; ++i) {
    const std::string op_name(card::se_operation_name(static_cast<card::SeOperation>(i)));
    const std::string path = "operations." + op_name;
    const nlohmann::json& entry = pj::member(operations, op_name, kCostProfileKind, "operations");
    pj::require_object(entry, kCostProfileKind, path);
    pj::require_only_keys(entry, {"fixed_us", "per_byte_us", "source"}, kCostProfileKind, path);
    OperationCost& cost = profile.costs_[i];
    cost.fixed_ns = pj::micros_as_ns(entry, "fixed_us", kCostProfileKind, path);
    cost.per_byte_ps = pj::micros_as_ps(entry, "per_byte_us", kCostProfileKind, path);
    cost.source = pj::string_field(entry, "source", kCostProfileKind, path);
  }
  return profile;
}

SeCostProfile SeCostProfile::from_file(const std::string& path) {
  return from_json(profile_json::read_file(path, kCostProfileKind));
}

SeCostProfile SeCostProfile::builtin(std::string_view name) {
  SeCostProfile profile = from_json(profile_json::builtin_text(kCostProfileKind, name));
  if (profile.name() != name) {
    throw Error(Errc::integrity_error,
                "built-in se profile '" + std::string(name) + "' names itself '" + profile.name() + "'");
  }
  return profile;
}

SeCostProfile SeCostProfile::load(std::string_view file_or_name) {
  if (profile_json::is_builtin(kCostProfileKind, file_or_name)) {
    return builtin(file_or_name);
  }
  return from_json(profile_json::resolve_text(kCostProfileKind, file_or_name));
}

std::uint64_t SeCostProfile::cost_ns(card::SeOperation op, std::size_t bytes) const {
  return operation(op).cost_ns(bytes);
}

const OperationCost& SeCostProfile::operation(card::SeOperation op) const {
  const auto index = static_cast<std::size_t>(op);
  if (index >= costs_.size()) {
    throw Error(Errc::invalid_argument, "se profile: operation number " + std::to_string(index) + " is unknown");
  }
  return costs_[index];
}

const std::string& SeCostProfile::name() const {
  return name_;
}
const std::string& SeCostProfile::description() const {
  return description_;
}
std::size_t SeCostProfile::commit_capacity() const {
  return commit_capacity_;
}

std::vector<std::string> list_builtin_se_profiles() {
  return profile_json::builtin_names(kCostProfileKind);
}

}  // namespace sefleet::sim

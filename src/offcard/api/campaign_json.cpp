// JSON of campaigns, their timeline and decision log (docs/api.md "Campaigns").
#include <set>

#include "gp/broadcast/image_version.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/server/base64.hpp"

namespace sefleet::offcard::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxTime = std::int64_t{1} << 40;
constexpr std::int64_t kMaxCount = std::int64_t{1} << 40;
constexpr std::int64_t kMaxMinReports = 1000000;

json to_json(const ReportPolicy& policy, json out) {
  out["max_attempts"] = policy.max_attempts;
  out["max_unverified_attempts"] = policy.max_unverified_attempts;
  out["unverified_backoff"] = policy.unverified_backoff;
  return out;
}

// The policy's fields sit at the top level of a campaign (and of its creation request).
ReportPolicy read_report_policy(const JsonReader& r, bool required) {
  ReportPolicy policy;
  const auto read = [&](std::string_view field, std::int64_t min, std::int64_t max, std::int64_t fallback) {
    return required ? r.integer(field, min, max) : r.optional_integer(field, min, max).value_or(fallback);
  };
  policy.max_attempts = read("max_attempts", 1, kMaxAttemptsLimit, policy.max_attempts);
  policy.max_unverified_attempts =
      read("max_unverified_attempts", 1, kMaxAttemptsLimit, policy.max_unverified_attempts);
  policy.unverified_backoff = read("unverified_backoff", 0, kMaxBackoffSeconds, policy.unverified_backoff);
  return policy;
}

json to_json(const Activation& activation, bool with_state) {
  json out{{"mode", name(activation.mode)}, {"at", optional_json(activation.at)}};
  if (with_state) out["activated"] = activation.activated;
  return out;
}

Activation read_activation(const JsonReader& r, bool with_state) {
  Activation activation;
  activation.mode = r.enumeration<ActivationMode>("mode");
  activation.at = r.optional_integer("at", 0, kMaxTime);
  if (activation.at && activation.mode != ActivationMode::deferred) r.fail("at", "only for mode \"deferred\"");
  if (with_state) activation.activated = r.boolean("activated");
  return activation;
}

json to_json(const FileInfo& file, bool commands) {
  json out{{"size", file.size}, {"sha256", file.sha256}};
  if (commands) out["commands"] = file.commands;
  return out;
}

FileInfo read_file_info(const JsonReader& r, bool commands) {
  FileInfo file;
  file.size = r.integer("size", 0, kMaxCount);
  file.sha256 = lower_hex(r.hex("sha256", 32, 32));
  if (commands) file.commands = r.integer("commands", 0, kMaxCount);
  return file;
}

}  // namespace

std::string read_campaign_id(const json& value, const std::string& path) {
  return lower_hex(hex_value(value, path, 16, 16));
}

std::optional<std::string> read_optional_text(const JsonReader& reader, std::string_view field) {
  return reader.optional_string(field);
}

json optional_json(const std::optional<std::string>& text) {
  return text ? json(*text) : json(nullptr);
}
json optional_json(const std::optional<std::int64_t>& number) {
  return number ? json(*number) : json(nullptr);
}

json to_json(const RolloutPlan& plan) {
  return json{{"waves", plan.waves},
              {"max_failure_rate", plan.max_failure_rate},
              {"min_reports", plan.min_reports},
              {"max_unverified_rate", plan.max_unverified_rate}};
}

RolloutPlan read_rollout_plan(const JsonReader& r) {
  RolloutPlan plan;
  if (r.has("waves")) {
    plan.waves.clear();
    int previous = 0;
    for (const auto& element : r.array("waves", 100)) {
      const auto wave = static_cast<int>(integer_value(element.value, element.path, 1, 100));
      if (wave <= previous) fail_value(element.path, "expected strictly increasing percentages in 1..100");
      plan.waves.push_back(wave);
      previous = wave;
    }
    if (plan.waves.empty()) r.fail("waves", "expected at least one wave");
    if (plan.waves.back() != 100) r.fail("waves", "the last wave must be 100");
  }
  if (r.has("max_failure_rate")) plan.max_failure_rate = r.number("max_failure_rate", 0.0, 1.0);
  if (r.has("min_reports")) plan.min_reports = r.integer("min_reports", 1, kMaxMinReports);
  if (r.has("max_unverified_rate")) plan.max_unverified_rate = r.number("max_unverified_rate", 0.0, 1.0);
  return plan;
}

json to_json(const CampaignCreate& c) {
  json targets = json::array();
  for (const auto& target : c.targets) targets.push_back(lower_hex(target));
  json out{{"name", c.name},
           {"package", server::base64_encode(c.package)},
           {"master_key", c.master_key},
           {"targets", targets},
           {"security_level", c.security_level},
           {"rollout", to_json(c.rollout)},
           {"activation", to_json(c.activation, false)}};
  if (c.campaign_kek) out["campaign_kek"] = *c.campaign_kek;
  if (c.pmob) out["pmob"] = server::base64_encode(*c.pmob);
  return to_json(c.policy, std::move(out));
}

CampaignCreate read_campaign_create(const json& body) {
  const JsonReader r(body);
  CampaignCreate c;
  c.name = r.string("name", 1, kMaxNameSize);
  c.package = r.base64("package");
  c.master_key = r.string("master_key", 1, kMaxNameSize);
  c.campaign_kek = r.optional_string("campaign_kek", 1, kMaxNameSize);
  std::set<Bytes> seen;
  for (const auto& element : r.array("targets")) {
    Bytes se_id = hex_value(element.value, element.path, kMinSeIdSize, kMaxSeIdSize);
    if (!seen.insert(se_id).second) fail_value(element.path, "duplicate SE id");
    c.targets.push_back(std::move(se_id));
  }
  if (c.targets.empty()) r.fail("targets", "expected a non-empty array of SE ids (hex)");
  c.security_level = r.optional_integer("security_level", 0, 255).value_or(0x33);
  if (c.security_level != 0x13 && c.security_level != 0x33) r.fail("security_level", "expected 19 (0x13) or 51 (0x33)");
  if (auto rollout = r.optional_object("rollout")) c.rollout = read_rollout_plan(*rollout);
  c.policy = read_report_policy(r, false);
  if (auto activation = r.optional_object("activation")) c.activation = read_activation(*activation, false);
  if (r.has("pmob")) c.pmob = r.base64("pmob");
  return c;
}

json to_json(const Campaign& c) {
  json progress = json::object();
  for (const auto& [state, text] : EnumNames<DeviceState>::entries) progress[std::string(text)] = c.progress[state];
  json out{{"id", c.id},
           {"name", c.name},
           {"profile", c.profile},
           {"image",
            {{"type", c.image.type},
             {"platform", c.image.platform},
             {"version", c.image.version},
             {"version_text", gp::broadcast::image_version_text(static_cast<std::uint32_t>(c.image.version))},
             {"name", c.image.name},
             {"datasend_size", c.image.datasend_size},
             {"datasend_sha256", c.image.datasend_sha256}}},
           {"state", name(c.state)},
           {"pause_reason", optional_json(c.pause_reason)},
           {"security_level", c.security_level},
           {"rollout", to_json(c.rollout)},
           {"current_wave", c.current_wave},
           {"admitted", c.admitted},
           {"activation", to_json(c.activation, true)},
           {"targets", c.targets},
           {"progress", progress},
           {"pse", to_json(c.pse, true)},
           {"pmob", c.pmob ? to_json(*c.pmob, false) : json(nullptr)},
           {"created_at", c.created_at}};
  return to_json(c.policy, std::move(out));
}

Campaign read_campaign(const json& body) {
  const JsonReader r(body);
  Campaign c;
  c.id = lower_hex(r.hex("id", 16, 16));
  c.name = r.string("name", 0, kMaxNameSize);
  c.profile = static_cast<int>(r.integer("profile", 3, 4));
  const JsonReader image = r.object("image");
  c.image.type = image.string("type");
  c.image.platform = lower_hex(image.hex("platform", 0, 64));
  c.image.version = image.integer("version", 0, 0xFFFFFFFF);
  c.image.name = image.string("name");
  c.image.datasend_size = image.integer("datasend_size", 0, kMaxCount);
  c.image.datasend_sha256 = lower_hex(image.hex("datasend_sha256", 32, 32));
  c.state = r.enumeration<CampaignState>("state");
  c.pause_reason = r.optional_string("pause_reason");
  c.security_level = r.integer("security_level", 0, 255);
  c.policy = read_report_policy(r, true);
  c.rollout = read_rollout_plan(r.object("rollout"));
  c.current_wave = r.integer("current_wave", 0, 100);
  c.admitted = r.integer("admitted", 0, kMaxCount);
  c.activation = read_activation(r.object("activation"), true);
  c.targets = r.integer("targets", 0, kMaxCount);
  const JsonReader progress = r.object("progress");
  for (const auto& [state, text] : EnumNames<DeviceState>::entries)
    c.progress[state] = progress.integer(text, 0, kMaxCount);
  c.pse = read_file_info(r.object("pse"), true);
  if (auto pmob = r.optional_object("pmob")) c.pmob = read_file_info(*pmob, false);
  c.created_at = r.integer("created_at", 0, kMaxTime);
  return c;
}

json to_json(const CampaignList& list) {
  json out = json::array();
  for (const auto& c : list.campaigns) out.push_back(to_json(c));
  return json{{"campaigns", out}};
}

CampaignList read_campaign_list(const json& body) {
  const JsonReader r(body);
  CampaignList list;
  for (const auto& element : r.array("campaigns")) {
    try {
      list.campaigns.push_back(read_campaign(element.value));
    } catch (const MessageError& e) {
      fail_value(element.path, e.what());
    }
  }
  return list;
}

json to_json(const Timeline& timeline) {
  json samples = json::array();
  for (const auto& s : timeline.samples) {
    samples.push_back({{"t", s.t},
                       {"updated", s.updated},
                       {"failed", s.failed},
                       {"quarantined", s.quarantined},
                       {"in_progress", s.in_progress},
                       {"unreachable", s.unreachable}});
  }
  return json{{"samples", samples}};
}

Timeline read_timeline(const json& body) {
  const JsonReader r(body);
  Timeline timeline;
  for (const auto& element : r.array("samples")) {
    const JsonReader s(element.value, element.path);
    timeline.samples.push_back(TimelineSample{s.integer("t", 0, kMaxTime), s.integer("updated", 0, kMaxCount),
                                              s.integer("failed", 0, kMaxCount), s.integer("quarantined", 0, kMaxCount),
                                              s.integer("in_progress", 0, kMaxCount),
                                              s.integer("unreachable", 0, kMaxCount)});
  }
  return timeline;
}

json to_json(const EventList& list) {
  json out = json::array();
  for (const auto& e : list.events) {
    out.push_back({{"id", e.id},
                   {"t", e.t},
                   {"se_id", optional_json(e.se_id)},
                   {"kind", e.kind},
                   {"decision", e.decision ? json(name(*e.decision)) : json(nullptr)},
                   {"detail", e.detail}});
  }
  return json{{"events", out}};
}

EventList read_event_list(const json& body) {
  const JsonReader r(body);
  EventList list;
  for (const auto& element : r.array("events")) {
    const JsonReader e(element.value, element.path);
    Event event;
    event.id = e.integer("id", 0, kMaxCount);
    event.t = e.integer("t", 0, kMaxTime);
    event.se_id = e.optional_string("se_id");
    event.kind = e.string("kind", 1);
    event.decision = e.optional_enumeration<DeviceState>("decision");
    event.detail = e.string("detail");
    list.events.push_back(std::move(event));
  }
  return list;
}

}  // namespace sefleet::offcard::api

// JSON of tokens and devices (docs/api.md "Tokens", "Devices").
#include "gp/broadcast/image_version.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/package_format.hpp"

namespace sefleet::offcard::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kMaxAdminTime = std::int64_t{1} << 40;
constexpr std::int64_t kMaxId = std::int64_t{1} << 62;
constexpr std::size_t kMaxTokenCampaigns = 10000;

json campaign_ids(const std::vector<std::string>& ids) {
  json out = json::array();
  for (const auto& id : ids) out.push_back(id);
  return out;
}

std::vector<std::string> read_campaign_ids(const JsonReader& r, std::string_view field) {
  std::vector<std::string> ids;
  for (const auto& element : r.array(field, kMaxTokenCampaigns))
    ids.push_back(read_campaign_id(element.value, element.path));
  return ids;
}

json to_json(const DeviceEntry& d) {
  return json{{"se_id", d.se_id},
              {"campaign", d.campaign},
              {"state", name(d.state)},
              {"attempts", d.attempts},
              {"unverified_attempts", d.unverified_attempts},
              {"retry_at", optional_json(d.retry_at)},
              {"reason", d.reason},
              {"updated_at", d.updated_at}};
}

DeviceEntry read_device_entry(const JsonReader& r) {
  DeviceEntry d;
  d.se_id = lower_hex(r.hex("se_id", kMinSeIdSize, kMaxSeIdSize));
  d.campaign = lower_hex(r.hex("campaign", 16, 16));
  d.state = r.enumeration<DeviceState>("state");
  d.attempts = r.integer("attempts", 0, kMaxAttemptsLimit);
  d.unverified_attempts = r.integer("unverified_attempts", 0, kMaxAttemptsLimit);
  d.retry_at = r.optional_integer("retry_at", 0, kMaxAdminTime);
  d.reason = r.string("reason");
  d.updated_at = r.integer("updated_at", 0, kMaxAdminTime);
  return d;
}

}  // namespace

json to_json(const TokenCreate& request) {
  return json{{"name", request.name}, {"campaigns", campaign_ids(request.campaigns)}};
}

TokenCreate read_token_create(const json& body) {
  const JsonReader r(body);
  return TokenCreate{r.string("name", 1, kMaxNameSize), read_campaign_ids(r, "campaigns")};
}

json to_json(const TokenCreated& created) {
  return json{{"id", created.id},
              {"name", created.name},
              {"campaigns", campaign_ids(created.campaigns)},
              {"token", created.token}};
}

TokenCreated read_token_created(const json& body) {
  const JsonReader r(body);
  return TokenCreated{r.integer("id", 1, kMaxId), r.string("name", 1, kMaxNameSize), read_campaign_ids(r, "campaigns"),
                      r.string("token", 1, 200)};
}

json to_json(const TokenList& list) {
  json out = json::array();
  for (const auto& t : list.tokens) {
    out.push_back(
        {{"id", t.id}, {"name", t.name}, {"campaigns", campaign_ids(t.campaigns)}, {"created_at", t.created_at}});
  }
  return json{{"tokens", out}};
}

TokenList read_token_list(const json& body) {
  const JsonReader r(body);
  TokenList list;
  for (const auto& element : r.array("tokens")) {
    const JsonReader t(element.value, element.path);
    list.tokens.push_back(TokenInfo{t.integer("id", 1, kMaxId), t.string("name", 1, kMaxNameSize),
                                    read_campaign_ids(t, "campaigns"), t.integer("created_at", 0, kMaxAdminTime)});
  }
  return list;
}

json to_json(const TokenDeleted& deleted) {
  return json{{"deleted", deleted.deleted}};
}

TokenDeleted read_token_deleted(const json& body) {
  return TokenDeleted{JsonReader(body).integer("deleted", 1, kMaxId)};
}

json to_json(const DeviceList& list) {
  json out = json::array();
  for (const auto& d : list.devices) out.push_back(to_json(d));
  json body{{"devices", out}};
  if (list.total) body["total"] = *list.total;
  return body;
}

DeviceList read_device_list(const json& body) {
  const JsonReader r(body);
  DeviceList list;
  for (const auto& element : r.array("devices"))
    list.devices.push_back(read_device_entry(JsonReader(element.value, element.path)));
  if (body.contains("total")) list.total = r.integer("total", 0, std::int64_t{1} << 40);
  return list;
}

json to_json(const DeviceRecord& record) {
  json images = json::array();
  for (const auto& image : record.images) {
    images.push_back({{"type", image.type},
                      {"version", image.version},
                      {"version_text", gp::broadcast::image_version_text(static_cast<std::uint32_t>(image.version))},
                      {"sha256", image.sha256},
                      {"campaign", image.campaign},
                      {"t", image.t}});
  }
  json campaigns = json::array();
  for (const auto& entry : record.campaigns) campaigns.push_back(to_json(entry));
  json history = json::array();
  for (const auto& a : record.history) {
    json reports = json::array();
    for (const auto& report : a.reports) {
      reports.push_back({{"t", report.t},
                         {"outcome", name(report.outcome)},
                         {"evidence", name(report.evidence)},
                         {"decision", name(report.decision)},
                         {"counted", report.counted},
                         {"reason", report.reason}});
    }
    history.push_back({{"authorization_id", a.authorization_id},
                       {"campaign", a.campaign},
                       {"action", name(a.action)},
                       {"t", a.t},
                       {"reports", reports}});
  }
  return json{{"se_id", record.se_id}, {"images", images}, {"campaigns", campaigns}, {"history", history}};
}

DeviceRecord read_device_record(const json& body) {
  const JsonReader r(body);
  DeviceRecord record;
  record.se_id = lower_hex(r.hex("se_id", kMinSeIdSize, kMaxSeIdSize));
  for (const auto& element : r.array("images")) {
    const JsonReader i(element.value, element.path);
    record.images.push_back(DeviceImage{i.string("type"), i.integer("version", 0, 0xFFFFFFFF),
                                        lower_hex(i.hex("sha256", 32, 32)), lower_hex(i.hex("campaign", 16, 16)),
                                        i.integer("t", 0, kMaxAdminTime)});
  }
  for (const auto& element : r.array("campaigns")) {
    record.campaigns.push_back(read_device_entry(JsonReader(element.value, element.path)));
  }
  for (const auto& element : r.array("history")) {
    const JsonReader h(element.value, element.path);
    AuthorizationHistory a;
    a.authorization_id = lower_hex(h.hex("authorization_id", kAuthorizationIdSize, kAuthorizationIdSize));
    a.campaign = lower_hex(h.hex("campaign", 16, 16));
    a.action = h.enumeration<PautAction>("action");
    a.t = h.integer("t", 0, kMaxAdminTime);
    for (const auto& report_element : h.array("reports")) {
      const JsonReader p(report_element.value, report_element.path);
      a.reports.push_back(ReportSummary{p.integer("t", 0, kMaxAdminTime), p.enumeration<DeliveryOutcome>("outcome"),
                                        p.enumeration<Evidence>("evidence"), p.enumeration<DeviceState>("decision"),
                                        p.boolean("counted"), p.string("reason")});
    }
    record.history.push_back(std::move(a));
  }
  return record;
}

json to_json(const ReleaseRequest& request) {
  json out{{"note", request.note}};
  if (request.campaign) out["campaign"] = *request.campaign;
  return out;
}

ReleaseRequest read_release_request(const json& body) {
  const JsonReader r(body);
  ReleaseRequest request;
  if (r.has("campaign")) request.campaign = read_campaign_id(body.at("campaign"), "campaign");
  request.note = r.optional_string("note", 0, kMaxFailureText).value_or("");
  return request;
}

json to_json(const ReleaseAnswer& answer) {
  json released = json::array();
  for (const auto& r : answer.released) {
    released.push_back({{"campaign", r.campaign}, {"from", name(r.from)}, {"to", name(r.to)}});
  }
  return json{{"se_id", answer.se_id}, {"released", released}};
}

ReleaseAnswer read_release_answer(const json& body) {
  const JsonReader r(body);
  ReleaseAnswer answer;
  answer.se_id = lower_hex(r.hex("se_id", kMinSeIdSize, kMaxSeIdSize));
  for (const auto& element : r.array("released")) {
    const JsonReader e(element.value, element.path);
    answer.released.push_back(Release{lower_hex(e.hex("campaign", 16, 16)), e.enumeration<DeviceState>("from"),
                                      e.enumeration<DeviceState>("to")});
  }
  return answer;
}

}  // namespace sefleet::offcard::api

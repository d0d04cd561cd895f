#include "offcard/admin/admin_client.hpp"

#include <optional>
#include <utility>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/api/json_reader.hpp"

namespace sefleet::offcard::admin {

namespace {

constexpr std::int64_t kMaxPageSize = 10000;

// `text` as lower-case hex (api::lower_hex of its bytes); nullopt when it is not plain hex digits.
std::optional<std::string> canonical_hex(std::string_view text) {
  if (text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) return std::nullopt;
  try {
    return api::lower_hex(from_hex(text));
  } catch (const Error&) {
    return std::nullopt;  // an odd number of digits
  }
}

}  // namespace

std::string campaign_id(std::string_view text, std::string_view what) {
  auto id = text.size() == 32 ? canonical_hex(text) : std::nullopt;
  if (!id) {
    throw Error(Errc::invalid_argument,
                std::string(what) + " '" + std::string(text) + "' is not a campaign id (32 hex digits)");
  }
  return *id;
}

std::string se_id(std::string_view text) {
  auto id = text.size() >= 2 && text.size() <= 128 ? canonical_hex(text) : std::nullopt;
  if (!id) throw Error(Errc::invalid_argument, "SE id '" + std::string(text) + "' is not 1..64 bytes of hex");
  return *id;
}

std::string device_query_path(const DeviceQuery& query) {
  std::string path = "/v1/devices";
  char separator = '?';
  const auto add = [&](std::string_view name, const std::string& value) {
    path += separator;
    path += name;
    path += '=';
    path += value;
    separator = '&';
  };
  if (query.state) add("state", std::string(api::name(*query.state)));
  if (query.campaign) add("campaign", campaign_id(*query.campaign));
  if (query.search) add("q", api::se_id_part(*query.search, "search"));
  if (query.search && query.search_prefix) add("match", "prefix");
  if (query.limit) {
    if (*query.limit < 1 || *query.limit > kMaxPageSize) {
      throw Error(Errc::invalid_argument, "page size must be 1.." + std::to_string(kMaxPageSize));
    }
    add("limit", std::to_string(*query.limit));
  }
  if (query.offset) {
    if (*query.offset < 0) throw Error(Errc::invalid_argument, "offset must not be negative");
    add("offset", std::to_string(*query.offset));
  }
  return path;
}

AdminClient::AdminClient(terminal::SessionOptions options) : session_(std::move(options)) {}

nlohmann::json AdminClient::call(std::string_view method, const std::string& path,
                                 const std::optional<nlohmann::json>& body, int expected, std::string_view what) {
  return session_.expect_json(session_.request(method, path, body), expected, what);
}

api::Campaign AdminClient::upload_campaign(const api::CampaignCreate& request) {
  return api::read_campaign(call("POST", "/v1/campaigns", api::to_json(request), 201, "campaign upload"));
}

api::CampaignList AdminClient::campaigns() {
  return api::read_campaign_list(call("GET", "/v1/campaigns", std::nullopt, 200, "campaign list"));
}

api::Campaign AdminClient::campaign(std::string_view id) {
  return api::read_campaign(call("GET", "/v1/campaigns/" + campaign_id(id), std::nullopt, 200, "campaign"));
}

api::Campaign AdminClient::control(std::string_view id, api::CampaignOperation operation) {
  const std::string verb(api::name(operation));
  return api::read_campaign(
      call("POST", "/v1/campaigns/" + campaign_id(id) + "/" + verb, nlohmann::json::object(), 200, verb));
}

api::EventList AdminClient::events(std::string_view id, std::int64_t after) {
  const std::string base = "/v1/campaigns/" + campaign_id(id) + "/events?after=";
  api::EventList all;
  for (;;) {
    api::EventList page = api::read_event_list(call("GET", base + std::to_string(after), std::nullopt, 200, "events"));
    if (page.events.empty()) break;
    after = page.events.back().id;
    std::move(page.events.begin(), page.events.end(), std::back_inserter(all.events));
  }
  return all;
}

api::TokenCreated AdminClient::create_token(const api::TokenCreate& request) {
  api::TokenCreate normalized = request;
  for (auto& id : normalized.campaigns) id = campaign_id(id);
  return api::read_token_created(call("POST", "/v1/tokens", api::to_json(normalized), 201, "token create"));
}

api::TokenList AdminClient::tokens() {
  return api::read_token_list(call("GET", "/v1/tokens", std::nullopt, 200, "token list"));
}

api::TokenDeleted AdminClient::revoke_token(std::int64_t id) {
  return api::read_token_deleted(call("DELETE", "/v1/tokens/" + std::to_string(id), std::nullopt, 200, "token revoke"));
}

api::DeviceList AdminClient::devices(const DeviceQuery& query) {
  return api::read_device_list(call("GET", device_query_path(query), std::nullopt, 200, "device list"));
}

api::DeviceRecord AdminClient::device(std::string_view id) {
  return api::read_device_record(call("GET", "/v1/devices/" + se_id(id), std::nullopt, 200, "device"));
}

api::ReleaseAnswer AdminClient::release(std::string_view id, const api::ReleaseRequest& request) {
  api::ReleaseRequest normalized = request;
  if (normalized.campaign) normalized.campaign = campaign_id(*normalized.campaign);
  return api::read_release_answer(
      call("POST", "/v1/devices/" + se_id(id) + "/release", api::to_json(normalized), 200, "release"));
}

}  // namespace sefleet::offcard::admin

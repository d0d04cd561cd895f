// An operator's typed client of the management server's admin API (docs/api.md): what `sefleet admin`
// uses instead of curl, and what a program embedding sefleet may use. Each call is one request over the
// terminal's HTTP session (bearer token, TLS with --cacert, retries on connection errors and 503); any
// other answer than the expected one is a terminal::ApiError carrying the server's status and reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "offcard/api/messages.hpp"
#include "offcard/terminal/http_session.hpp"

namespace sefleet::offcard::admin {

// What `GET /v1/devices` is asked for; every part optional.
struct DeviceQuery {
  std::optional<api::DeviceState> state;
  std::optional<std::string> campaign;  // campaign id (any case)
  std::optional<std::string> search;    // hex digits an SE id must contain (any case)
  bool search_prefix = false;           // ... start with, instead (the API's match=prefix)
  std::optional<std::int64_t> limit;    // page size
  std::optional<std::int64_t> offset;   // devices skipped before the page
};

// "/v1/devices?state=...": the path of a device query, its values checked and lower-cased so they
// never need URL escaping. Error(invalid_argument) for a campaign id that is not 32 hex digits, a search
// that is not hex, a negative offset or a limit outside 1..10000.
std::string device_query_path(const DeviceQuery& query);

// A campaign id as the API spells it (32 lower-case hex digits), from any case. Error(invalid_argument)
// naming `what` otherwise.
std::string campaign_id(std::string_view text, std::string_view what = "campaign id");
// An SE id (2..128 hex digits, even) in lower case. Error(invalid_argument) otherwise.
std::string se_id(std::string_view text);

class AdminClient {
 public:
  explicit AdminClient(terminal::SessionOptions options);

  api::Campaign upload_campaign(const api::CampaignCreate& request);
  api::CampaignList campaigns();
  api::Campaign campaign(std::string_view id);
  // pause, resume, cancel or activate.
  api::Campaign control(std::string_view id, api::CampaignOperation operation);
  // Every event after `after` (the server pages them; this follows the pages).
  api::EventList events(std::string_view id, std::int64_t after = 0);

  api::TokenCreated create_token(const api::TokenCreate& request);
  api::TokenList tokens();
  api::TokenDeleted revoke_token(std::int64_t id);

  api::DeviceList devices(const DeviceQuery& query);
  api::DeviceRecord device(std::string_view se_id);
  api::ReleaseAnswer release(std::string_view se_id, const api::ReleaseRequest& request);

 private:
  nlohmann::json call(std::string_view method, const std::string& path, const std::optional<nlohmann::json>& body,
                      int expected, std::string_view what);

  terminal::HttpSession session_;
};

}  // namespace sefleet::offcard::admin

// The JSON side of the routes (docs/api.md): each view reads the route's body into the typed request
// of offcard/api (a MessageError becomes 400 malformed_json / invalid_field naming the field), calls
// the typed campaign service and writes its typed answer as JSON. The routes (http_api.cpp) add
// only HTTP: status codes, headers, files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "offcard/server/api_error.hpp"
#include "offcard/server/campaign_service.hpp"

namespace sefleet::offcard::server::views {

// The body as a JSON object; ApiError 400 malformed_json otherwise.
nlohmann::json parse_body(std::string_view body);
// The JSON of an error answer (api::ErrorBody).
nlohmann::json error_body(const ApiError& error);

nlohmann::json create_campaign(CampaignService& service, const nlohmann::json& body);
nlohmann::json list_campaigns(CampaignService& service);
nlohmann::json campaign(CampaignService& service, const Caller& caller, const std::string& id);
nlohmann::json control_campaign(CampaignService& service, const std::string& id, std::string_view operation);
nlohmann::json timeline(CampaignService& service, const std::string& id);
// `decisions`: the `decision` query parameter as sent, device states separated by commas (400
// invalid_field for an unknown or empty one); absent: every event.
nlohmann::json events(CampaignService& service, const std::string& id, std::int64_t after_id,
                      const std::optional<std::string>& decisions);

nlohmann::json authorize(CampaignService& service, const Caller& caller, const std::string& id,
                         const nlohmann::json& body);
nlohmann::json report(CampaignService& service, const Caller& caller, const std::string& id,
                      const nlohmann::json& body);
nlohmann::json start_session(CampaignService& service, const Caller& caller, const std::string& id,
                             const nlohmann::json& body);
nlohmann::json finish_session(CampaignService& service, const Caller& caller, const std::string& id,
                              const std::string& session_id, const nlohmann::json& body);

nlohmann::json create_token(CampaignService& service, const nlohmann::json& body);
nlohmann::json list_tokens(CampaignService& service);
nlohmann::json delete_token(CampaignService& service, std::int64_t id);

// GET /v1/devices's query parameters as sent (400 invalid_field for an unknown state, a bad campaign id,
// a search that is not hex, a match other than prefix/contains, a limit outside 1..10000 or a negative
// offset).
struct DeviceListParams {
  std::optional<std::string> state, campaign, search, match, limit, offset;
};
nlohmann::json list_devices(CampaignService& service, const DeviceListParams& params);
nlohmann::json device(CampaignService& service, std::string_view se_id);
nlohmann::json release_device(CampaignService& service, std::string_view se_id, const nlohmann::json& body);

}  // namespace sefleet::offcard::server::views

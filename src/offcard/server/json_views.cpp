#include "offcard/server/json_views.hpp"

#include <algorithm>
#include <charconv>

#include "offcard/api/json_codec.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/server/http/error_response.hpp"
#include "offcard/server/http/message.hpp"

namespace sefleet::offcard::server::views {
namespace {

using nlohmann::json;

// Runs a reader of received JSON; its refusal becomes the 400 answer naming the field.
template <typename F>
auto read(F&& reader) {
  try {
    return reader();
  } catch (const api::MessageError& error) {
    throw ApiError(400, std::string(error.reason()), error.what());
  }
}

std::string campaign_id_of(std::string_view text, const char* field) {
  return read([&] { return api::read_campaign_id(json(std::string(text)), field); });
}

Bytes se_id_of(std::string_view text) {
  return read([&] { return api::hex_value(json(std::string(text)), "se_id", kMinSeIdSize, kMaxSeIdSize); });
}

}  // namespace

json parse_body(std::string_view body) {
  return read([&] { return api::parse_json_object(body); });
}

json error_body(const ApiError& error) {
  return api::to_json(error.body());
}

json create_campaign(CampaignService& service, const json& body) {
  return api::to_json(service.create_campaign(read([&] { return api::read_campaign_create(body); })));
}

json list_campaigns(CampaignService& service) {
  return api::to_json(service.list_campaigns());
}

json campaign(CampaignService& service, const Caller& caller, const std::string& id) {
  return api::to_json(service.campaign(caller, id));
}

json control_campaign(CampaignService& service, const std::string& id, std::string_view operation) {
  const auto parsed = api::from_name<api::CampaignOperation>(operation);
  if (!parsed) throw ApiError(404, "not_found", "no operation " + std::string(operation));
  return api::to_json(service.control_campaign(id, *parsed));
}

json timeline(CampaignService& service, const std::string& id) {
  return api::to_json(service.timeline(id));
}

json events(CampaignService& service, const std::string& id, std::int64_t after_id,
            const std::optional<std::string>& decisions) {
  std::vector<api::DeviceState> wanted;
  if (decisions) {
    std::string_view rest = *decisions;
    for (;;) {
      const std::string_view name = rest.substr(0, rest.find(','));
      const auto state = api::from_name<api::DeviceState>(name);
      if (!state) {
        throw invalid_field("decision",
                            "unknown device state \"" + std::string(name) +
                                "\" (expected states separated by commas: " + api::names_of<api::DeviceState>() + ")");
      }
      // Each state once: a long list of repeats never becomes a long SQL statement.
      if (std::find(wanted.begin(), wanted.end(), *state) == wanted.end()) wanted.push_back(*state);
      if (name.size() == rest.size()) break;
      rest.remove_prefix(name.size() + 1);
    }
  }
  return api::to_json(service.events(id, after_id, wanted));
}

json authorize(CampaignService& service, const Caller& caller, const std::string& id, const json& body) {
  return api::to_json(service.authorize(caller, id, read([&] { return api::read_authorization_request(body); })));
}

json report(CampaignService& service, const Caller& caller, const std::string& id, const json& body) {
  const api::ReportRequest request = read([&] { return api::read_report_request(body); });
  if (!request.next_authorization) return api::to_json(service.report(caller, id, request));
  // In the report's transaction, after it: whatever happens to the next SE's authorization, the report
  // stands and its answer is sent. A refusal is the one the authorization route would have answered
  // (status and error body), so the terminal handles it the same way.
  auto both = service.report_and_authorize(caller, id, request, *request.next_authorization);
  if (both.grant) {
    both.answer.next_authorization = std::move(*both.grant);
  } else {
    const http::HttpResponse refused = http::error_response_for(both.refused);
    both.answer.next_refusal = api::NextRefusal{refused.status, api::read_error_body(json::parse(refused.body))};
  }
  return api::to_json(both.answer);
}

json start_session(CampaignService& service, const Caller& caller, const std::string& id, const json& body) {
  if (read([&] { return api::read_online_protocol(body); }) == api::OnlineProtocol::scp03) {
    return api::to_json(
        service.start_scp03_session(caller, id, read([&] { return api::read_scp03_session_request(body); })));
  }
  return api::to_json(service.start_session(caller, id, read([&] { return api::read_online_session_request(body); })));
}

json finish_session(CampaignService& service, const Caller& caller, const std::string& id,
                    const std::string& session_id, const json& body) {
  const api::SessionAnswer answer = read([&] { return api::read_session_answer(body); });
  if (answer.protocol == api::OnlineProtocol::scp03) {
    return api::to_json(service.finish_scp03_session(caller, id, session_id, answer));
  }
  return api::to_json(service.finish_session(caller, id, session_id, answer));
}

json create_token(CampaignService& service, const json& body) {
  return api::to_json(service.create_token(read([&] { return api::read_token_create(body); })));
}

json list_tokens(CampaignService& service) {
  return api::to_json(service.list_tokens());
}

json delete_token(CampaignService& service, std::int64_t id) {
  return api::to_json(service.delete_token(id));
}

namespace {

constexpr std::int64_t kMaxDevicePage = 10000;

std::int64_t whole_number(const std::string& text, const char* field, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    throw invalid_field(field, "expected a whole number in " + std::to_string(min) + ".." + std::to_string(max));
  }
  return value;
}

}  // namespace

json list_devices(CampaignService& service, const DeviceListParams& params) {
  TargetQuery query;
  if (params.state) {
    query.state = api::from_name<api::DeviceState>(*params.state);
    if (!query.state) {
      throw invalid_field("state", "unknown device state \"" + *params.state +
                                       "\" (expected one of: " + api::names_of<api::DeviceState>() + ")");
    }
  }
  if (params.campaign) query.campaign_id = campaign_id_of(*params.campaign, "campaign");
  if (params.search) query.se_id_part = read([&] { return api::se_id_part(*params.search, "q"); });
  if (params.match && *params.match == "prefix") {
    query.se_id_match = SeIdMatch::prefix;
  } else if (params.match && *params.match != "contains") {
    throw invalid_field("match", "\"" + *params.match + "\" is neither prefix nor contains");
  }
  if (params.limit) query.limit = whole_number(*params.limit, "limit", 1, kMaxDevicePage);
  if (params.offset) query.offset = whole_number(*params.offset, "offset", 0, std::int64_t{1} << 40);
  return api::to_json(service.list_devices(query));
}

json device(CampaignService& service, std::string_view se_id) {
  return api::to_json(service.device(se_id_of(se_id)));
}

json release_device(CampaignService& service, std::string_view se_id, const json& body) {
  return api::to_json(service.release_device(se_id_of(se_id), read([&] { return api::read_release_request(body); })));
}

}  // namespace sefleet::offcard::server::views

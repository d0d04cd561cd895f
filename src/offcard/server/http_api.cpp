#include "offcard/server/http_api.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>

#include "offcard/server/api_error.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/dashboard_assets.hpp"
#include "offcard/server/http/byte_range.hpp"
#include "offcard/server/http/router.hpp"
#include "offcard/server/json_views.hpp"

namespace sefleet::offcard::server {
namespace {

using http::Access;
using http::HttpRequest;
using http::HttpResponse;
using nlohmann::json;

const std::string kCampaign = "/v1/campaigns/{hex32}";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<std::string> bearer_token(const HttpRequest& request) {
  const auto header = request.header("Authorization");
  if (!header || header->size() < 7 || !http::iequals(header->substr(0, 7), "bearer ")) return std::nullopt;
  return std::string(trim(header->substr(7)));
}

// The caller the authenticator found (every route but the open ones has one).
const Caller& caller_of(const HttpRequest& request) {
  return std::any_cast<const Caller&>(request.principal);
}

// A JSON object body: 415 for another media type, 400 for what does not parse. Its size was checked
// against the route's limit before it was read.
json json_body(const HttpRequest& request) {
  const std::string_view type = request.header("Content-Type").value_or("");
  if (!http::iequals(trim(type.substr(0, type.find(';'))), "application/json")) {
    throw ApiError(415, "unsupported_media_type",
                   "Content-Type: expected application/json, got \"" + std::string(type) + "\"");
  }
  return views::parse_body(request.body);
}

// The campaign id of a /v1/campaigns/{hex32}/... route, as the service keeps it.
std::string campaign_id(const HttpRequest& request) {
  return lower(request.params.at(0));
}

// A stored file with its ETag, and one byte range of it (If-Range on the ETag, If-None-Match).
HttpResponse send_file(const HttpRequest& request, const StoredFile& file) {
  const std::string etag = "\"" + file.sha256 + "\"";
  HttpResponse response;
  response.set_header("ETag", etag);
  response.set_header("Accept-Ranges", "bytes");
  if (request.header("If-None-Match") == std::string_view(etag)) {
    response.status = 304;
    return response;
  }
  const Bytes& bytes = *file.bytes;
  const auto* data = reinterpret_cast<const char*>(bytes.data());
  response.content_type = "application/octet-stream";
  const auto range_header = request.header("Range");
  const auto if_range = request.header("If-Range");
  if (!range_header || (if_range && *if_range != etag)) {
    response.body.assign(data, bytes.size());
    return response;
  }
  http::ByteRange range;
  try {
    range = http::resolve_byte_range(*range_header, bytes.size());
  } catch (const ApiError& refusal) {
    HttpResponse refused = HttpResponse::error(refusal.status(), refusal.reason(), refusal.what());
    refused.set_header("Content-Range", "bytes */" + std::to_string(bytes.size()));
    return refused;
  }
  response.status = 206;
  response.set_header("Content-Range", "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
                                           std::to_string(bytes.size()));
  response.body.assign(data + range.first, range.last - range.first + 1);
  return response;
}

std::int64_t integer_param(std::string_view text, const char* what) {
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) throw invalid_field(what, "expected a whole number");
  return value;
}

}  // namespace

void install_routes(http::Router& router, CampaignService& service) {
  router.set_authenticator([&service](Access access, const HttpRequest& head) -> std::any {
    const Caller caller = service.authenticate(bearer_token(head));
    if (access == Access::admin && !caller.admin) throw ApiError(403, "forbidden", "this route needs the admin token");
    return caller;
  });
  const auto add = [&router](std::string method, std::string pattern, Access access, std::size_t body_limit,
                             http::Handler handler) {
    router.add(http::Route{std::move(method), std::move(pattern), access, body_limit, false, std::move(handler)});
  };

  router.add(http::Route{"GET", "/v1/health", Access::open, 0, true, [](const HttpRequest&) {
                           return HttpResponse::json(200, json{{"status", "ok"}});
                         }});

  // Tokens (admin).
  add("POST", "/v1/tokens", Access::admin, kTerminalBodyLimit, [&service](const HttpRequest& request) {
    return HttpResponse::json(201, views::create_token(service, json_body(request)));
  });
  add("GET", "/v1/tokens", Access::admin, 0,
      [&service](const HttpRequest&) { return HttpResponse::json(200, views::list_tokens(service)); });
  add("DELETE", "/v1/tokens/{digits}", Access::admin, 0, [&service](const HttpRequest& request) {
    return HttpResponse::json(200, views::delete_token(service, integer_param(request.params.at(0), "token id")));
  });

  // Campaigns (admin).
  add("POST", "/v1/campaigns", Access::admin, kUploadBodyLimit, [&service](const HttpRequest& request) {
    return HttpResponse::json(201, views::create_campaign(service, json_body(request)));
  });
  add("GET", "/v1/campaigns", Access::admin, 0,
      [&service](const HttpRequest&) { return HttpResponse::json(200, views::list_campaigns(service)); });
  add("GET", kCampaign, Access::token, 0, [&service](const HttpRequest& request) {
    return HttpResponse::json(200, views::campaign(service, caller_of(request), campaign_id(request)));
  });
  // The body of these four is ignored (it may be empty).
  add("POST", kCampaign + "/{pause|resume|cancel|activate}", Access::admin, kTerminalBodyLimit,
      [&service](const HttpRequest& request) {
        return HttpResponse::json(200, views::control_campaign(service, campaign_id(request), request.params.at(1)));
      });
  add("GET", kCampaign + "/timeline", Access::admin, 0, [&service](const HttpRequest& request) {
    return HttpResponse::json(200, views::timeline(service, campaign_id(request)));
  });
  add("GET", kCampaign + "/events", Access::admin, 0, [&service](const HttpRequest& request) {
    const auto after = request.query_value("after");
    const auto decision = request.query_value("decision");
    return HttpResponse::json(200,
                              views::events(service, campaign_id(request), after ? integer_param(*after, "after") : 0,
                                            decision ? std::optional<std::string>(*decision) : std::nullopt));
  });

  // Terminal data (terminal tokens of the campaign, or the admin).
  add("GET", kCampaign + "/pse", Access::token, 0, [&service](const HttpRequest& request) {
    return send_file(request, service.pse(caller_of(request), campaign_id(request)));
  });
  add("GET", kCampaign + "/pmob", Access::token, 0, [&service](const HttpRequest& request) {
    return send_file(request, service.pmob(caller_of(request), campaign_id(request)));
  });
  add("POST", kCampaign + "/authorizations", Access::token, kTerminalBodyLimit, [&service](const HttpRequest& request) {
    return HttpResponse::json(201,
                              views::authorize(service, caller_of(request), campaign_id(request), json_body(request)));
  });
  add("POST", kCampaign + "/sessions", Access::token, kTerminalBodyLimit, [&service](const HttpRequest& request) {
    return HttpResponse::json(
        201, views::start_session(service, caller_of(request), campaign_id(request), json_body(request)));
  });
  add("POST", kCampaign + "/sessions/{hex32}", Access::token, kTerminalBodyLimit,
      [&service](const HttpRequest& request) {
        return HttpResponse::json(201, views::finish_session(service, caller_of(request), campaign_id(request),
                                                             lower(request.params.at(1)), json_body(request)));
      });
  add("POST", kCampaign + "/reports", Access::token, kTerminalBodyLimit, [&service](const HttpRequest& request) {
    return HttpResponse::json(200,
                              views::report(service, caller_of(request), campaign_id(request), json_body(request)));
  });

  // Devices (admin).
  add("GET", "/v1/devices", Access::admin, 0, [&service](const HttpRequest& request) {
    views::DeviceListParams params;
    const auto take = [&request](const char* name, std::optional<std::string>& into) {
      if (const auto value = request.query_value(name)) into = std::string(*value);
    };
    take("state", params.state);
    take("campaign", params.campaign);
    take("q", params.search);
    take("match", params.match);
    take("limit", params.limit);
    take("offset", params.offset);
    return HttpResponse::json(200, views::list_devices(service, params));
  });
  add("GET", "/v1/devices/{hex}", Access::admin, 0, [&service](const HttpRequest& request) {
    return HttpResponse::json(200, views::device(service, request.params.at(0)));
  });
  add("POST", "/v1/devices/{hex}/release", Access::admin, kTerminalBodyLimit, [&service](const HttpRequest& request) {
    return HttpResponse::json(200, views::release_device(service, request.params.at(0), json_body(request)));
  });

  // The dashboard: static files, no token in them (the page asks for the admin token).
  router.set_static_files([](const HttpRequest& request) {
    const auto asset = dashboard_asset(request.path);
    if (!asset) return HttpResponse::error(404, "not_found", "no route GET " + request.path);
    HttpResponse response;
    response.content_type = std::string(asset->first);
    response.body = std::string(asset->second);
    return response;
  });
}

}  // namespace sefleet::offcard::server

#include "offcard/server/http_api.hpp"

#include <httplib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <functional>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/log.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/campaign_service.hpp"
#include "offcard/server/dashboard_assets.hpp"
#include "offcard/server/json_input.hpp"

namespace sefleet::offcard::server {
namespace {

using nlohmann::json;

constexpr const char* kJson = "application/json";
constexpr const char* kCampaignId = "([0-9a-fA-F]{32})";

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), kJson);
}

void send_error(httplib::Response& res, int status, const std::string& reason, const std::string& message) {
  send_json(res, status, json{{"error", message}, {"reason", reason}});
}

std::optional<std::string> bearer_token(const httplib::Request& req) {
  const std::string header = req.get_header_value("Authorization");
  if (header.size() < 7 || lower(header.substr(0, 7)) != "bearer ") return std::nullopt;
  std::string token = header.substr(7);
  token.erase(0, token.find_first_not_of(' '));
  return token;
}

// A JSON body: 415 for another media type, 413 above the route's limit, 400 for what does not parse.
json json_body(const httplib::Request& req, std::size_t limit) {
  if (req.body.size() > limit) {
    throw ApiError(413, "body_too_large", "body of " + std::to_string(req.body.size()) + " bytes above the limit of " +
                                              std::to_string(limit));
  }
  const std::string type = lower(req.get_header_value("Content-Type"));
  const std::string media = type.substr(0, type.find(';'));
  if (media != kJson) {
    throw ApiError(415, "unsupported_media_type",
                   "Content-Type: expected application/json, got \"" + req.get_header_value("Content-Type") + "\"");
  }
  return parse_json_object(req.body);
}

// Runs a route, mapping every failure to docs/api.md's errors. Nothing is answered before the
// service returned, so a 2xx always means the change committed.
void guarded(httplib::Response& res, const std::function<void()>& route) {
  try {
    route();
  } catch (const ApiError& error) {
    if (error.retry_after()) res.set_header("Retry-After", std::to_string(*error.retry_after()));
    send_error(res, error.status(), error.reason(), error.what());
  } catch (const Error& error) {
    switch (error.code()) {
      case Errc::unavailable:
        res.set_header("Retry-After", std::to_string(kDatabaseRetryAfterSeconds));
        send_error(res, 503, "database_unavailable", error.what());
        break;
      case Errc::state_error: send_error(res, 409, "conflict", error.what()); break;
      default:
        spdlog::error("{}", "server: " + std::string(errc_name(error.code())) + ": " + error.what());
        send_error(res, 500, "internal_error", error.what());
    }
  } catch (const std::exception& error) {
    spdlog::error("{}", std::string("server: ") + error.what());
    send_error(res, 500, "internal_error", error.what());
  }
}

// Byte ranges of a stored file (RFC 9110 §14): one range, If-Range on the ETag, If-None-Match.
void send_file(const httplib::Request& req, httplib::Response& res, const StoredFile& file) {
  const std::string etag = "\"" + file.sha256 + "\"";
  res.set_header("ETag", etag);
  res.set_header("Accept-Ranges", "bytes");
  // httplib would apply req.ranges to any 2xx body on its own; this route answers ranges itself
  // (If-Range needs the ETag), so the parsed ranges are cleared. The Request object is not const
  // inside httplib; only the handler's view of it is.
  auto& ranges = const_cast<httplib::Request&>(req).ranges;
  const auto requested = ranges;
  ranges.clear();
  if (req.has_header("If-None-Match") && req.get_header_value("If-None-Match") == etag) {
    res.status = 304;
    return;
  }
  const Bytes& bytes = *file.bytes;
  const bool range_applies =
      !requested.empty() && (!req.has_header("If-Range") || req.get_header_value("If-Range") == etag);
  if (!range_applies) {
    res.status = 200;
    res.set_content(reinterpret_cast<const char*>(bytes.data()), bytes.size(), "application/octet-stream");
    return;
  }
  if (requested.size() != 1) throw ApiError(416, "range_not_satisfiable", "Range: only one range is supported");
  const auto size = static_cast<std::int64_t>(bytes.size());
  auto [first, last] = requested.front();
  if (first == -1) {  // suffix: the last `last` bytes
    first = std::max<std::int64_t>(0, size - last);
    last = size - 1;
  } else if (last == -1 || last >= size) {
    last = size - 1;
  }
  if (first < 0 || first >= size || first > last) {
    res.set_header("Content-Range", "bytes */" + std::to_string(size));
    throw ApiError(416, "range_not_satisfiable", "Range: outside the " + std::to_string(size) + " bytes of the file");
  }
  res.status = 206;
  res.set_header("Content-Range",
                 "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
  res.set_content(reinterpret_cast<const char*>(bytes.data()) + first, static_cast<std::size_t>(last - first + 1),
                  "application/octet-stream");
}

struct Route {
  const char* method;
  std::string pattern;
};

std::vector<Route> known_routes() {
  const std::string c = std::string("/v1/campaigns/") + kCampaignId;
  return {{"GET", "/v1/health"},
          {"POST", "/v1/tokens"},
          {"GET", "/v1/tokens"},
          {"DELETE", "/v1/tokens/([0-9]+)"},
          {"POST", "/v1/campaigns"},
          {"GET", "/v1/campaigns"},
          {"GET", c},
          {"POST", c + "/(pause|resume|cancel|activate)"},
          {"GET", c + "/timeline"},
          {"GET", c + "/events"},
          {"GET", c + "/pse"},
          {"GET", c + "/pmob"},
          {"POST", c + "/authorizations"},
          {"POST", c + "/reports"},
          {"GET", "/v1/devices"},
          {"GET", "/v1/devices/([0-9a-fA-F]+)"}};
}

}  // namespace

void install_routes(httplib::Server& http, CampaignService& service) {
  // 413 before the body is read, from Content-Length (the upload route has the larger limit).
  http.set_payload_max_length(kUploadBodyLimit);
  http.set_pre_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_header("Content-Length")) return httplib::Server::HandlerResponse::Unhandled;
    const std::string text = req.get_header_value("Content-Length");
    std::uint64_t length = 0;
    std::from_chars(text.data(), text.data() + text.size(), length);
    const bool upload = req.method == "POST" && req.path == "/v1/campaigns";
    const std::size_t limit = upload ? kUploadBodyLimit : kTerminalBodyLimit;
    if (length <= limit) return httplib::Server::HandlerResponse::Unhandled;
    send_error(res, 413, "body_too_large",
               "body of " + text + " bytes above the limit of " + std::to_string(limit) + " for " + req.path);
    res.set_header("Connection", "close");
    return httplib::Server::HandlerResponse::Handled;
  });
  // httplib's own refusals (413 above the payload limit, 400 for a bad request line) get a JSON body.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string reason = res.status == 413 ? "body_too_large"
                               : res.status == 404 ? "not_found"
                               : res.status == 416 ? "range_not_satisfiable"
                                                   : "bad_request";
    send_error(res, res.status, reason, "HTTP " + std::to_string(res.status) + " (" + reason + ")");
    return httplib::Server::HandlerResponse::Handled;
  }));

  const auto admin = [&service](const httplib::Request& req) {
    const Caller caller = service.authenticate(bearer_token(req));
    if (!caller.admin) throw ApiError(403, "forbidden", "this route needs the admin token");
    return caller;
  };
  const auto any_caller = [&service](const httplib::Request& req) { return service.authenticate(bearer_token(req)); };
  const std::string c = std::string("/v1/campaigns/") + kCampaignId;

  http.Get("/v1/health", [](const httplib::Request&, httplib::Response& res) {
    send_json(res, 200, json{{"status", "ok"}});
  });

  // Tokens.
  http.Post("/v1/tokens", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      send_json(res, 201, service.create_token(json_body(req, kTerminalBodyLimit)));
    });
  });
  http.Get("/v1/tokens", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      send_json(res, 200, service.list_tokens());
    });
  });
  http.Delete("/v1/tokens/([0-9]+)", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      std::int64_t id = 0;
      const std::string text = req.matches[1];
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
      if (ec != std::errc() || end != text.data() + text.size()) throw ApiError(404, "not_found", "no token " + text);
      send_json(res, 200, service.delete_token(id));
    });
  });

  // Campaigns (admin).
  http.Post("/v1/campaigns", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      send_json(res, 201, service.create_campaign(json_body(req, kUploadBodyLimit)));
    });
  });
  http.Get("/v1/campaigns", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      send_json(res, 200, service.list_campaigns());
    });
  });
  http.Get(c, [&service, any_caller](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] { send_json(res, 200, service.campaign(any_caller(req), lower(req.matches[1]))); });
  });
  http.Post(c + "/(pause|resume|cancel|activate)",
            [&service, admin](const httplib::Request& req, httplib::Response& res) {
              guarded(res, [&] {
                admin(req);
                if (req.body.size() > kTerminalBodyLimit) throw ApiError(413, "body_too_large", "body too large");
                send_json(res, 200, service.control_campaign(lower(req.matches[1]), req.matches[2]));
              });
            });
  http.Get(c + "/timeline", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      send_json(res, 200, service.timeline(lower(req.matches[1])));
    });
  });
  http.Get(c + "/events", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      std::int64_t after = 0;
      if (req.has_param("after")) {
        const std::string text = req.get_param_value("after");
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), after);
        if (ec != std::errc() || end != text.data() + text.size()) throw invalid_field("after", "expected an event id");
      }
      send_json(res, 200, service.events(lower(req.matches[1]), after));
    });
  });

  // Terminal data.
  http.Get(c + "/pse", [&service, any_caller](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] { send_file(req, res, service.pse(any_caller(req), lower(req.matches[1]))); });
  });
  http.Get(c + "/pmob", [&service, any_caller](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] { send_file(req, res, service.pmob(any_caller(req), lower(req.matches[1]))); });
  });
  http.Post(c + "/authorizations", [&service, any_caller](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      const Caller caller = any_caller(req);
      send_json(res, 201, service.authorize(caller, lower(req.matches[1]), json_body(req, kTerminalBodyLimit)));
    });
  });
  http.Post(c + "/reports", [&service, any_caller](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      const Caller caller = any_caller(req);
      send_json(res, 200, service.report(caller, lower(req.matches[1]), json_body(req, kTerminalBodyLimit)));
    });
  });

  // Devices (admin).
  http.Get("/v1/devices", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      std::optional<std::string> state, campaign;
      if (req.has_param("state")) state = req.get_param_value("state");
      if (req.has_param("campaign")) campaign = lower(req.get_param_value("campaign"));
      send_json(res, 200, service.list_devices(state, campaign));
    });
  });
  http.Get("/v1/devices/([0-9a-fA-F]+)", [&service, admin](const httplib::Request& req, httplib::Response& res) {
    guarded(res, [&] {
      admin(req);
      send_json(res, 200, service.device(req.matches[1]));
    });
  });

  // Anything else: 405 when the path exists with another method, else 404.
  const auto fallback = [routes = known_routes()](const httplib::Request& req, httplib::Response& res) {
    // The dashboard: static files, no token in them (the page asks for the admin token).
    if (req.method == "GET" && req.path.rfind("/v1/", 0) != 0) {
      if (auto asset = dashboard_asset(req.path)) {
        res.status = 200;
        res.set_content(std::string(asset->second), std::string(asset->first).c_str());
        return;
      }
    }
    for (const auto& route : routes) {
      if (std::regex_match(req.path, std::regex(route.pattern))) {
        send_error(res, 405, "method_not_allowed", req.method + " not allowed on " + req.path);
        return;
      }
    }
    send_error(res, 404, "not_found", "no route " + req.method + " " + req.path);
  };
  http.Get(".*", fallback);
  http.Post(".*", fallback);
  http.Put(".*", fallback);
  http.Patch(".*", fallback);
  http.Delete(".*", fallback);
}

}  // namespace sefleet::offcard::server

// What a route handler of the management server sees and gives back: a parsed request (method, decoded
// path and query, headers, the route's path parameters, the body, and who sent it) and a response.
// Independent of the HTTP library underneath (server/http/session.cpp speaks HTTP/1.1 on Boost.Beast).
#pragma once

#include <any>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sefleet::offcard::server::http {

// Who may call a route. Checked from the request's headers before any body byte is read.
enum class Access {
  open,   // no token (health, dashboard)
  token,  // any valid token: a terminal's (scoped to its campaigns) or the admin's
  admin,  // the admin token only
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;                                      // as sent ("GET", "POST", ...)
  std::string target;                                      // as sent ("/v1/devices?state=updated")
  std::string path;                                        // the target's path, percent-decoded
  std::vector<std::pair<std::string, std::string>> query;  // the target's query, decoded, in order
  HeaderList headers;                                      // as sent (names in their case)
  std::vector<std::string> params;                         // the route pattern's parameters ({hex32}, ...), in order
  std::string body;
  // Set by the server's authenticator for token and admin routes (the campaign service's Caller).
  std::any principal;

  // The value of a header (names compare without case); the request reader refuses a second copy of
  // the headers handlers read, so the first one is the only one.
  std::optional<std::string_view> header(std::string_view name) const;
  std::optional<std::string_view> query_value(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // empty: no body
  std::string body;
  HeaderList headers;  // extra headers (ETag, Retry-After, Content-Range, Allow ...)

  void set_header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
  static HttpResponse json(int status, const nlohmann::json& body);
  // docs/api.md "Errors": {"error": message, "reason": reason} (api::ErrorBody), with "retry_after"
  // and the Retry-After header when given.
  static HttpResponse error(int status, std::string_view reason, std::string_view message,
                            std::optional<int> retry_after = std::nullopt);
};

bool iequals(std::string_view a, std::string_view b);

}  // namespace sefleet::offcard::server::http

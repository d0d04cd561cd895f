// The management server's routes: for each, the method, the path pattern (route_pattern.hpp), who may
// call it, its body limit and the handler. The connection code (session.cpp) asks the router, from the
// request's headers alone, which route a request is for (or 404/405), checks the caller and the body
// limit, and only then reads the body and runs the handler.
#pragma once

#include <any>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "offcard/server/http/message.hpp"
#include "offcard/server/http/route_pattern.hpp"

namespace sefleet::offcard::server::http {

// Throws for a refusal: ApiError (docs/api.md errors) or sefleet::Error (mapped by error_response.hpp).
using Handler = std::function<HttpResponse(const HttpRequest&)>;

struct Route {
  std::string method;
  std::string pattern;  // RoutePattern syntax
  Access access = Access::admin;
  std::size_t body_limit = 0;  // bytes; a larger body is refused with 413 before it is read
  // Answers from memory (no database, no keystore): runs on an I/O thread instead of waiting for a worker.
  bool quick = false;
  Handler handler;
};

// Decides whether the request's token may call a route of this access level: returns what the handler
// finds in HttpRequest::principal, or throws ApiError 401/403 (or a database error). Only the request's
// headers are set when it runs.
using Authenticator = std::function<std::any(Access, const HttpRequest&)>;

class Router {
 public:
  // Throws Error(Errc::invalid_argument) for a bad pattern or a method and pattern registered twice.
  void add(Route route);
  void set_authenticator(Authenticator authenticator) { authenticator_ = std::move(authenticator); }
  // GET requests outside /v1/ that no route takes (the dashboard's files), open to everyone; the handler
  // answers 404 itself for what it does not have.
  void set_static_files(Handler handler);

  struct Selection {
    const Route* route = nullptr;  // null: `refusal` is the answer (404, or 405 with Allow)
    std::vector<std::string> params;
    std::optional<HttpResponse> refusal;
  };
  Selection select(std::string_view method, std::string_view path) const;

  // The access check of `route` (nothing for an open route). Throws like the Authenticator.
  std::any authenticate(const Route& route, const HttpRequest& head) const;
  // Runs the handler; every exception it throws becomes docs/api.md's error response.
  HttpResponse run(const Route& route, const HttpRequest& request) const;

 private:
  struct Entry {
    Route route;
    RoutePattern pattern;
  };
  std::vector<Entry> entries_;
  std::optional<Route> static_files_;
  Authenticator authenticator_;
};

}  // namespace sefleet::offcard::server::http

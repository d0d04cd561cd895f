#include "offcard/server/http/router.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "offcard/server/http/error_response.hpp"

namespace sefleet::offcard::server::http {

void Router::add(Route route) {
  if (!route.handler)
    throw Error(Errc::invalid_argument, "route " + route.method + " " + route.pattern + ": no handler");
  for (const auto& entry : entries_) {
    if (entry.route.method == route.method && entry.route.pattern == route.pattern) {
      throw Error(Errc::invalid_argument, "route " + route.method + " " + route.pattern + " registered twice");
    }
  }
  RoutePattern pattern(route.pattern);
  entries_.push_back(Entry{std::move(route), std::move(pattern)});
}

void Router::set_static_files(Handler handler) {
  Route route;
  route.method = "GET";
  route.pattern = "/";
  route.access = Access::open;
  route.quick = true;
  route.handler = std::move(handler);
  static_files_ = std::move(route);
}

Router::Selection Router::select(std::string_view method, std::string_view path) const {
  Selection selection;
  std::vector<std::string> methods;  // of the routes whose pattern matches, for 405
  const std::vector<std::string_view> segments = RoutePattern::segments_of(path);
  for (const auto& entry : entries_) {
    auto params = entry.pattern.match(segments);
    if (!params) continue;
    if (entry.route.method == method) {
      selection.route = &entry.route;
      selection.params = std::move(*params);
      return selection;
    }
    if (std::find(methods.begin(), methods.end(), entry.route.method) == methods.end()) {
      methods.push_back(entry.route.method);
    }
  }
  if (!methods.empty()) {
    std::string allowed;
    for (const auto& name : methods) allowed += (allowed.empty() ? "" : ", ") + name;
    HttpResponse refusal = HttpResponse::error(
        405, "method_not_allowed",
        std::string(method) + " not allowed on " + std::string(path) + " (allowed: " + allowed + ")");
    refusal.set_header("Allow", allowed);
    selection.refusal = std::move(refusal);
    return selection;
  }
  if (static_files_ && method == "GET" && path.rfind("/v1/", 0) != 0) {
    selection.route = &*static_files_;
    return selection;
  }
  selection.refusal =
      HttpResponse::error(404, "not_found", "no route " + std::string(method) + " " + std::string(path));
  return selection;
}

std::any Router::authenticate(const Route& route, const HttpRequest& head) const {
  if (route.access == Access::open) return {};
  if (!authenticator_)
    throw Error(Errc::state_error, "router: no authenticator for " + route.method + " " + route.pattern);
  return authenticator_(route.access, head);
}

HttpResponse Router::run(const Route& route, const HttpRequest& request) const {
  try {
    return route.handler(request);
  } catch (...) {
    return error_response_for(std::current_exception());
  }
}

}  // namespace sefleet::offcard::server::http

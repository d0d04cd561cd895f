// Route patterns, the router's choice of route (or 404/405), its access check and its mapping of a
// handler's exceptions to docs/api.md's errors; the Range header of downloads.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/http/byte_range.hpp"
#include "offcard/server/http/router.hpp"

namespace sefleet::offcard::server::http {
namespace {

using nlohmann::json;
using Params = std::vector<std::string>;

const std::string kId = "00112233445566778899aabbccddeeff";

TEST(RoutePattern, MatchesWholeSegmentsOfTheirForm) {
  const RoutePattern pattern("/v1/campaigns/{hex32}/{pause|resume}");
  EXPECT_EQ(pattern.match("/v1/campaigns/" + kId + "/pause"), Params({kId, "pause"}));
  EXPECT_EQ(pattern.match("/v1/campaigns/" + kId + "/resume"), Params({kId, "resume"}));
  EXPECT_FALSE(pattern.match("/v1/campaigns/" + kId + "/paused"));
  EXPECT_FALSE(pattern.match("/v1/campaigns/" + kId.substr(1) + "/pause"));
  EXPECT_FALSE(pattern.match("/v1/campaigns/" + kId + "0/pause"));
  EXPECT_FALSE(pattern.match("/v1/campaigns/" + std::string(31, '0') + "g/pause"));
  EXPECT_FALSE(pattern.match("/v1/campaigns/" + kId + "/pause/"));
  EXPECT_FALSE(pattern.match("/v1/campaigns/" + kId));
  EXPECT_FALSE(pattern.match("v1/campaigns/" + kId + "/pause"));
  EXPECT_EQ(RoutePattern("/v1/devices/{hex}").match("/v1/devices/0A0b"), Params({"0A0b"}));
  EXPECT_FALSE(RoutePattern("/v1/devices/{hex}").match("/v1/devices/"));
  EXPECT_FALSE(RoutePattern("/v1/devices/{hex}").match("/v1/devices/" + std::string(129, 'a')));
  EXPECT_EQ(RoutePattern("/v1/tokens/{digits}").match("/v1/tokens/42"), Params({"42"}));
  EXPECT_FALSE(RoutePattern("/v1/tokens/{digits}").match("/v1/tokens/-1"));
  EXPECT_FALSE(RoutePattern("/v1/tokens/{digits}").match("/v1/tokens/" + std::string(19, '9')));
  EXPECT_EQ(RoutePattern("/v1/health").match("/v1/health"), Params{});
}

TEST(RoutePattern, RefusesMalformedPatterns) {
  for (const char* bad : {"", "v1", "/v1/{nope}", "/v1/{a||b}", "/v1//x", "/v1/{hex32"}) {
    EXPECT_THROW(RoutePattern{bad}, Error) << bad;
  }
}

Route route(std::string method, std::string pattern, Access access, Handler handler) {
  return Route{std::move(method), std::move(pattern), access, 0, false, std::move(handler)};
}

HttpRequest request_with_token(const std::string& token) {
  HttpRequest request;
  request.headers.emplace_back("Authorization", token);
  return request;
}

TEST(Router, SelectsTheRouteOrAnswers404Or405) {
  Router router;
  const auto ok = [](const HttpRequest&) { return HttpResponse::json(200, json::object()); };
  router.add(route("GET", "/v1/things/{digits}", Access::open, ok));
  router.add(route("DELETE", "/v1/things/{digits}", Access::admin, ok));
  router.add(route("POST", "/v1/things", Access::token, ok));
  EXPECT_THROW(router.add(route("POST", "/v1/things", Access::token, ok)), Error);

  const auto found = router.select("DELETE", "/v1/things/7");
  ASSERT_NE(found.route, nullptr);
  EXPECT_EQ(found.route->method, "DELETE");
  EXPECT_EQ(found.params, Params({"7"}));

  const auto not_allowed = router.select("PUT", "/v1/things/7");
  ASSERT_EQ(not_allowed.route, nullptr);
  EXPECT_EQ(not_allowed.refusal->status, 405);
  ASSERT_EQ(not_allowed.refusal->headers.size(), 1u);
  EXPECT_EQ(not_allowed.refusal->headers[0].second, "GET, DELETE");

  const auto not_found = router.select("GET", "/v1/other");
  ASSERT_EQ(not_found.route, nullptr);
  EXPECT_EQ(not_found.refusal->status, 404);
  EXPECT_EQ(json::parse(not_found.refusal->body).at("reason"), "not_found");

  // Static files answer GETs outside /v1/ only.
  router.set_static_files([](const HttpRequest&) { return HttpResponse::json(200, json::object()); });
  EXPECT_NE(router.select("GET", "/index.html").route, nullptr);
  EXPECT_EQ(router.select("GET", "/v1/other").route, nullptr);
  EXPECT_EQ(router.select("POST", "/index.html").route, nullptr);
}

TEST(Router, ChecksAccessThroughTheAuthenticator) {
  Router router;
  router.add(route("GET", "/open", Access::open, [](const HttpRequest&) { return HttpResponse{}; }));
  router.add(route("GET", "/admin", Access::admin, [](const HttpRequest&) { return HttpResponse{}; }));
  const Route& open = *router.select("GET", "/open").route;
  const Route& admin = *router.select("GET", "/admin").route;
  // Without an authenticator only open routes work.
  EXPECT_FALSE(router.authenticate(open, {}).has_value());
  EXPECT_THROW(router.authenticate(admin, {}), Error);
  router.set_authenticator([](Access access, const HttpRequest& head) -> std::any {
    if (head.header("authorization") != "yes") throw ApiError(401, "invalid_token", "no");
    return std::string(access == Access::admin ? "admin" : "token");
  });
  EXPECT_EQ(std::any_cast<std::string>(router.authenticate(admin, request_with_token("yes"))), "admin");
  EXPECT_THROW(router.authenticate(admin, request_with_token("no")), ApiError);
  EXPECT_FALSE(router.authenticate(open, request_with_token("no")).has_value());
}

TEST(Router, MapsHandlerExceptionsToApiErrors) {
  Router router;
  int calls = 0;
  const auto throwing = [&calls](const HttpRequest&) -> HttpResponse {
    switch (calls++) {
      case 0:
        throw ApiError(409, "paused", "the campaign is paused", 30);
      case 1:
        throw Error(Errc::unavailable, "database down");
      case 2:
        throw Error(Errc::state_error, "constraint");
      case 3:
        throw Error(Errc::io_error, "disk full");
      default:
        throw std::runtime_error("bug");
    }
  };
  router.add(route("GET", "/x", Access::open, throwing));
  const Route& x = *router.select("GET", "/x").route;
  const HttpResponse paused = router.run(x, {});
  EXPECT_EQ(paused.status, 409);
  EXPECT_EQ(json::parse(paused.body),
            (json{{"error", "the campaign is paused"}, {"reason", "paused"}, {"retry_after", 30}}));
  EXPECT_EQ(paused.headers, (HeaderList{{"Retry-After", "30"}}));
  const HttpResponse down = router.run(x, {});
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(json::parse(down.body).at("reason"), "database_unavailable");
  EXPECT_EQ(down.headers, (HeaderList{{"Retry-After", "2"}}));
  EXPECT_EQ(router.run(x, {}).status, 409);
  EXPECT_EQ(router.run(x, {}).status, 500);
  const HttpResponse bug = router.run(x, {});
  EXPECT_EQ(bug.status, 500);
  EXPECT_EQ(json::parse(bug.body).at("reason"), "internal_error");
}

TEST(ByteRange, ResolvesOneRangeAgainstTheFileSize) {
  const auto range = [](const char* header, std::uint64_t size) {
    const ByteRange r = resolve_byte_range(header, size);
    return std::make_pair(r.first, r.last);
  };
  EXPECT_EQ(range("bytes=0-9", 100), std::make_pair(std::uint64_t{0}, std::uint64_t{9}));
  EXPECT_EQ(range("bytes=10-", 100), std::make_pair(std::uint64_t{10}, std::uint64_t{99}));
  EXPECT_EQ(range("bytes=90-500", 100), std::make_pair(std::uint64_t{90}, std::uint64_t{99}));
  EXPECT_EQ(range("bytes=-10", 100), std::make_pair(std::uint64_t{90}, std::uint64_t{99}));
  EXPECT_EQ(range("bytes=-500", 100), std::make_pair(std::uint64_t{0}, std::uint64_t{99}));
  EXPECT_EQ(range("Bytes=5-5", 100), std::make_pair(std::uint64_t{5}, std::uint64_t{5}));
}

TEST(ByteRange, RefusesWhatItCannotServeWith416) {
  for (const char* header : {"bytes=100-", "bytes=5-4", "bytes=-0", "bytes=0-1,5-6", "items=0-1", "bytes=", "bytes=-",
                             "bytes=a-b", "bytes=+1-2", "bytes= 1-2", "bytes=1-2 ", "bytes=99999999999999999999-"}) {
    try {
      resolve_byte_range(header, 100);
      ADD_FAILURE() << "accepted " << header;
    } catch (const ApiError& refusal) {
      EXPECT_EQ(refusal.status(), 416) << header;
      EXPECT_EQ(refusal.reason(), "range_not_satisfiable");
    }
  }
  EXPECT_THROW(resolve_byte_range("bytes=0-", 0), ApiError);
}

}  // namespace
}  // namespace sefleet::offcard::server::http

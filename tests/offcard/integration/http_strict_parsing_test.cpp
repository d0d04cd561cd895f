// The management server's HTTP/1.1 parsing over raw loopback sockets: every request whose length two
// readers could see differently (request smuggling) is refused with 400 and the connection closed, so a
// request hidden behind it is never answered; pipelined requests are answered in order.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "offcard/integration/http_test_server.hpp"
#include "offcard/integration/raw_http_connection.hpp"

namespace sefleet::test {
namespace {

using nlohmann::json;

// A request the refused one may hide: answered 200 if the server took the refused request's end wrongly.
const std::string kSmuggled = "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

class HttpStrictParsing : public ::testing::Test {
 protected:
  // Sends `request` then kSmuggled in one write; expects one answer, `status`, and the connection closed.
  void expect_refused(const std::string& request, int status = 400, const std::string& reason = "bad_request") {
    SCOPED_TRACE(request);
    RawHttpConnection connection(server_.port());
    ASSERT_TRUE(connection.send(request + kSmuggled));
    const auto answer = connection.read_response();
    ASSERT_TRUE(answer) << "no answer";
    EXPECT_EQ(answer->status, status) << answer->body;
    EXPECT_EQ(answer->reason(), reason) << answer->body;
    EXPECT_FALSE(answer->keep_alive);
    EXPECT_TRUE(connection.closed_by_server()) << "connection left open after a refusal";
    EXPECT_TRUE(connection.pending().empty()) << "a second answer: " << connection.pending();
  }

  std::string authorized_post(const std::string& framing_headers, const std::string& body) const {
    return "POST /v1/campaigns/" + server_.campaign() + "/authorizations HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
           "Authorization: Bearer " + server_.terminal_token() + "\r\nContent-Type: application/json\r\n" +
           framing_headers + "\r\n" + body;
  }

  HttpTestServer server_;
};

TEST_F(HttpStrictParsing, ConflictingContentLengthsAreRefused) {
  expect_refused(authorized_post("Content-Length: 2\r\nContent-Length: 40\r\n", "{}"));
  expect_refused(authorized_post("Content-Length: 2, 40\r\n", "{}"));
}

TEST_F(HttpStrictParsing, ContentLengthWithTransferEncodingIsRefused) {
  expect_refused(authorized_post("Content-Length: 7\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"));
  expect_refused(authorized_post("Transfer-Encoding: chunked\r\nContent-Length: 7\r\n", "2\r\n{}\r\n0\r\n\r\n"));
  // Beast alone would accept a length next to a coding other than chunked.
  expect_refused(authorized_post("Transfer-Encoding: gzip\r\nContent-Length: 2\r\n", "{}"));
}

TEST_F(HttpStrictParsing, SpaceBeforeTheColonIsRefused) {
  expect_refused(authorized_post("Transfer-Encoding : chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"));
  expect_refused(authorized_post("Content-Length : 2\r\n", "{}"));
}

TEST_F(HttpStrictParsing, SignedOrNonDecimalLengthsAreRefused) {
  for (const std::string length : {"+2", "-2", "0x2", "2 2", "2a", "", "99999999999999999999999"}) {
    expect_refused(authorized_post("Content-Length: " + length + "\r\n", "{}"));
  }
}

TEST_F(HttpStrictParsing, ObsoleteLineFoldingIsRefused) {
  expect_refused(authorized_post("Content-Length: 2\r\nX-Note: first\r\n second\r\n", "{}"));
  expect_refused(authorized_post("Transfer-Encoding:\r\n chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"));
  expect_refused(authorized_post("Content-Length: 2\r\nX-Note: first\r\n\tsecond\r\n", "{}"));
}

TEST_F(HttpStrictParsing, UnknownOrRepeatedTransferCodingsAreRefused) {
  for (const std::string coding :
       {"gzip", "gzip, chunked", "chunked, gzip", "chunked, chunked", "xchunked", "identity"}) {
    expect_refused(authorized_post("Transfer-Encoding: " + coding + "\r\n", "2\r\n{}\r\n0\r\n\r\n"));
  }
  expect_refused(
      authorized_post("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n"));
  // HTTP/1.0 has no transfer codings.
  expect_refused("POST /v1/health HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
}

TEST_F(HttpStrictParsing, MalformedChunksAndTrailersAreRefused) {
  expect_refused(authorized_post("Transfer-Encoding: chunked\r\n", "+2\r\n{}\r\n0\r\n\r\n"));
  expect_refused(authorized_post("Transfer-Encoding: chunked\r\n", "2\r\n{}XX0\r\n\r\n"));
  expect_refused(authorized_post("Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\nContent-Type: text/plain\r\n\r\n"));
}

TEST_F(HttpStrictParsing, MalformedRequestsAreRefused) {
  expect_refused("GET /v1/health HTTP/1.1\nHost: 127.0.0.1\n\n");                        // bare LF
  expect_refused("GET /v1/health HTTP/1.1\r\n\r\n");                                     // HTTP/1.1 without Host
  expect_refused("GET /v1/health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n");               // two Hosts
  expect_refused("GET http://127.0.0.1/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");  // not a path
  expect_refused("GET /v1/%2F/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");              // encoded '/'
  expect_refused(
      "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n");
  expect_refused("GET /v1/health HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 505, "http_version_not_supported");
  expect_refused("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 200-ok\r\n\r\n", 417, "expectation_failed");
  expect_refused("GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n", 431,
                 "header_too_large");
}

TEST_F(HttpStrictParsing, PipelinedRequestsAreAnsweredInOrder) {
  RawHttpConnection connection(server_.port());
  const std::string pipeline = http_request("GET", "/v1/health") +
                               server_.authorization_request(server_.terminal_token()) +
                               http_request("GET", "/v1/campaigns/" + server_.campaign(),
                                            "Authorization: Bearer " + server_.terminal_token() + "\r\n") +
                               http_request("GET", "/v1/nothing") + http_request("GET", "/v1/health");
  ASSERT_TRUE(connection.send(pipeline));
  const std::vector<int> expected{200, 201, 200, 404, 200};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto answer = connection.read_response();
    ASSERT_TRUE(answer) << "answer " << i;
    EXPECT_EQ(answer->status, expected[i]) << "answer " << i << ": " << answer->body;
    EXPECT_TRUE(answer->keep_alive);
    if (i == 1) {
      EXPECT_EQ(json::parse(answer->body).at("paut").size(), 4u);
    }
    if (i == 2) {
      EXPECT_EQ(json::parse(answer->body).at("progress").at("authorized"), 1);
    }
  }
  // A chunked body followed by the next request in the same bytes.
  const std::string chunked = authorized_post("Transfer-Encoding: chunked\r\n", "");
  const std::string identity = R"({"se_id":"0102030405060709","kdd":"00112233445566778899","kvn":48,"i":112,)"
                               R"("sequence_counter":5})";
  char rest_size[16];
  std::snprintf(rest_size, sizeof rest_size, "%zx", identity.size() - 16);
  ASSERT_TRUE(connection.send(chunked + "10\r\n" + identity.substr(0, 16) + "\r\n" + rest_size + "\r\n" +
                              identity.substr(16) + "\r\n0\r\n\r\n" + kSmuggled));
  const auto authorized = connection.read_response();
  ASSERT_TRUE(authorized);
  EXPECT_EQ(authorized->status, 201) << authorized->body;
  const auto health = connection.read_response();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(HttpStrictParsing, ContinueIsSentOnlyOnceTheTokenAndLengthPass) {
  RawHttpConnection connection(server_.port());
  const std::string body =
      R"({"se_id":"0102030405060708","kdd":"00112233445566778899","kvn":48,"i":112,"sequence_counter":5})";
  ASSERT_TRUE(connection.send("POST /v1/campaigns/" + server_.campaign() +
                              "/authorizations HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                              server_.terminal_token() +
                              "\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n" +
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n"));
  const auto go_on = connection.read_response();
  ASSERT_TRUE(go_on);
  EXPECT_EQ(go_on->status, 100);
  ASSERT_TRUE(connection.send(body));
  const auto answer = connection.read_response();
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 201) << answer->body;

  // A wrong token: the final answer comes instead of 100, and the body is never read.
  RawHttpConnection refused(server_.port());
  ASSERT_TRUE(
      refused.send("POST /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer nope\r\n"
                   "Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 1000000\r\n\r\n"));
  const auto final_answer = refused.read_response();
  ASSERT_TRUE(final_answer);
  EXPECT_EQ(final_answer->status, 401);
  EXPECT_EQ(final_answer->reason(), "invalid_token");
  EXPECT_TRUE(refused.closed_by_server());
}

TEST_F(HttpStrictParsing, UnknownRoutesAndMethodsAnswerWithoutClosing) {
  RawHttpConnection connection(server_.port());
  ASSERT_TRUE(connection.send(http_request("PUT", "/v1/campaigns") + http_request("GET", "/v1/nothing/here") +
                              http_request("GET", "/v1/health")));
  const auto not_allowed = connection.read_response();
  ASSERT_TRUE(not_allowed);
  EXPECT_EQ(not_allowed->status, 405);
  EXPECT_EQ(not_allowed->header("allow"), "POST, GET");
  const auto not_found = connection.read_response();
  ASSERT_TRUE(not_found);
  EXPECT_EQ(not_found->status, 404);
  EXPECT_EQ(not_found->reason(), "not_found");
  const auto health = connection.read_response();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  // The dashboard is served from memory at /.
  ASSERT_TRUE(connection.send(http_request("GET", "/")));
  const auto page = connection.read_response();
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->header("content-type").find("text/html"), std::string::npos);
}

}  // namespace
}  // namespace sefleet::test

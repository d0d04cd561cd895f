// Token and body limits are checked from the headers, before any body byte is read: a refused upload
// costs the server no memory, a Content-Length above the route's limit is answered at once, and a
// chunked body is cut off as soon as it passes the limit.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "offcard/integration/http_test_server.hpp"
#include "offcard/integration/raw_http_connection.hpp"
#include "offcard/server/http_api.hpp"

namespace sefleet::test {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kUpload = 60 * 1000 * 1000;  // 60 MB, under the upload route's 64 MiB limit

std::string upload_head(const std::string& authorization, const std::string& framing) {
  return "POST /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\n" + authorization + "Content-Type: application/json\r\n" +
         framing + "\r\n";
}

TEST(HttpBodyLimits, TheTokenIsCheckedBeforeTheBody) {
  HttpTestServer server;
  const std::string length = "Content-Length: " + std::to_string(kUpload) + "\r\n";
  // Nothing of the body is sent: the answer must come from the headers alone.
  for (const auto& [authorization, status, reason] : std::vector<std::tuple<std::string, int, std::string>>{
           {"", 401, "missing_token"},
           {"Authorization: Bearer wrong\r\n", 401, "invalid_token"},
           {"Authorization: Bearer " + server.terminal_token() + "\r\n", 403, "forbidden"}}) {
    SCOPED_TRACE(authorization);
    for (const std::string& framing : {length, std::string("Transfer-Encoding: chunked\r\n")}) {
      RawHttpConnection connection(server.port());
      ASSERT_TRUE(connection.send(upload_head(authorization, framing)));
      const auto answer = connection.read_response(5s);
      ASSERT_TRUE(answer);
      EXPECT_EQ(answer->status, status) << answer->body;
      EXPECT_EQ(answer->reason(), reason);
      EXPECT_FALSE(answer->keep_alive);  // the announced body was never read
      EXPECT_TRUE(connection.closed_by_server());
    }
  }
}

TEST(HttpBodyLimits, AContentLengthAboveTheRouteLimitIsRefusedBeforeTheBody) {
  HttpTestServer server;
  const std::string path = "/v1/campaigns/" + server.campaign() + "/authorizations";
  const std::string token =
      "Authorization: Bearer " + server.terminal_token() + "\r\nContent-Type: application/json\r\n";
  RawHttpConnection connection(server.port());
  ASSERT_TRUE(connection.send("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + token + "Content-Length: " +
                              std::to_string(offcard::server::kTerminalBodyLimit + 1) + "\r\n\r\n"));
  const auto answer = connection.read_response(5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(answer->reason(), "body_too_large");
  EXPECT_NE(answer->body.find(std::to_string(offcard::server::kTerminalBodyLimit)), std::string::npos);
  EXPECT_TRUE(connection.closed_by_server());
  // The admin's upload limit too, and a GET takes no body at all.
  RawHttpConnection upload(server.port());
  ASSERT_TRUE(
      upload.send(upload_head("Authorization: Bearer " + kHttpTestAdmin + "\r\n",
                              "Content-Length: " + std::to_string(offcard::server::kUploadBodyLimit + 1) + "\r\n")));
  const auto refused_upload = upload.read_response(5s);
  ASSERT_TRUE(refused_upload);
  EXPECT_EQ(refused_upload->status, 413);
  RawHttpConnection get(server.port());
  ASSERT_TRUE(get.send("GET /v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx"));
  const auto refused_get = get.read_response(5s);
  ASSERT_TRUE(refused_get);
  EXPECT_EQ(refused_get->status, 413);
  // Exactly at the limit is read (and then refused for what it is, not for its size).
  RawHttpConnection at_limit(server.port());
  const std::string body(offcard::server::kTerminalBodyLimit, ' ');
  ASSERT_TRUE(at_limit.send("POST " + path + " HTTP/1.1\r\nHost: x\r\n" + token +
                            "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body));
  const auto read = at_limit.read_response(5s);
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 400);
  EXPECT_EQ(read->reason(), "malformed_json");
}

TEST(HttpBodyLimits, AChunkedBodyIsCutOffAtTheRouteLimit) {
  HttpTestServer server;
  const std::string path = "/v1/campaigns/" + server.campaign() + "/authorizations";
  RawHttpConnection connection(server.port());
  ASSERT_TRUE(connection.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                              server.terminal_token() +
                              "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"));
  // 4 KiB chunks, never ending: the answer must come once 64 KiB have passed, not at the end.
  const std::string chunk = "1000\r\n" + std::string(4096, ' ') + "\r\n";
  std::size_t sent = 0;
  std::optional<RawResponse> answer;
  while (sent < 4 * offcard::server::kTerminalBodyLimit && connection.send(chunk)) {
    sent += 4096;
    if (sent > offcard::server::kTerminalBodyLimit) {
      answer = connection.read_response(50ms);
      if (answer) break;
    }
  }
  if (!answer) answer = connection.read_response(5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 413);
  EXPECT_EQ(answer->reason(), "body_too_large");
  EXPECT_LE(sent, 2 * offcard::server::kTerminalBodyLimit);
  EXPECT_TRUE(connection.closed_by_server());
}

// Eight clients send 60 MB uploads without a token, all at once and without waiting for an answer; the
// server refuses each from its headers and drops what follows, so its resident memory hardly moves.
// The test runs the server in this process and reads this process's peak resident set; the clients
// send from one 64 KiB buffer each, so their own memory does not count.
TEST(HttpBodyLimits, EightUnauthenticatedSixtyMegabyteUploadsDoNotGrowMemory) {
  HttpTestServer server;
  const std::string block(64 * 1024, 'A');
  reset_peak_rss();
  const std::int64_t before = resident_kib();
  std::atomic<int> refused{0};
  std::atomic<std::size_t> accepted_bytes{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 8; ++i) {
    clients.emplace_back([&, i] {
      RawHttpConnection connection(server.port());
      const std::string framing = i % 2 == 0 ? "Content-Length: " + std::to_string(kUpload) + "\r\n"
                                             : std::string("Transfer-Encoding: chunked\r\n");
      if (!connection.send(upload_head("", framing))) return;
      const std::string piece = i % 2 == 0 ? block : "10000\r\n" + block + "\r\n";
      std::size_t sent = 0;
      while (sent < kUpload && connection.send(piece)) sent += block.size();
      accepted_bytes += sent;
      // The 401 was sent before the body; it may have been lost to the reset that ends the upload.
      if (const auto answer = connection.read_response(2s); answer && answer->status == 401) ++refused;
    });
  }
  for (auto& client : clients) client.join();
  const std::int64_t growth_kib = peak_resident_kib() - before;
  EXPECT_LT(growth_kib, 20 * 1024) << "peak resident set grew by " << growth_kib << " KiB";
  // The uploads were cut short (the server stops reading after a bounded drain).
  EXPECT_LT(accepted_bytes.load(), std::size_t{8} * kUpload / 2);
  RecordProperty("rss_growth_kib", static_cast<int>(growth_kib));
  RecordProperty("answers_401_read", refused.load());
  // Still serving.
  RawHttpConnection after(server.port());
  ASSERT_TRUE(after.send(http_request("GET", "/v1/health")));
  const auto health = after.read_response();
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
}  // namespace sefleet::test

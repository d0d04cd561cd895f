// Clients that hold connections (slow headers, idle keep-alive, too many connections, stalled bodies)
// cannot stop the management server answering others: every wait has a deadline and no connection holds
// a thread. Loopback only, each test bounded to seconds.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "offcard/integration/http_test_server.hpp"
#include "offcard/integration/raw_http_connection.hpp"

namespace sefleet::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using offcard::server::http::HttpLimits;

// A request on a fresh connection, with how long the answer took.
struct Timed {
  int status = 0;
  Clock::duration took{};
};
Timed timed_request(std::uint16_t port, const std::string& request) {
  const auto start = Clock::now();
  RawHttpConnection connection(port);
  connection.send(request);
  const auto answer = connection.read_response(5s);
  return Timed{answer ? answer->status : 0, Clock::now() - start};
}

TEST(HttpSlowClients, FiftySlowHeaderSendersForTenSecondsDoNotStopHealthOrAuthorizations) {
  HttpLimits limits;
  limits.header_timeout = 30s;  // longer than the test: the slow senders stay connected throughout
  HttpTestServer server(limits);
  std::vector<std::unique_ptr<RawHttpConnection>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawHttpConnection>(server.port()));
    ASSERT_TRUE(
        slow.back()->send("POST /v1/campaigns/" + server.campaign() + "/authorizations HTTP/1.1\r\nHost: x\r\n"));
  }
  const std::string drip = "X-Slow: 0123456789\r\n";
  const auto end = Clock::now() + 10s;
  int health = 0, authorizations = 0;
  Clock::duration slowest{};
  for (std::size_t step = 0; Clock::now() < end; ++step) {
    // One more header byte from each slow sender, then a health check and an authorization on new
    // connections (a fresh connection is what a server with one thread per connection could not serve).
    for (auto& connection : slow) ASSERT_TRUE(connection->send(std::string(1, drip[step % drip.size()])));
    const Timed h = timed_request(server.port(), http_request("GET", "/v1/health"));
    const Timed a = timed_request(server.port(), server.authorization_request(server.terminal_token()));
    EXPECT_EQ(h.status, 200);
    EXPECT_EQ(a.status, 201);
    health += h.status == 200;
    authorizations += a.status == 201;
    slowest = std::max({slowest, h.took, a.took});
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(health, 20);
  EXPECT_GE(authorizations, 20);
  // One stalled server thread would show here as seconds; the limit leaves room for a loaded machine.
  EXPECT_LT(slowest, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(slowest).count() << " ms";
  EXPECT_GE(server.server().connections(), 50u);  // the slow senders are still there
}

TEST(HttpSlowClients, FiftyIdleKeepAliveConnectionsDoNotDelayANewClient) {
  HttpTestServer server;
  std::vector<std::unique_ptr<RawHttpConnection>> idle;
  for (int i = 0; i < 50; ++i) {
    idle.push_back(std::make_unique<RawHttpConnection>(server.port()));
    ASSERT_TRUE(idle.back()->send(http_request("GET", "/v1/health")));
    const auto answer = idle.back()->read_response();
    ASSERT_TRUE(answer);
    ASSERT_TRUE(answer->keep_alive);
  }
  const Timed fresh = timed_request(server.port(), server.authorization_request(server.terminal_token()));
  EXPECT_EQ(fresh.status, 201);
  EXPECT_LT(fresh.took, 1s) << std::chrono::duration_cast<std::chrono::milliseconds>(fresh.took).count() << " ms";
  // The idle ones are still usable.
  ASSERT_TRUE(idle.front()->send(http_request("GET", "/v1/health")));
  const auto again = idle.front()->read_response();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
}

TEST(HttpSlowClients, HeadersNotCompleteInTimeGet408AndTheConnectionCloses) {
  HttpLimits limits;
  limits.header_timeout = 500ms;
  HttpTestServer server(limits);
  RawHttpConnection slow(server.port());
  const auto start = Clock::now();
  ASSERT_TRUE(slow.send("GET /v1/health HTTP/1.1\r\nHost: x\r\n"));
  const auto answer = slow.read_response(5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 408);
  EXPECT_EQ(answer->reason(), "request_timeout");
  EXPECT_TRUE(slow.closed_by_server());
  EXPECT_GE(Clock::now() - start, 400ms);
  // A connection that never sends anything is closed without an answer.
  RawHttpConnection silent(server.port());
  EXPECT_TRUE(silent.closed_by_server(5s));
  EXPECT_TRUE(silent.pending().empty());
}

TEST(HttpSlowClients, ABodyNotCompleteInTimeGets408) {
  HttpLimits limits;
  limits.body_timeout = 500ms;
  HttpTestServer server(limits);
  RawHttpConnection slow(server.port());
  const std::string full = server.authorization_request(server.terminal_token());
  ASSERT_TRUE(slow.send(full.substr(0, full.size() - 10)));  // the body's last 10 bytes never come
  const auto answer = slow.read_response(5s);
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 408);
  EXPECT_TRUE(slow.closed_by_server());
}

TEST(HttpSlowClients, IdleKeepAliveConnectionsAreClosedAfterTheIdleTimeout) {
  HttpLimits limits;
  limits.idle_timeout = 500ms;
  HttpTestServer server(limits);
  RawHttpConnection connection(server.port());
  ASSERT_TRUE(connection.send(http_request("GET", "/v1/health")));
  ASSERT_TRUE(connection.read_response());
  const auto start = Clock::now();
  EXPECT_TRUE(connection.closed_by_server(5s));
  EXPECT_GE(Clock::now() - start, 400ms);
}

TEST(HttpSlowClients, ConnectionsBeyondTheCapGet503AndClose) {
  HttpLimits limits;
  limits.max_connections = 8;
  HttpTestServer server(limits);
  std::vector<std::unique_ptr<RawHttpConnection>> open;
  for (int i = 0; i < 8; ++i) {
    open.push_back(std::make_unique<RawHttpConnection>(server.port()));
    ASSERT_TRUE(open.back()->send(http_request("GET", "/v1/health")));
    ASSERT_TRUE(open.back()->read_response());
  }
  RawHttpConnection extra(server.port());
  extra.send(http_request("GET", "/v1/health"));
  const auto refused = extra.read_response();
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 503);
  EXPECT_EQ(refused->reason(), "too_many_connections");
  EXPECT_EQ(refused->header("retry-after"), "1");
  EXPECT_FALSE(refused->keep_alive);
  EXPECT_TRUE(extra.closed_by_server());
  // Once one leaves, a new client is served.
  open.pop_back();
  const auto deadline = Clock::now() + 5s;
  while (server.server().connections() >= 8 && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  const Timed next = timed_request(server.port(), http_request("GET", "/v1/health"));
  EXPECT_EQ(next.status, 200);
}

TEST(HttpSlowClients, AClientThatStopsReadingIsDisconnectedAfterTheWriteTimeout) {
  HttpLimits limits;
  limits.write_timeout = 500ms;
  HttpTestServer server(limits);
  // Pipelined downloads that the client never reads: the answers fill both socket buffers, the
  // server's write waits, and the write deadline ends the connection.
  RawHttpConnection reader(server.port(), 4096);
  const std::string download = http_request("GET", "/v1/campaigns/" + server.campaign() + "/pse",
                                            "Authorization: Bearer " + server.terminal_token() + "\r\n");
  std::string batch;
  for (int i = 0; i < 100; ++i) batch += download;
  const auto end = Clock::now() + 10s;
  bool refused = false;
  while (Clock::now() < end && !refused) refused = !reader.send(batch);
  EXPECT_TRUE(refused) << "the server kept reading requests whose answers nobody read";
}

}  // namespace
}  // namespace sefleet::test

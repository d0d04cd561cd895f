// The request reader without any socket: bytes in, a request (or a refusal) out, in the two steps the
// server uses (headers, then the body once route, token and limit passed).
#include <gtest/gtest.h>

#include <string>

#include "offcard/server/http/request_reader.hpp"

namespace sefleet::offcard::server::http {
namespace {

constexpr std::size_t kHeaderLimit = 1024;

// Reads one whole request from `bytes` fed in pieces of `step` bytes, as a connection would.
struct Outcome {
  ReadStatus status = ReadStatus::need_more;
  HttpRequest request;
  std::size_t left_over = 0;
  int refusal_status = 0;
};

Outcome read_all(const std::string& bytes, std::size_t limit = 4096, std::size_t step = 1) {
  RequestReader reader(kHeaderLimit);
  Outcome outcome;
  std::string buffered;
  std::size_t fed = 0;
  auto feed = [&] {
    const std::size_t n = std::min(step, bytes.size() - fed);
    buffered += bytes.substr(fed, n);
    fed += n;
    return n > 0;
  };
  for (;;) {
    const ReadStep head = reader.read_head(buffered);
    if (head.status == ReadStatus::refused) return Outcome{ReadStatus::refused, {}, 0, reader.refusal().status};
    if (head.status == ReadStatus::done) {
      buffered.erase(0, head.consumed);
      break;
    }
    if (!feed()) return outcome;
  }
  reader.begin_body(limit);
  for (;;) {
    const ReadStep body = reader.read_body(buffered);
    buffered.erase(0, body.consumed);
    if (body.status == ReadStatus::refused) return Outcome{ReadStatus::refused, {}, 0, reader.refusal().status};
    if (body.status == ReadStatus::done) break;
    if (!feed()) return outcome;
  }
  outcome.status = ReadStatus::done;
  outcome.request = reader.take_request();
  outcome.left_over = buffered.size() + (bytes.size() - fed);
  return outcome;
}

TEST(HttpRequestReader, ReadsAHeadThenItsBodyByteByByte) {
  const std::string request =
      "POST /v1/campaigns/AB/reports?x=1&y=a%20b HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\n"
      "Content-Length: 7\r\n\r\n{\"a\":1}";
  for (std::size_t step : {std::size_t{1}, std::size_t{7}, request.size()}) {
    const Outcome outcome = read_all(request, 4096, step);
    ASSERT_EQ(outcome.status, ReadStatus::done) << step;
    EXPECT_EQ(outcome.request.method, "POST");
    EXPECT_EQ(outcome.request.path, "/v1/campaigns/AB/reports");
    EXPECT_EQ(outcome.request.query_value("x"), "1");
    EXPECT_EQ(outcome.request.query_value("y"), "a b");
    EXPECT_EQ(outcome.request.header("content-type"), "application/json");
    EXPECT_EQ(outcome.request.body, "{\"a\":1}");
    EXPECT_EQ(outcome.left_over, 0u);
  }
}

TEST(HttpRequestReader, ReadsChunkedBodiesAndLeavesTheNextRequest) {
  const std::string next = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  const Outcome outcome = read_all(
      "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\n" + next,
      4096, 3);
  ASSERT_EQ(outcome.status, ReadStatus::done);
  EXPECT_EQ(outcome.request.body, "abcde");
  EXPECT_EQ(outcome.left_over, next.size());
}

TEST(HttpRequestReader, TellsTheBodyFramingBeforeTheBody) {
  RequestReader reader(kHeaderLimit);
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n";
  const ReadStep step = reader.read_head(head + "rest");
  ASSERT_EQ(step.status, ReadStatus::done);
  EXPECT_EQ(step.consumed, head.size());
  EXPECT_EQ(reader.content_length(), 100u);
  EXPECT_TRUE(reader.body_announced());
  EXPECT_TRUE(reader.expects_continue());
  EXPECT_TRUE(reader.keep_alive());
  RequestReader no_body(kHeaderLimit);
  ASSERT_EQ(no_body.read_head("GET / HTTP/1.0\r\n\r\n").status, ReadStatus::done);
  EXPECT_FALSE(no_body.body_announced());
  EXPECT_FALSE(no_body.keep_alive());  // HTTP/1.0 without keep-alive
  EXPECT_EQ(no_body.version(), 10u);
}

TEST(HttpRequestReader, WaitsForTheWholeHeadUpToTheLimit) {
  RequestReader reader(kHeaderLimit);
  EXPECT_EQ(reader.read_head("GET / HTTP/1.1\r\nHost: h\r\n").status, ReadStatus::need_more);
  EXPECT_EQ(reader.read_head("GET / HTTP/1.1\r\nHost: h\r\n").consumed, 0u);
  const std::string huge = "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(kHeaderLimit, 'a');
  EXPECT_EQ(reader.read_head(huge).status, ReadStatus::refused);
  EXPECT_EQ(reader.refusal().status, 431);
}

TEST(HttpRequestReader, RefusesAmbiguousFraming) {
  const std::string start = "POST / HTTP/1.1\r\nHost: h\r\n";
  for (const std::string headers : {
           "Content-Length: 1\r\nContent-Length: 2\r\n",
           "Content-Length: 1, 2\r\n",
           "Content-Length: +1\r\n",
           "Content-Length: -1\r\n",
           "Content-Length: 0x1\r\n",
           "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: chunked\r\nContent-Length: 1\r\n",
           "Transfer-Encoding: gzip\r\nContent-Length: 1\r\n",
           "Transfer-Encoding : chunked\r\n",
           "Transfer-Encoding: gzip\r\n",
           "Transfer-Encoding: gzip, chunked\r\n",
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
           "X-A: 1\r\n folded\r\n",
           "X-A: 1\r\n\tfolded\r\n",
           "Host: again\r\n",
       }) {
    const Outcome outcome = read_all(start + headers + "\r\n0\r\n\r\n");
    EXPECT_EQ(outcome.status, ReadStatus::refused) << headers;
    EXPECT_EQ(outcome.refusal_status, 400) << headers;
  }
}

TEST(HttpRequestReader, RefusesBadRequestLinesAndTargets) {
  EXPECT_EQ(read_all("GET / HTTP/1.1\r\n\r\n").refusal_status, 400);  // no Host
  EXPECT_EQ(read_all("GET * HTTP/1.1\r\nHost: h\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all("GET http://h/ HTTP/1.1\r\nHost: h\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all("GET /a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all("GET / HTTP/1.2\r\nHost: h\r\n\r\n").refusal_status, 505);
  EXPECT_EQ(read_all("GET / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n").refusal_status, 417);
  EXPECT_EQ(read_all("GET /\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all("GET / HTTP/1.1\nHost: h\n\n").refusal_status, 400);  // refused before a CRLF CRLF ever comes
}

TEST(HttpRequestReader, RefusesChunkedBodiesAboveTheLimitAndTrailers) {
  const std::string head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(read_all(head + "5\r\nabcde\r\n0\r\n\r\n", 4).refusal_status, 413);
  EXPECT_EQ(read_all(head + "2\r\nab\r\n2\r\ncd\r\n1\r\ne\r\n0\r\n\r\n", 4).refusal_status, 413);
  EXPECT_EQ(read_all(head + "4\r\nabcd\r\n0\r\n\r\n", 4).status, ReadStatus::done);
  EXPECT_EQ(read_all(head + "0\r\nX-Trailer: 1\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all(head + "zz\r\nab\r\n0\r\n\r\n").refusal_status, 400);
  EXPECT_EQ(read_all(head + "2\r\nabc\r\n0\r\n\r\n").refusal_status, 400);
}

TEST(HttpRequestReader, ResetsForTheNextRequest) {
  RequestReader reader(kHeaderLimit);
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_EQ(reader.read_head(first + second).status, ReadStatus::done);
  reader.begin_body(0);
  ASSERT_EQ(reader.read_body("").status, ReadStatus::done);
  EXPECT_EQ(reader.take_request().path, "/a");
  ASSERT_EQ(reader.read_head(second).status, ReadStatus::done);
  EXPECT_EQ(reader.head().path, "/b");
  // Answered from the head alone (a 404 without body), then the next one.
  reader.reset();
  ASSERT_EQ(reader.read_head(first).status, ReadStatus::done);
  EXPECT_EQ(reader.head().path, "/a");
}

}  // namespace
}  // namespace sefleet::offcard::server::http

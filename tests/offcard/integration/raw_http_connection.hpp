// A test client that sends exactly the bytes it is given over loopback TCP (malformed, pipelined or slow
// requests that no HTTP library would send) and reads the server's answers with Beast's response parser.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace sefleet::test {

struct RawResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  bool keep_alive = true;

  std::string header(const std::string& lower_name) const;
  std::string reason() const;  // the "reason" of a JSON error body, or ""
};

class RawHttpConnection {
 public:
  // Connects to 127.0.0.1:port (throws std::runtime_error when it cannot). `receive_buffer` > 0 sets
  // SO_RCVBUF before connecting (a client that reads slowly).
  explicit RawHttpConnection(std::uint16_t port, int receive_buffer = 0);
  ~RawHttpConnection();
  RawHttpConnection(const RawHttpConnection&) = delete;
  RawHttpConnection& operator=(const RawHttpConnection&) = delete;

  // Sends all of `bytes`; false when the server closed or reset the connection first.
  bool send(std::string_view bytes);
  // The next answer, within `timeout`; nullopt when the connection ended or the time ran out first.
  std::optional<RawResponse> read_response(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // True when the server ends the connection (EOF or reset) within `timeout`, whatever it still sends.
  bool closed_by_server(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Bytes received and not yet part of an answer (after read_response).
  const std::string& pending() const { return pending_; }
  int fd() const { return fd_; }

 private:
  // Appends what arrives within the deadline; false on EOF/reset/timeout.
  bool receive_more(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  std::string pending_;
};

// "POST <path> HTTP/1.1" with Host, the given extra header lines ("Name: value\r\n" each) and a body
// with its Content-Length.
std::string http_request(std::string_view method, std::string_view path, std::string_view extra_headers = "",
                         std::string_view body = "");

// The process's resident set now and its peak since the last reset_peak_rss(), in KiB (/proc/self/status).
std::int64_t resident_kib();
std::int64_t peak_resident_kib();
void reset_peak_rss();

}  // namespace sefleet::test

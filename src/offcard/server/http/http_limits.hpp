// The deadlines and caps of the management server's connections (docs/api.md "Limits and timeouts").
// A client that does not keep them is disconnected; none of them can hold a thread: the server waits
// for every connection on a few I/O threads and runs database work on a bounded pool of workers.
#pragma once

#include <chrono>
#include <cstddef>

namespace sefleet::offcard::server::http {

struct HttpLimits {
  // From the connection's start (for its first request) or from the first byte of the next request
  // (keep-alive) to the end of the request's headers. TLS handshakes count against it. Expired with
  // part of a request received: 408, then the connection is closed.
  std::chrono::milliseconds header_timeout{10'000};
  // From the end of the headers to the end of the body (a 64 MiB upload needs > 1.1 MB/s). 408 + close.
  std::chrono::milliseconds body_timeout{60'000};
  // A keep-alive connection with no request in progress is closed after this long.
  std::chrono::milliseconds idle_timeout{60'000};
  // Sending one response (a client that stops reading is disconnected).
  std::chrono::milliseconds write_timeout{30'000};
  // Open connections (idle ones included). Beyond it a new connection is answered 503 and closed.
  std::size_t max_connections = 512;
  // The request line and headers together; above it: 431 and close.
  std::size_t header_limit = 16 * 1024;
};

}  // namespace sefleet::offcard::server::http

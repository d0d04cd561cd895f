// One terminal's (or operator's) connection to the management server's /v1 API: bearer token, JSON
// bodies, bounded retries with back-off (retry_policy.hpp) on connection errors and 503. HTTPS checks
// the server's certificate and name against the system's trust store or the CA file given (--cacert);
// a certificate that does not verify is refused at once, never retried. No SIGPIPE can end the process
// (sigpipe_guard.hpp): a connection the server closed is a connection error like any other. Not
// thread-safe: each thread uses its own session (as each terminal has its own connection).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "offcard/terminal/retry_policy.hpp"

namespace sefleet::offcard::terminal {

struct SessionOptions {
  std::string base_url;  // "http://127.0.0.1:8443" (https when the server has TLS)
  std::string token;     // bearer token; never logged
  // https only: PEM file of the CA certificate(s) the server's certificate must chain to. Default: the
  // system's trust store.
  std::optional<std::filesystem::path> ca_file;
  RetryPolicy retry;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds io_timeout{30000};
  // Called before each wait (tests observe the back-off; the CLI can log it). Default: nothing.
  std::function<void(std::string_view what, std::chrono::milliseconds delay)> on_wait;
  // How to wait (tests replace it to run without sleeping). Default: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

// A refusal by the server (any status other than the expected one, after the retries allowed).
// Errc: unavailable for 503 / connection failures, not_found for 404, state_error for 409,
// invalid_argument for other 4xx, protocol_error for an unexpected answer, io_error for a TLS
// certificate that does not verify (reason "tls").
class ApiError : public Error {
 public:
  ApiError(Errc code, int status, std::string reason, std::string message,
           std::optional<std::chrono::seconds> retry_after = std::nullopt);
  int status() const noexcept { return status_; }                 // 0: no HTTP answer
  const std::string& reason() const noexcept { return reason_; }  // the server's "reason" code
  std::optional<std::chrono::seconds> retry_after() const noexcept { return retry_after_; }

 private:
  int status_;
  std::string reason_;
  std::optional<std::chrono::seconds> retry_after_;
};

struct HttpAnswer {
  int status = 0;
  std::string body;
  std::multimap<std::string, std::string> headers;  // names as sent by the server
  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
};

// Receives a streamed body: on_headers(status, answer-without-body) decides whether to go on;
// on_data gets the bytes as they arrive (false stops the transfer).
struct StreamHandlers {
  std::function<bool(const HttpAnswer&)> on_headers;
  std::function<bool(const char*, std::size_t)> on_data;
};

class HttpSession {
 public:
  explicit HttpSession(SessionOptions options);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // One request, retried on connection errors and 503 within the policy; returns whatever the server
  // answered last (any status). Throws ApiError(unavailable) when no answer came in any attempt.
  HttpAnswer request(std::string_view method, const std::string& path, const std::optional<nlohmann::json>& body = {});
  // A GET whose body is streamed to `handlers` (one attempt; the caller resumes). Throws
  // ApiError(unavailable) on a connection failure or a transfer cut short.
  HttpAnswer stream_get(const std::string& path, const std::map<std::string, std::string>& headers,
                        const StreamHandlers& handlers);

  // The JSON of an answer with status `expected`, or ApiError built from the server's error body.
  nlohmann::json expect_json(const HttpAnswer& answer, int expected, std::string_view what) const;

  const SessionOptions& options() const noexcept { return options_; }
  // Waits `delay` (through options().sleep) after reporting it to on_wait.
  void wait(std::string_view what, std::chrono::milliseconds delay) const;
  std::uint64_t next_random();

 private:
  // The refusal for a TLS certificate failure (an httplib::Error value), with OpenSSL's reason.
  ApiError certificate_error(int error) const;

  struct Impl;
  SessionOptions options_;
  std::unique_ptr<Impl> impl_;
};

// ApiError for a non-expected answer: parses {"error","reason"} when present, reads Retry-After.
ApiError api_error(const HttpAnswer& answer, std::string_view what);
// Retry-After in seconds (the HTTP-date form is not used by our server; it is treated as absent).
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

}  // namespace sefleet::offcard::terminal

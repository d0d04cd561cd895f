#include "offcard/terminal/http_session.hpp"

#include <httplib.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <random>
#include <thread>
#include <utility>

#include "offcard/terminal/sigpipe_guard.hpp"

namespace sefleet::offcard::terminal {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

HttpAnswer to_answer(const httplib::Response& response) {
  HttpAnswer answer;
  answer.status = response.status;
  answer.body = response.body;
  for (const auto& [name, value] : response.headers) answer.headers.emplace(name, value);
  return answer;
}

// A finished response is not used again: its body and headers move into the answer instead of being copied.
HttpAnswer to_answer(httplib::Response&& response) {
  HttpAnswer answer;
  answer.status = response.status;
  answer.body = std::move(response.body);
  for (auto& [name, value] : response.headers) answer.headers.emplace(name, std::move(value));
  return answer;
}

// A certificate that does not verify is a configuration problem (or an impostor): retrying cannot help.
bool is_certificate_failure(httplib::Error error) {
  return error == httplib::Error::SSLServerVerification || error == httplib::Error::SSLLoadingCerts;
}

Errc errc_for_status(int status) {
  if (status == 503 || status == 502 || status == 504) return Errc::unavailable;
  if (status == 404) return Errc::not_found;
  if (status == 409) return Errc::state_error;
  if (status >= 400 && status < 500) return Errc::invalid_argument;
  return Errc::protocol_error;
}

}  // namespace

ApiError::ApiError(Errc code, int status, std::string reason, std::string message,
                   std::optional<std::chrono::seconds> retry_after)
    : Error(code, std::move(message)), status_(status), reason_(std::move(reason)), retry_after_(retry_after) {}

std::string HttpAnswer::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
  std::int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || value.empty() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

ApiError api_error(const HttpAnswer& answer, std::string_view what) {
  std::string message;
  std::string reason;
  try {
    const auto body = nlohmann::json::parse(answer.body);
    if (body.is_object()) {
      if (body.contains("error") && body["error"].is_string()) message = body["error"].get<std::string>();
      if (body.contains("reason") && body["reason"].is_string()) reason = body["reason"].get<std::string>();
    }
  } catch (const nlohmann::json::exception&) {
    // not JSON: the status alone tells what happened
  }
  std::string text = std::string(what) + ": server answered " + std::to_string(answer.status);
  if (!reason.empty()) text += " (" + reason + ")";
  if (!message.empty()) text += ": " + message;
  return ApiError(errc_for_status(answer.status), answer.status, reason, text,
                  parse_retry_after(answer.header("Retry-After")));
}

struct HttpSession::Impl {
  explicit Impl(const SessionOptions& options) : client(options.base_url), random(std::random_device{}()) {
    if (options.ca_file) client.set_ca_cert_path(options.ca_file->string());
    const auto seconds = [](std::chrono::milliseconds ms) { return ms.count() / 1000; };
    const auto micros = [](std::chrono::milliseconds ms) { return (ms.count() % 1000) * 1000; };
    client.set_connection_timeout(seconds(options.connect_timeout), micros(options.connect_timeout));
    client.set_read_timeout(seconds(options.io_timeout), micros(options.io_timeout));
    client.set_write_timeout(seconds(options.io_timeout), micros(options.io_timeout));
    client.set_keep_alive(true);
    // A request leaves in more than one write (headers, then body): without TCP_NODELAY the body waits
    // for the ACK of the headers, which the server delays by up to 40 ms (Nagle + delayed ACK).
    client.set_tcp_nodelay(true);
    if (!options.token.empty()) client.set_bearer_token_auth(options.token);
  }
  httplib::Client client;
  std::mt19937_64 random;  // jitter only: no security depends on it
};

HttpSession::HttpSession(SessionOptions options) : options_(std::move(options)) {
  if (options_.base_url.rfind("http://", 0) != 0 && options_.base_url.rfind("https://", 0) != 0) {
    throw Error(Errc::invalid_argument, "server URL must start with http:// or https://: '" + options_.base_url + "'");
  }
  while (!options_.base_url.empty() && options_.base_url.back() == '/') options_.base_url.pop_back();
  if (!options_.sleep) options_.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  if (options_.retry.max_attempts == 0) options_.retry.max_attempts = 1;
  if (options_.ca_file) {
    if (options_.base_url.rfind("https://", 0) != 0) {
      throw Error(Errc::invalid_argument,
                  "a CA file (--cacert) applies to an https:// server, not " + options_.base_url);
    }
    if (!std::ifstream(*options_.ca_file)) {
      throw Error(Errc::io_error, "cannot read the CA file " + options_.ca_file->string());
    }
  }
  impl_ = std::make_unique<Impl>(options_);
  if (!impl_->client.is_valid())
    throw Error(Errc::invalid_argument, "not a usable server URL: '" + options_.base_url + "'");
}

ApiError HttpSession::certificate_error(int error) const {
  if (static_cast<httplib::Error>(error) == httplib::Error::SSLLoadingCerts) {
    return ApiError(Errc::io_error, 0, "tls",
                    "TLS: cannot load the CA certificates " +
                        (options_.ca_file ? "from " + options_.ca_file->string() : std::string("of the system")));
  }
  const long result = impl_->client.get_openssl_verify_result();
  const std::string why =
      result == X509_V_OK ? "it is not issued for this host name or address" : X509_verify_cert_error_string(result);
  return ApiError(Errc::io_error, 0, "tls",
                  "TLS: the certificate of " + options_.base_url + " does not verify (" + why + ")" +
                      (options_.ca_file ? " against " + options_.ca_file->string()
                                        : "; give the CA that signed it with --cacert FILE"));
}

HttpSession::~HttpSession() = default;

std::uint64_t HttpSession::next_random() {
  return impl_->random();
}

void HttpSession::wait(std::string_view what, std::chrono::milliseconds delay) const {
  if (options_.on_wait) options_.on_wait(what, delay);
  options_.sleep(delay);
}

HttpAnswer HttpSession::request(std::string_view method, const std::string& path,
                                const std::optional<nlohmann::json>& body) {
  const std::string text = body ? body->dump() : std::string();
  std::string last_problem;
  for (unsigned attempt = 0; attempt < options_.retry.max_attempts; ++attempt) {
    const SigpipeGuard no_sigpipe;
    httplib::Result result = [&]() {
      if (method == "GET") return impl_->client.Get(path);
      if (method == "POST") return impl_->client.Post(path, text, "application/json");
      if (method == "DELETE") return impl_->client.Delete(path);
      throw Error(Errc::invalid_argument, "unsupported HTTP method " + std::string(method));
    }();
    const bool last = attempt + 1 == options_.retry.max_attempts;
    if (result) {
      HttpAnswer answer = to_answer(std::move(result.value()));
      if (answer.status != 503 || last) return answer;
      last_problem = "503";
      const auto fallback = backoff_delay(options_.retry, attempt, next_random());
      wait(std::string(method) + " " + path + " answered 503",
           retry_after_delay(options_.retry, parse_retry_after(answer.header("Retry-After")), fallback));
      continue;
    }
    if (is_certificate_failure(result.error())) throw certificate_error(static_cast<int>(result.error()));
    last_problem = httplib::to_string(result.error());
    if (last) break;
    wait(std::string(method) + " " + path + ": " + last_problem, backoff_delay(options_.retry, attempt, next_random()));
  }
  throw ApiError(Errc::unavailable, 0, "unreachable",
                 std::string(method) + " " + options_.base_url + path + " failed after " +
                     std::to_string(options_.retry.max_attempts) + " attempt(s): " + last_problem);
}

HttpAnswer HttpSession::stream_get(const std::string& path, const std::map<std::string, std::string>& headers,
                                   const StreamHandlers& handlers) {
  httplib::Headers request_headers;
  for (const auto& [name, value] : headers) request_headers.emplace(name, value);
  HttpAnswer head;
  bool stopped_by_handler = false;
  const SigpipeGuard no_sigpipe;
  httplib::Result result = impl_->client.Get(
      path, request_headers,
      [&](const httplib::Response& response) {
        head = to_answer(response);
        const bool go_on = !handlers.on_headers || handlers.on_headers(head);
        stopped_by_handler = !go_on;
        return go_on;
      },
      [&](const char* data, std::size_t size) {
        const bool go_on = !handlers.on_data || handlers.on_data(data, size);
        stopped_by_handler = stopped_by_handler || !go_on;
        return go_on;
      });
  if (result) return to_answer(std::move(result.value()));
  if (stopped_by_handler) return head;  // the caller chose to stop; it knows why
  if (is_certificate_failure(result.error())) throw certificate_error(static_cast<int>(result.error()));
  throw ApiError(Errc::unavailable, 0, "unreachable",
                 "GET " + options_.base_url + path + ": " + httplib::to_string(result.error()));
}

nlohmann::json HttpSession::expect_json(const HttpAnswer& answer, int expected, std::string_view what) const {
  if (answer.status != expected) throw api_error(answer, what);
  try {
    return nlohmann::json::parse(answer.body);
  } catch (const nlohmann::json::exception& e) {
    throw ApiError(Errc::protocol_error, answer.status, "bad_json",
                   std::string(what) + ": the server's answer is not JSON: " + e.what());
  }
}

}  // namespace sefleet::offcard::terminal

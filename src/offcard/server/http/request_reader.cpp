#include "offcard/server/http/request_reader.hpp"

#include <array>
#include <iterator>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/url/parse.hpp>

namespace sefleet::offcard::server::http {
namespace {

namespace beast_http = boost::beast::http;

// Headers that handlers read: a second copy would leave it to chance which one counts.
constexpr std::array<std::string_view, 8> kSingleHeaders{
    "host", "authorization", "content-type", "expect", "range", "if-range", "if-none-match", "transfer-encoding"};

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// "\r\n" followed by a space or tab inside the header block: a line folded the obsolete way. Beast would
// join it to the previous line; a proxy in front may not, so the two would read different headers.
bool has_obsolete_line_folding(std::string_view block) {
  for (std::size_t at = block.find("\r\n"); at != std::string_view::npos; at = block.find("\r\n", at + 2)) {
    if (at + 2 < block.size() && (block[at + 2] == ' ' || block[at + 2] == '\t')) return true;
  }
  return false;
}

// A line ending without its CR: Beast would refuse it too, but only once a whole header block (ending in
// CRLF CRLF) has arrived, which a client using bare LFs never sends; refusing it at once spares the wait.
bool has_bare_line_feed(std::string_view text) {
  for (std::size_t at = text.find('\n'); at != std::string_view::npos; at = text.find('\n', at + 1)) {
    if (at == 0 || text[at - 1] != '\r') return true;
  }
  return false;
}

}  // namespace

RequestReader::RequestReader(std::size_t header_limit) : header_limit_(header_limit) {
  reset();
}

void RequestReader::reset() {
  body_parser_.reset();
  head_parser_.emplace();
  head_parser_->header_limit(static_cast<std::uint32_t>(header_limit_));
  head_parser_->eager(false);
  // Beast's own default body limit (1 MB) would refuse a larger Content-Length while reading the head;
  // the route's limit is checked by the caller, then set for the body (begin_body).
  head_parser_->body_limit(boost::none);
  head_ = HttpRequest{};
  content_length_.reset();
  chunked_ = false;
  expects_continue_ = false;
  keep_alive_ = false;
  version_ = 11;
  fields_before_body_ = 0;
}

ReadStep RequestReader::refuse(int status, std::string_view reason, std::string message) {
  refusal_ = HttpResponse::error(status, reason, message);
  return ReadStep{ReadStatus::refused, 0};
}

ReadStep RequestReader::read_head(std::string_view buffered) {
  // Beast parses a header block only once it is complete; find its end first, within the limit.
  const std::string_view window = buffered.substr(0, header_limit_);
  const std::size_t end = window.find("\r\n\r\n");
  if (has_bare_line_feed(window.substr(0, end == std::string_view::npos ? window.size() : end))) {
    return refuse(400, "bad_request", "line ending without CR in the request headers");
  }
  if (end == std::string_view::npos) {
    if (buffered.size() >= header_limit_) {
      return refuse(431, "header_too_large", "request headers above " + std::to_string(header_limit_) + " bytes");
    }
    return ReadStep{ReadStatus::need_more, 0};
  }
  const std::string_view block = buffered.substr(0, end + 4);
  if (has_obsolete_line_folding(block)) {
    return refuse(400, "bad_request", "obsolete line folding in the request headers");
  }
  boost::beast::error_code ec;
  const std::size_t used = head_parser_->put(boost::asio::buffer(block.data(), block.size()), ec);
  if (ec == beast_http::error::header_limit) {
    return refuse(431, "header_too_large", "request headers above " + std::to_string(header_limit_) + " bytes");
  }
  if (ec == beast_http::error::bad_version) {
    return refuse(505, "http_version_not_supported", "this server speaks HTTP/1.1 and HTTP/1.0 only");
  }
  if (ec) return refuse(400, "bad_request", "malformed request: " + ec.message());
  if (!head_parser_->is_header_done() || used != block.size()) {
    return refuse(400, "bad_request", "malformed request: incomplete header block");
  }
  if (!accept_head()) return ReadStep{ReadStatus::refused, 0};
  return ReadStep{ReadStatus::done, block.size()};
}

bool RequestReader::accept_head() {
  const auto& message = head_parser_->get();
  version_ = message.version();  // 10 or 11: Beast refuses the others (bad_version)
  head_.method = std::string(message.method_string());
  head_.target = std::string(message.target());
  for (const auto& field : message) head_.headers.emplace_back(field.name_string(), field.value());

  for (std::string_view name : kSingleHeaders) {
    std::size_t count = 0;
    for (const auto& [key, value] : head_.headers) count += iequals(key, name) ? 1 : 0;
    if (count > 1) {
      refuse(400, "bad_request", "more than one " + std::string(name) + " header");
      return false;
    }
  }
  if (version_ == 11 && !head_.header("Host")) {
    refuse(400, "bad_request", "HTTP/1.1 request without a Host header");
    return false;
  }

  // Body framing: Beast refuses conflicting Content-Length values and Content-Length together with
  // "Transfer-Encoding: chunked"; any other transfer coding (which Beast would read as no body) is
  // refused here, so that no two readers of this request can disagree on where it ends.
  if (const auto coding = head_.header("Transfer-Encoding")) {
    if (version_ == 10) {
      refuse(400, "bad_request", "Transfer-Encoding in an HTTP/1.0 request");
      return false;
    }
    if (!iequals(trim(*coding), "chunked")) {
      refuse(400, "bad_request", "Transfer-Encoding \"" + std::string(*coding) + "\": only \"chunked\" is accepted");
      return false;
    }
    if (head_.header("Content-Length")) {
      refuse(400, "bad_request", "both Content-Length and Transfer-Encoding");
      return false;
    }
  }
  chunked_ = head_parser_->chunked();
  if (const auto length = head_parser_->content_length()) content_length_ = *length;
  keep_alive_ = head_parser_->keep_alive();

  if (const auto expect = head_.header("Expect")) {
    if (!iequals(trim(*expect), "100-continue")) {
      refuse(417, "expectation_failed", "Expect \"" + std::string(*expect) + "\": only 100-continue is supported");
      return false;
    }
    expects_continue_ = version_ == 11;
  }

  // The target: a path and an optional query (origin form), decoded by Boost.URL.
  const auto url = boost::urls::parse_origin_form(head_.target);
  if (!url) {
    refuse(400, "bad_request", "request target is not a path: " + url.error().message());
    return false;
  }
  for (const std::string& segment : url->segments()) {
    if (segment.find('/') != std::string::npos || segment.find('\0') != std::string::npos) {
      refuse(400, "bad_request", "request path with an encoded '/' or NUL");
      return false;
    }
    head_.path += '/';
    head_.path += segment;
  }
  if (head_.path.empty()) head_.path = "/";
  if (url->has_query()) {
    for (const auto& param : url->params()) head_.query.emplace_back(param.key, param.value);
  }
  return true;
}

void RequestReader::begin_body(std::size_t limit) {
  fields_before_body_ = static_cast<std::size_t>(std::distance(head_parser_->get().begin(), head_parser_->get().end()));
  body_parser_.emplace(std::move(*head_parser_));
  head_parser_.reset();
  body_parser_->body_limit(limit);
}

ReadStep RequestReader::read_body(std::string_view buffered) {
  ReadStep step;
  while (!body_parser_->is_done()) {
    boost::beast::error_code ec;
    const std::size_t used =
        body_parser_->put(boost::asio::buffer(buffered.data() + step.consumed, buffered.size() - step.consumed), ec);
    step.consumed += used;
    if (ec == beast_http::error::need_more) return step;
    if (ec == beast_http::error::body_limit) {
      return refuse(413, "body_too_large", "chunked body above the limit of this route");
    }
    if (ec) return refuse(400, "bad_request", "malformed body: " + ec.message());
    if (used == 0) return step;  // nothing buffered
  }
  const auto& message = body_parser_->get();
  if (chunked_ && static_cast<std::size_t>(std::distance(message.begin(), message.end())) != fields_before_body_) {
    return refuse(400, "bad_request", "trailer fields after a chunked body are not accepted");
  }
  step.status = ReadStatus::done;
  return step;
}

HttpRequest RequestReader::take_request() {
  HttpRequest request = std::move(head_);
  request.body = std::move(body_parser_->get().body());
  reset();
  return request;
}

}  // namespace sefleet::offcard::server::http

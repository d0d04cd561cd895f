// Reads HTTP/1.1 requests from the bytes of a connection, without doing any I/O: the connection code
// (session.cpp) feeds what it received and acts on the result. Boost.Beast's parser does the parsing;
// this class adds what the management server requires on top of it and splits a request in two steps,
// so that the caller can check the route, the token and the body limit between the headers and the body.
//
// Refused with 400 and the connection closed (the caller closes after any refusal):
//  - what Beast refuses: a malformed request line or header, a header name followed by a space before
//    the colon ("Transfer-Encoding : chunked"), a Content-Length that is not a plain decimal number
//    ("+5", "-1", "0x10", "5 5"), two different Content-Length values, Content-Length with
//    Transfer-Encoding, a malformed chunk, bare LF line endings;
//  - obsolete line folding (a header line continued on the next line starting with a space or tab);
//  - a Transfer-Encoding other than exactly "chunked" (gzip, "chunked, chunked", two such headers),
//    or any Transfer-Encoding in an HTTP/1.0 request;
//  - trailer fields after a chunked body (they are not read by anyone: a second place for headers);
//  - a second Host, Authorization, Content-Type, Expect, Range, If-Range or If-None-Match header, an
//    HTTP/1.1 request without Host, a target that is not a path ("/..."), a path segment with an encoded
//    '/' or NUL.
// Also: 431 for headers above the limit, 505 for a version other than HTTP/1.0 and HTTP/1.1 (or a
// malformed one), 417 for an Expect other
// than 100-continue, 413 for a chunked body that grows above the limit (a Content-Length above it is
// the caller's check, before begin_body).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "offcard/server/http/message.hpp"

namespace sefleet::offcard::server::http {

enum class ReadStatus {
  need_more,  // every byte given was consumed (or kept for later): give more once received
  done,       // the step is complete; bytes after `consumed` belong to what follows
  refused,    // the request is refused: answer refusal() and close the connection
};

struct ReadStep {
  ReadStatus status = ReadStatus::need_more;
  std::size_t consumed = 0;  // bytes of the input used up (the caller drops them from its buffer)
};

class RequestReader {
 public:
  explicit RequestReader(std::size_t header_limit);

  // Step 1. `buffered` is everything received and not yet consumed (the request starts at its first
  // byte). Nothing is consumed until the whole header block is there.
  ReadStep read_head(std::string_view buffered);
  // After read_head gave `done`: the request without its body (HttpRequest::body empty).
  const HttpRequest& head() const { return head_; }
  std::optional<std::uint64_t> content_length() const { return content_length_; }
  bool chunked() const { return chunked_; }
  bool body_announced() const { return chunked_ || content_length_.value_or(0) > 0; }
  bool expects_continue() const { return expects_continue_; }
  bool keep_alive() const { return keep_alive_; }
  unsigned version() const { return version_; }  // 10 or 11

  // Step 2: the body, at most `limit` bytes.
  void begin_body(std::size_t limit);
  ReadStep read_body(std::string_view buffered);
  // After read_body gave `done`: the whole request. The reader is then ready for the next request.
  HttpRequest take_request();

  // After a `refused` step: the answer to send before closing.
  const HttpResponse& refusal() const { return refusal_; }

  // Forgets the current request (answered from its headers alone, with no body announced) and waits for
  // the next one.
  void reset();

 private:
  using HeadParser = boost::beast::http::request_parser<boost::beast::http::empty_body>;
  using BodyParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  ReadStep refuse(int status, std::string_view reason, std::string message);
  // The checks of this class on a head Beast parsed; false after setting refusal_.
  bool accept_head();

  std::size_t header_limit_;
  std::optional<HeadParser> head_parser_;
  std::optional<BodyParser> body_parser_;
  HttpRequest head_;
  std::optional<std::uint64_t> content_length_;
  bool chunked_ = false;
  bool expects_continue_ = false;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  std::size_t fields_before_body_ = 0;
  HttpResponse refusal_;
};

}  // namespace sefleet::offcard::server::http

// Fuzzes what the management server does with a client's bytes before any route runs: the HTTP/1.1
// request reader (server/http/request_reader.hpp, on Boost.Beast) over a stream of pipelined requests
// fed in pieces, then the JSON input layer (the typed API messages' readers, offcard/api) on each body
// read. The first input byte picks the piece size and the body limit; the rest is the connection's
// bytes. Invariants checked:
//  - the reader never consumes more than it was given, and a refusal is a 4xx/5xx error answer;
//  - an accepted request has a path starting with '/', HTTP/1.0 or 1.1, at most one framing (a
//    Content-Length or chunked), and a body no longer than the limit (and as long as its Content-Length);
//  - feeding the same bytes in one piece gives the same requests as feeding them in small pieces;
//  - each message reader either returns or throws MessageError (never another exception, never a
//    crash), and what it accepts writes back to JSON that reads to an equal message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "offcard/api/json_codec.hpp"
#include "offcard/server/http/request_reader.hpp"

namespace {

using namespace sefleet::offcard;
using server::http::ReadStatus;

void require(bool condition) {
  if (!condition) std::abort();
}

// One message reader on a body: a refusal is a MessageError; an accepted message round-trips.
template <typename Read>
void read_message(const nlohmann::json& body, Read read) {
  try {
    const auto message = read(body);
    require(read(api::to_json(message)) == message);
  } catch (const api::MessageError&) {
  }
}

// The JSON input layer on one body: an object, then every request message the routes read.
void read_json_messages(const std::string& text) {
  nlohmann::json body;
  try {
    body = api::parse_json_object(text);
  } catch (const api::MessageError& refusal) {
    require(refusal.kind() == api::MessageError::Kind::malformed_json ||
            refusal.kind() == api::MessageError::Kind::invalid_field);
    return;
  }
  read_message(body, api::read_authorization_request);
  read_message(body, api::read_report_request);
  read_message(body, api::read_campaign_create);
  read_message(body, api::read_token_create);
  read_message(body, api::read_release_request);
}

struct Read {
  std::vector<std::string> requests;  // method + path + body of each accepted request
  bool refused = false;
};

// Reads pipelined requests from `stream`, given `piece` bytes at a time (0: all at once).
Read read_stream(std::string_view stream, std::size_t piece, std::size_t limit, bool with_json) {
  server::http::RequestReader reader(2048);
  Read out;
  std::string buffered;
  std::size_t fed = 0;
  const auto feed = [&] {
    const std::size_t n = piece == 0 ? stream.size() - fed : std::min(piece, stream.size() - fed);
    buffered.append(stream.substr(fed, n));
    fed += n;
    return n > 0;
  };
  feed();
  for (int request = 0; request < 8; ++request) {
    server::http::ReadStep step;
    for (;;) {
      step = reader.read_head(buffered);
      require(step.consumed <= buffered.size());
      if (step.status != ReadStatus::need_more) break;
      if (!feed()) return out;
    }
    if (step.status == ReadStatus::refused) {
      require(reader.refusal().status >= 400 && reader.refusal().status <= 505);
      out.refused = true;
      return out;
    }
    buffered.erase(0, step.consumed);
    const server::http::HttpRequest& head = reader.head();
    require(!head.path.empty() && head.path.front() == '/');
    require(reader.version() == 10 || reader.version() == 11);
    require(!(reader.chunked() && reader.content_length()));
    // The server refuses a longer announced body before reading it.
    if (reader.content_length().value_or(0) > limit) return out;
    reader.begin_body(limit);
    for (;;) {
      step = reader.read_body(buffered);
      require(step.consumed <= buffered.size());
      buffered.erase(0, step.consumed);
      if (step.status != ReadStatus::need_more) break;
      if (!feed()) return out;
    }
    if (step.status == ReadStatus::refused) {
      out.refused = true;
      return out;
    }
    const bool chunked = reader.chunked();
    const auto length = reader.content_length();
    server::http::HttpRequest taken = reader.take_request();
    require(taken.body.size() <= limit);
    require(chunked || taken.body.size() == length.value_or(0));
    if (with_json) read_json_messages(taken.body);
    out.requests.push_back(taken.method + " " + taken.path + " " + taken.body);
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t piece = 1 + (data[0] & 0x0F);
  const std::size_t limit = (data[0] & 0x10) ? 64 : 4096;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const Read in_pieces = read_stream(stream, piece, limit, true);
  const Read at_once = read_stream(stream, 0, limit, false);
  // What a request is does not depend on how its bytes arrived (a refusal may come earlier or later
  // in the stream, but never changes the requests read before it).
  const std::size_t common = std::min(in_pieces.requests.size(), at_once.requests.size());
  for (std::size_t i = 0; i < common; ++i) require(in_pieces.requests[i] == at_once.requests[i]);
  if (!in_pieces.refused && !at_once.refused) require(in_pieces.requests.size() == at_once.requests.size());
  return 0;
}

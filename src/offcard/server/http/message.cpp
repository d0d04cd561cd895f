#include "offcard/server/http/message.hpp"

#include <algorithm>

#include "offcard/api/json_codec.hpp"

namespace sefleet::offcard::server::http {

namespace {

// ASCII case folding, as HTTP's case-insensitive names and tokens are defined; the same as std::tolower
// in the "C" locale the server runs in, without a call into the locale for every byte of every header
// lookup.
char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

std::optional<std::string_view> HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::optional<std::string_view> HttpRequest::query_value(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

HttpResponse HttpResponse::json(int status, const nlohmann::json& body) {
  HttpResponse response;
  response.status = status;
  response.content_type = "application/json";
  // Strings that are not UTF-8 (a message quoting a client's bytes) are replaced, never a throw.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

HttpResponse HttpResponse::error(int status, std::string_view reason, std::string_view message,
                                 std::optional<int> retry_after) {
  api::ErrorBody body{std::string(message), std::string(reason), std::nullopt, std::nullopt};
  if (retry_after) body.retry_after = *retry_after;
  HttpResponse response = json(status, api::to_json(body));
  if (retry_after) response.set_header("Retry-After", std::to_string(*retry_after));
  return response;
}

}  // namespace sefleet::offcard::server::http

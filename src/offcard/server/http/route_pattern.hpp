// A route's path pattern: segments separated by '/', each a literal or a parameter of a fixed form.
//   {hex32}     32 hex digits (a campaign id)
//   {hex}       1..128 hex digits (an SE id)
//   {digits}    1..18 decimal digits (a token id: fits an int64)
//   {a|b|c}     one of the listed words
// e.g. "/v1/campaigns/{hex32}/{pause|resume|cancel|activate}". A path matches when every segment does;
// the parameters' values come back in order. Matching compares whole segments: no regular expressions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sefleet::offcard::server::http {

class RoutePattern {
 public:
  // Throws Error(Errc::invalid_argument) for a malformed pattern (a programming mistake).
  explicit RoutePattern(std::string_view pattern);

  // The parameters' values when `path` matches, std::nullopt otherwise.
  std::optional<std::vector<std::string>> match(std::string_view path) const;
  // The same on a path already cut into its segments (segments_of), for a router trying many patterns.
  std::optional<std::vector<std::string>> match(const std::vector<std::string_view>& segments) const;
  // "/a/b" -> {"a", "b"}; "/" -> {""}. Empty for a path that does not start with '/'.
  static std::vector<std::string_view> segments_of(std::string_view path);
  const std::string& text() const { return text_; }

 private:
  enum class Kind { literal, hex32, hex, digits, choice };
  struct Segment {
    Kind kind = Kind::literal;
    std::string literal;
    std::vector<std::string> choices;
  };
  static bool matches(const Segment& segment, std::string_view value);

  std::string text_;
  std::vector<Segment> segments_;
};

}  // namespace sefleet::offcard::server::http

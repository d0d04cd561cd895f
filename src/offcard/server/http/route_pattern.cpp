#include "offcard/server/http/route_pattern.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace sefleet::offcard::server::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  // The path starts with '/': every segment follows one.
  std::size_t start = 1;
  for (;;) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) return parts;
    start = slash + 1;
  }
}

bool all_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); });
}

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

RoutePattern::RoutePattern(std::string_view pattern) : text_(pattern) {
  if (pattern.empty() || pattern.front() != '/') {
    throw Error(Errc::invalid_argument, "route pattern \"" + text_ + "\": must start with '/'");
  }
  for (std::string_view part : split_path(pattern)) {
    Segment segment;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      const std::string_view name = part.substr(1, part.size() - 2);
      if (name == "hex32") {
        segment.kind = Kind::hex32;
      } else if (name == "hex") {
        segment.kind = Kind::hex;
      } else if (name == "digits") {
        segment.kind = Kind::digits;
      } else if (name.find('|') != std::string_view::npos) {
        segment.kind = Kind::choice;
        std::size_t start = 0;
        for (;;) {
          const std::size_t bar = name.find('|', start);
          segment.choices.emplace_back(name.substr(start, bar == std::string_view::npos ? bar : bar - start));
          if (segment.choices.back().empty()) {
            throw Error(Errc::invalid_argument, "route pattern \"" + text_ + "\": empty choice");
          }
          if (bar == std::string_view::npos) break;
          start = bar + 1;
        }
      } else {
        throw Error(Errc::invalid_argument, "route pattern \"" + text_ + "\": unknown parameter " + std::string(part));
      }
    } else {
      if (part.empty() || part.find_first_of("{}") != std::string_view::npos) {
        throw Error(Errc::invalid_argument,
                    "route pattern \"" + text_ + "\": bad segment \"" + std::string(part) + "\"");
      }
      segment.literal = std::string(part);
    }
    segments_.push_back(std::move(segment));
  }
}

bool RoutePattern::matches(const Segment& segment, std::string_view value) {
  switch (segment.kind) {
    case Kind::literal:
      return value == segment.literal;
    case Kind::hex32:
      return value.size() == 32 && all_hex(value);
    case Kind::hex:
      return !value.empty() && value.size() <= 128 && all_hex(value);
    case Kind::digits:
      return !value.empty() && value.size() <= 18 && all_digits(value);
    case Kind::choice:
      return std::find(segment.choices.begin(), segment.choices.end(), value) != segment.choices.end();
  }
  return false;
}

std::vector<std::string_view> RoutePattern::segments_of(std::string_view path) {
  if (path.empty() || path.front() != '/') return {};
  return split_path(path);
}

std::optional<std::vector<std::string>> RoutePattern::match(std::string_view path) const {
  return match(segments_of(path));
}

std::optional<std::vector<std::string>> RoutePattern::match(const std::vector<std::string_view>& parts) const {
  if (parts.size() != segments_.size()) return std::nullopt;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (!matches(segments_[i], parts[i])) return std::nullopt;
  }
  std::vector<std::string> params;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (segments_[i].kind != Kind::literal) params.emplace_back(parts[i]);
  }
  return params;
}

}  // namespace sefleet::offcard::server::http

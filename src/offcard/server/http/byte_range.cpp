#include "offcard/server/http/byte_range.hpp"

#include <charconv>
#include <optional>
#include <string>

#include "offcard/server/api_error.hpp"
#include "offcard/server/http/message.hpp"

namespace sefleet::offcard::server::http {
namespace {

[[noreturn]] void unsatisfiable(const std::string& why) {
  throw ApiError(416, "range_not_satisfiable", "Range: " + why);
}

// A decimal number of 1..19 digits (no sign, no spaces); nullopt for anything else.
std::optional<std::uint64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ByteRange resolve_byte_range(std::string_view header, std::uint64_t size) {
  constexpr std::string_view kUnit = "bytes=";
  if (header.size() < kUnit.size() || !iequals(header.substr(0, kUnit.size()), kUnit)) {
    unsatisfiable("only byte ranges (\"bytes=first-last\") are supported");
  }
  const std::string_view spec = header.substr(kUnit.size());
  if (spec.find(',') != std::string_view::npos) unsatisfiable("only one range is supported");
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) unsatisfiable("malformed range \"" + std::string(spec) + "\"");
  const std::string_view first_text = spec.substr(0, dash);
  const std::string_view last_text = spec.substr(dash + 1);
  const auto first = number(first_text);
  const auto last = number(last_text);
  if ((!first_text.empty() && !first) || (!last_text.empty() && !last) || (!first && !last)) {
    unsatisfiable("malformed range \"" + std::string(spec) + "\"");
  }
  ByteRange range;
  if (!first) {  // the last *last bytes
    if (*last == 0 || size == 0) unsatisfiable("empty suffix range of a " + std::to_string(size) + "-byte file");
    range.first = *last >= size ? 0 : size - *last;
    range.last = size - 1;
    return range;
  }
  if (last && *last < *first) unsatisfiable("range ends before it starts");
  if (*first >= size) unsatisfiable("outside the " + std::to_string(size) + " bytes of the file");
  range.first = *first;
  range.last = (!last || *last >= size) ? size - 1 : *last;
  return range;
}

}  // namespace sefleet::offcard::server::http

#include "offcard/keystore/key_ref.hpp"

#include <charconv>
#include <string>

#include "core/error.hpp"

namespace sefleet::offcard {

KeyRef parse_key_ref(std::string_view text) {
  const auto at = text.find('@');
  const std::string label(text.substr(0, at));
  check_key_label(label);
  if (at == std::string_view::npos) return KeyRef::current(label);
  std::string_view version = text.substr(at + 1);
  if (!version.empty() && version.front() == 'v') version.remove_prefix(1);
  std::uint32_t number = 0;
  const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), number);
  if (version.empty() || ec != std::errc() || end != version.data() + version.size() || number == 0) {
    throw Error(Errc::invalid_argument,
                "key '" + std::string(text) + "': expected LABEL or LABEL@vN (N >= 1, a key version)");
  }
  return KeyRef::at(label, number);
}

}  // namespace sefleet::offcard

#include <string>

#include "card/runtime/applet.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace {
std::string describe(std::uint16_t sw, const std::string& reason) {
  std::string text = iso7816::sw::status_word_name(sw);
  if (!reason.empty()) text += ": " + reason;
  return text;
}
}  // namespace

StatusWordError::StatusWordError(std::uint16_t sw, const std::string& reason)
    : std::runtime_error(describe(sw, reason)), sw_(sw) {}

}  // namespace sefleet::card

#include "card/state/card_life_cycle.hpp"

#include "core/hex.hpp"

namespace sefleet::card::card_life_cycle {

bool is_valid(std::uint8_t state) noexcept {
  return state == kOpReady || state == kInitialized || state == kSecured || state == kCardLocked ||
         state == kTerminated;
}

bool is_allowed_transition(std::uint8_t from, std::uint8_t to) noexcept {
  if (!is_valid(from) || !is_valid(to) || from == to || from == kTerminated) return false;
  if (to == kTerminated) return true;
  return (from == kOpReady && to == kInitialized) || (from == kInitialized && to == kSecured) ||
         (from == kSecured && to == kCardLocked) || (from == kCardLocked && to == kSecured);
}

std::string name(std::uint8_t state) {
  const char* text = "unknown";
  switch (state) {
    case kOpReady: text = "OP_READY"; break;
    case kInitialized: text = "INITIALIZED"; break;
    case kSecured: text = "SECURED"; break;
    case kCardLocked: text = "CARD_LOCKED"; break;
    case kTerminated: text = "TERMINATED"; break;
    default: break;
  }
  return std::string(text) + " (" + to_hex(Bytes{state}) + ")";
}

}  // namespace sefleet::card::card_life_cycle

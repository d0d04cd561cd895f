#include "gp/card_life_cycle.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/hex.hpp"

namespace sefleet::gp::card_life_cycle {
namespace {

struct NamedState {
  std::uint8_t value;
  const char* name;
};

constexpr std::array<NamedState, 5> kStates{{
    {kOpReady, "OP_READY"},
    {kInitialized, "INITIALIZED"},
    {kSecured, "SECURED"},
    {kCardLocked, "CARD_LOCKED"},
    {kTerminated, "TERMINATED"},
}};

bool equal_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool is_valid(std::uint8_t state) noexcept {
  return std::any_of(kStates.begin(), kStates.end(), [&](const NamedState& s) { return s.value == state; });
}

bool is_allowed_transition(std::uint8_t from, std::uint8_t to) noexcept {
  if (!is_valid(from) || !is_valid(to) || from == to || from == kTerminated) return false;
  if (to == kTerminated) return true;
  return (from == kOpReady && to == kInitialized) || (from == kInitialized && to == kSecured) ||
         (from == kSecured && to == kCardLocked) || (from == kCardLocked && to == kSecured);
}

std::string name(std::uint8_t state) {
  for (const auto& s : kStates) {
    if (s.value == state) return s.name;
  }
  return "UNKNOWN(" + to_hex(Bytes{state}) + ")";
}

std::optional<std::uint8_t> from_name(std::string_view text) {
  for (const auto& s : kStates) {
    if (equal_ignoring_case(text, s.name)) return s.value;
  }
  return std::nullopt;
}

}  // namespace sefleet::gp::card_life_cycle

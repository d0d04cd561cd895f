// GlobalPlatform card life cycle states (Card Specification v2.3.1 §5.1.1, Table 11-4) and the
// transitions the ISD allows through SET STATUS.
#pragma once

#include <cstdint>
#include <string>

namespace sefleet::card::card_life_cycle {

inline constexpr std::uint8_t kOpReady = 0x01;
inline constexpr std::uint8_t kInitialized = 0x07;
inline constexpr std::uint8_t kSecured = 0x0F;
inline constexpr std::uint8_t kCardLocked = 0x7F;
inline constexpr std::uint8_t kTerminated = 0xFF;

// One of the five codings above.
bool is_valid(std::uint8_t state) noexcept;
// OP_READY -> INITIALIZED -> SECURED -> CARD_LOCKED <-> SECURED, any state but TERMINATED ->
// TERMINATED. Forward steps are irreversible and may not be skipped; staying in a state is no transition.
bool is_allowed_transition(std::uint8_t from, std::uint8_t to) noexcept;
// "SECURED (0F)"-style name for messages.
std::string name(std::uint8_t state);

}  // namespace sefleet::card::card_life_cycle

// The GlobalPlatform card life cycle (Card Specification v2.3.1 §5.1.1, Table 11-5): its codings,
// names and the transitions SET STATUS may make. Shared by the card (ISD, card state) and the host
// toolkit (gp info, gp set-status), which is why it lives in gp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sefleet::gp::card_life_cycle {

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
// "OP_READY", "INITIALIZED", "SECURED", "CARD_LOCKED", "TERMINATED"; any other value "UNKNOWN(xx)".
std::string name(std::uint8_t state);
// The inverse of name(), case-insensitive; nullopt for anything else.
std::optional<std::uint8_t> from_name(std::string_view name);

}  // namespace sefleet::gp::card_life_cycle

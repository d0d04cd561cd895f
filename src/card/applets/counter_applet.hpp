// The card's built-in test applet: an echo and a persistent counter. Small on purpose, but real: it
// is what PC/SC tests and users talk to after `sefleet gp install`, and it proves that an installed
// instance keeps its own persistent data across power cycles and loses it when deleted.
//
// Commands (CLA 80; any other class 6E00; P1-P2 other than 0000 6A86):
//   80 10 00 00 Lc data [Le]   ECHO: answers data unchanged
//   80 20 00 00 [Le]           INCREMENT: counter + 1, persistently (atomic write); answers it (4 bytes)
//   80 22 00 00 [Le]           READ: answers the counter (4 bytes)
// SELECT answers 6F { 84 <instance AID> }. Install parameters (the C9 value): empty (counter starts at
// 0) or 4 bytes, the counter's start value; anything else is refused by the factory with 6A80.
#pragma once

#include <cstdint>
#include <memory>

#include "card/runtime/applet.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::applets {

inline constexpr std::uint8_t kCounterInsEcho = 0x10;
inline constexpr std::uint8_t kCounterInsIncrement = 0x20;
inline constexpr std::uint8_t kCounterInsRead = 0x22;

class CounterApplet final : public Applet {
 public:
  explicit CounterApplet(std::uint32_t start_value) : start_value_(start_value) {}

  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override;

 private:
  std::uint32_t read_counter(AppletContext& ctx) const;

  std::uint32_t start_value_;  // the value before the first INCREMENT of this instance
};

// The factory of the catalog: parses the install parameters (StatusWordError 6A80 when malformed).
std::unique_ptr<Applet> make_counter_applet(ByteView install_parameters);

}  // namespace sefleet::card::applets

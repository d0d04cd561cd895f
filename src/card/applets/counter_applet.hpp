// The card's built-in test applet: an echo and a persistent counter. Small on purpose, but real: it
// is what PC/SC tests and users talk to after `sefleet gp install`, and it proves that an installed
// instance keeps its own persistent data across power cycles and loses it when deleted.
//
// Commands (CLA 80; any other class 6E00; P1-P2 other than 0000 6A86):
//   80 10 00 00 Lc data [Le]   ECHO: answers data unchanged
//   80 20 00 00 [Le]           INCREMENT: counter + 1, persistently (atomic write); answers it (4 bytes)
//   80 22 00 00 [Le]           READ: answers the counter (4 bytes)
//   80 24 P1 00 [Le]           INCREMENT LATER: answers the counter's current value (4 bytes) at once and
//                              increments it in a deferred task after the response (its own
//                              transaction); P1 = 0..100: the task first waits P1 × 10 ms of wall-clock
//                              time, so that tests over real transports (TCP, pcscd) can observe that
//                              the response leaves first and that the next command waits for the task
//                              (spec deferred-execution §6.1-6.2). A second one before the first ran: 6985.
// SELECT answers 6F { 84 <instance AID> }. Install parameters (the C9 value): empty (counter starts at
// 0) or 4 bytes, the counter's start value; anything else is refused by the factory with 6A80.
#pragma once

#include <cstdint>
#include <memory>

#include "card/runtime/applet.hpp"
#include "card/runtime/deferred_executor.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::applets {

inline constexpr std::uint8_t kCounterInsEcho = 0x10;
inline constexpr std::uint8_t kCounterInsIncrement = 0x20;
inline constexpr std::uint8_t kCounterInsRead = 0x22;
inline constexpr std::uint8_t kCounterInsIncrementLater = 0x24;
inline constexpr std::uint8_t kCounterMaxDelayUnits = 100;  // × 10 ms

class CounterApplet final : public Applet {
 public:
  explicit CounterApplet(std::uint32_t start_value) : start_value_(start_value) {}

  void install(AppletContext& ctx) override;
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override;

 private:
  std::uint32_t read_counter(AppletContext& ctx) const;
  iso7816::ResponseApdu increment_later(const iso7816::CommandApdu& command, AppletContext& ctx);
  void run_increment(AppletContext& ctx);

  std::uint32_t start_value_;                     // the value before the first INCREMENT of this instance
  std::shared_ptr<DeferredTask> increment_task_;  // created at install
  std::uint8_t task_delay_units_ = 0;             // P1 of the INCREMENT LATER that scheduled it
};

// The factory of the catalog: parses the install parameters (StatusWordError 6A80 when malformed).
std::unique_ptr<Applet> make_counter_applet(ByteView install_parameters);

}  // namespace sefleet::card::applets

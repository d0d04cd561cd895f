// Serving many SEs in one terminal run without letting one hold up the others (docs/operations.md
// "Terminals"). Each SE is stepped by the agent; an SE the server holds back (not in the current wave,
// campaign paused, back-off after an unverified failure) is set aside until the time the server asked
// for, and the admitted ones are served meanwhile. When an SE of this run ends (updated, quarantined
// ...), the SEs that wait for their wave are asked again at once: that SE may have completed the wave.
// The run waits at most `max_wait` for held-back SEs; those still held back then end with the reason.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "offcard/terminal/agent.hpp"
#include "offcard/terminal/se_endpoint.hpp"

namespace sefleet::offcard::terminal {

struct ScheduleOptions {
  std::chrono::seconds max_wait{300};  // from the run's start; 0: never wait
  // Clock and sleep (tests give a virtual clock that sleep advances). Defaults: steady_clock, sleep_for.
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  // Called when the server holds an SE back: its result so far (status and reason say why) and when
  // the run will ask again at the latest.
  std::function<void(const SeResult&, std::chrono::seconds retry_after)> on_held_back;
  // Called when the run sleeps because every remaining SE is held back: (endpoints waiting, how long).
  std::function<void(std::size_t waiting, std::chrono::milliseconds delay)> on_sleep;
  // Called once per SE when it ends (in the order they end).
  std::function<void(const SeResult&)> on_result;
};

// Serves `endpoints` (not owned) and returns one result each, in the endpoints' order.
std::vector<SeResult> serve(Agent& agent, const std::vector<SeEndpoint*>& endpoints, const ScheduleOptions& options);

}  // namespace sefleet::offcard::terminal

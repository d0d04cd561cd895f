// When and how long a terminal waits before asking the server again. Only failures that waiting can
// cure are retried: connection errors and 503 (the server or its database is briefly unavailable),
// and 409 not_in_wave / paused when the server says with Retry-After that waiting helps. A 4xx is
// the terminal's own mistake or a final refusal: retrying it would only load the server.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

namespace sefleet::offcard::terminal {

struct RetryPolicy {
  unsigned max_attempts = 6;                         // tries per request (1 = no retry)
  std::chrono::milliseconds base_delay{100};         // first back-off
  std::chrono::milliseconds max_delay{5000};         // cap of one back-off
  std::chrono::milliseconds max_retry_after{30000};  // a longer Retry-After is capped to this
  unsigned max_wait_rounds = 20;                     // 409 not_in_wave/paused rounds before giving up
};

// The delay before retry number `retry` (0 = the first retry): exponential, capped, with "equal
// jitter" so that a fleet of terminals that failed together does not retry together:
//   d = min(max_delay, base_delay * 2^retry);  delay in [d/2, d], chosen by `random`.
// Never below base_delay/2, never above max_delay.
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned retry, std::uint64_t random);

// The wait a server asked for (Retry-After in seconds), capped by the policy; `fallback` when absent.
std::chrono::milliseconds retry_after_delay(const RetryPolicy& policy, std::optional<std::chrono::seconds> retry_after,
                                            std::chrono::milliseconds fallback);

}  // namespace sefleet::offcard::terminal

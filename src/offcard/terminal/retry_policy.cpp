#include "offcard/terminal/retry_policy.hpp"

#include <algorithm>

namespace sefleet::offcard::terminal {

std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, unsigned retry, std::uint64_t random) {
  const std::int64_t base = std::max<std::int64_t>(1, policy.base_delay.count());
  const std::int64_t cap = std::max<std::int64_t>(base, policy.max_delay.count());
  std::int64_t full = base;
  for (unsigned k = 0; k < retry && full < cap; ++k) full *= 2;  // no overflow: stops at the cap
  full = std::min(full, cap);
  const std::int64_t half = full / 2;
  const std::int64_t span = full - half;  // jitter in [half, full]
  return std::chrono::milliseconds(half + static_cast<std::int64_t>(random % static_cast<std::uint64_t>(span + 1)));
}

std::chrono::milliseconds retry_after_delay(const RetryPolicy& policy, std::optional<std::chrono::seconds> retry_after,
                                            std::chrono::milliseconds fallback) {
  if (!retry_after) return fallback;
  const auto asked = std::chrono::duration_cast<std::chrono::milliseconds>(*retry_after);
  return std::clamp(asked, std::chrono::milliseconds(0), policy.max_retry_after);
}

}  // namespace sefleet::offcard::terminal

// Saturating unsigned arithmetic for cost figures: a huge byte count must give a huge cost, never a
// wrapped small one. Internal to src/sim/timing.
#pragma once

#include <cstdint>
#include <limits>

namespace sefleet::sim::saturating {

inline constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

constexpr std::uint64_t add(std::uint64_t a, std::uint64_t b) noexcept {
  return a > kMax - b ? kMax : a + b;
}

constexpr std::uint64_t mul(std::uint64_t a, std::uint64_t b) noexcept {
  return (a != 0 && b > kMax / a) ? kMax : a * b;
}

// picoseconds -> nanoseconds, rounded to the nearest ns.
constexpr std::uint64_t ps_to_ns(std::uint64_t ps) noexcept {
  return ps == kMax ? kMax : ps / 1000 + (ps % 1000 >= 500 ? 1 : 0);
}

}  // namespace sefleet::sim::saturating

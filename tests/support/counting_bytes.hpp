// Test key and data material that is easy to tell apart in a dump: bytes counting up from a first value.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"

namespace sefleet::test {

// `size` bytes: first, first + 1, ... (wrapping at 0xFF).
inline Bytes counting_bytes(std::size_t size, std::uint8_t first) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(first + i);
  return out;
}

}  // namespace sefleet::test

// XOR of cipher blocks word by word: the CBC chain corrections and CMAC's subkey are applied to one
// block of every short secure-messaging command, where a byte loop costs more than the XOR itself.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace sefleet::crypto::detail {

// `out` = `a` XOR `b` over `size` bytes, a multiple of 8. The buffers need not be aligned, and `out`
// may be `a` or `b`.
inline void xor_blocks(std::uint8_t* out, const std::uint8_t* a, const std::uint8_t* b, std::size_t size) noexcept {
  for (std::size_t i = 0; i < size; i += 8) {
    std::uint64_t x = 0;
    std::uint64_t y = 0;
    std::memcpy(&x, a + i, 8);
    std::memcpy(&y, b + i, 8);
    x ^= y;
    std::memcpy(out + i, &x, 8);
  }
}

}  // namespace sefleet::crypto::detail

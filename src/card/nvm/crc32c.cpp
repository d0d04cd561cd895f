#include "card/nvm/crc32c.hpp"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace sefleet::card::nvm {

namespace {

constexpr std::uint32_t kPolynomial = 0x82F63B78u;  // reflected Castagnoli polynomial

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t value = i;
    for (int bit = 0; bit < 8; ++bit) value = (value & 1u) ? (value >> 1) ^ kPolynomial : value >> 1;
    table[i] = value;
  }
  return table;
}

constexpr std::array<std::uint32_t, 256> kTable = make_table();

#if defined(__x86_64__)
// SSE 4.2 has a CRC32 instruction for exactly this polynomial; every record of a broadcast image (64 KB
// blocks, 16 MiB snapshots) is checksummed, and the table loop was the card's main ingest cost.
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(ByteView data, std::uint32_t crc) {
  std::uint64_t state = ~crc;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    state = _mm_crc32_u64(state, word);
    p += 8;
    n -= 8;
  }
  auto small = static_cast<std::uint32_t>(state);
  while (n-- > 0) small = _mm_crc32_u8(small, *p++);
  return ~small;
}

const bool kHasSse42 = __builtin_cpu_supports("sse4.2");
#endif

}  // namespace

std::uint32_t crc32c_portable(ByteView data, std::uint32_t crc) {
  crc = ~crc;
  for (const std::uint8_t byte : data) crc = (crc >> 8) ^ kTable[(crc ^ byte) & 0xFFu];
  return ~crc;
}

std::uint32_t crc32c(ByteView data, std::uint32_t crc) {
#if defined(__x86_64__)
  if (kHasSse42) return crc32c_sse42(data, crc);
#endif
  return crc32c_portable(data, crc);
}

}  // namespace sefleet::card::nvm

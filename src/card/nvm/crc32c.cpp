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

// The CRC register is updated linearly: feeding n zero bytes to a register is a fixed linear map on
// its 32 bits, kept here as four 256-entry tables (one per register byte). It joins the checksums of
// independent streams: reg(A ‖ B) = zeros_|B|(reg(A)) XOR reg_from_0(B).
class ZerosOperator {
 public:
  explicit ZerosOperator(std::size_t bytes) {
    std::array<std::uint32_t, 32> column{};  // the image of each single register bit
    for (std::size_t bit = 0; bit < 32; ++bit) {
      std::uint32_t reg = 1u << bit;
      for (std::size_t n = 0; n < bytes; ++n) reg = (reg >> 8) ^ kTable[reg & 0xFFu];
      column[bit] = reg;
    }
    for (std::size_t part = 0; part < 4; ++part) {
      for (std::uint32_t byte = 0; byte < 256; ++byte) {
        std::uint32_t image = 0;
        for (std::size_t bit = 0; bit < 8; ++bit) {
          if ((byte >> bit) & 1u) image ^= column[8 * part + bit];
        }
        tables_[part][byte] = image;
      }
    }
  }

  std::uint32_t apply(std::uint32_t reg) const noexcept {
    return tables_[0][reg & 0xFFu] ^ tables_[1][(reg >> 8) & 0xFFu] ^ tables_[2][(reg >> 16) & 0xFFu] ^
           tables_[3][reg >> 24];
  }

 private:
  std::array<std::array<std::uint32_t, 256>, 4> tables_{};
};

#if defined(__x86_64__)
// SSE 4.2 has a CRC32 instruction for exactly this polynomial. One chain of it is bound by the
// instruction's latency (3 cycles per 8 bytes on current x86 cores), while the CPU can start one
// per cycle: the data is therefore cut into three streams checksummed side by side, and their
// registers joined with the zeros operator. Every NVM record is checksummed, including 64 KB image
// blocks and whole snapshots, so this runs over every byte the card stores.
constexpr std::size_t kLongStream = 8192;  // three streams of this many bytes per step, then...
constexpr std::size_t kShortStream = 256;  // ...of this many for what is left, then one stream

__attribute__((target("sse4.2"))) std::uint64_t three_streams(const std::uint8_t*& p, std::size_t& n, std::uint64_t reg,
                                                              std::size_t stream, const ZerosOperator& zeros) {
  while (n >= 3 * stream) {
    std::uint64_t reg1 = 0, reg2 = 0;
    for (const std::uint8_t* end = p + stream; p < end; p += 8) {
      std::uint64_t w0, w1, w2;
      std::memcpy(&w0, p, 8);
      std::memcpy(&w1, p + stream, 8);
      std::memcpy(&w2, p + 2 * stream, 8);
      reg = _mm_crc32_u64(reg, w0);
      reg1 = _mm_crc32_u64(reg1, w1);
      reg2 = _mm_crc32_u64(reg2, w2);
    }
    reg = zeros.apply(static_cast<std::uint32_t>(reg)) ^ reg1;
    reg = zeros.apply(static_cast<std::uint32_t>(reg)) ^ reg2;
    p += 2 * stream;
    n -= 3 * stream;
  }
  return reg;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(ByteView data, std::uint32_t crc) {
  static const ZerosOperator long_zeros(kLongStream);
  static const ZerosOperator short_zeros(kShortStream);
  std::uint64_t reg = ~crc;  // the register, pre-inverted; ~ of a uint32_t stays 32 bits
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  reg = three_streams(p, n, reg, kLongStream, long_zeros);
  reg = three_streams(p, n, reg, kShortStream, short_zeros);
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, sizeof word);
    reg = _mm_crc32_u64(reg, word);
    p += 8;
    n -= 8;
  }
  auto small = static_cast<std::uint32_t>(reg);
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

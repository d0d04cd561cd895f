#include "crypto/crc.hpp"

#include <array>

namespace sefleet::crypto {
namespace {

// Byte-at-a-time tables for MSB-first CRCs held in the top bits of a 32-bit register: entry i is the
// register after shifting the byte i (at the top) through eight steps of the generator.
constexpr std::array<std::uint32_t, 256> make_table(std::uint32_t generator_top_aligned) {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t value = i << 24;
    for (int bit = 0; bit < 8; ++bit) {
      value = (value & 0x80000000u) != 0 ? (value << 1) ^ generator_top_aligned : value << 1;
    }
    table[i] = value;
  }
  return table;
}

constexpr auto kCrc16Table = make_table(0x1021u << 16);
constexpr auto kCrc32Table = make_table(0x04C11DB7u);

std::uint32_t aligned(CrcAlgorithm algorithm, std::uint32_t value) {
  return algorithm == CrcAlgorithm::iso3309_crc16 ? (value & 0xFFFFu) << 16 : value;
}

}  // namespace

Crc::Crc(CrcAlgorithm algorithm, std::uint32_t initial) : algorithm_(algorithm) {
  restart(initial);
}

void Crc::restart(std::uint32_t initial) {
  initial_ = initial;
  register_ = aligned(algorithm_, initial);
}

void Crc::update(ByteView data) {
  const auto& table = algorithm_ == CrcAlgorithm::iso3309_crc16 ? kCrc16Table : kCrc32Table;
  std::uint32_t crc = register_;
  for (const std::uint8_t byte : data) {
    crc = (crc << 8) ^ table[((crc >> 24) ^ byte) & 0xFFu];
  }
  register_ = crc;
}

std::uint32_t Crc::finish_value() {
  const std::uint32_t value =
      algorithm_ == CrcAlgorithm::iso3309_crc16 ? ((register_ >> 16) ^ 0xFFFFu) : (register_ ^ 0xFFFFFFFFu);
  register_ = aligned(algorithm_, initial_);
  return value;
}

std::uint32_t Crc::register_value() const noexcept {
  return algorithm_ == CrcAlgorithm::iso3309_crc16 ? register_ >> 16 : register_;
}

Bytes Crc::finish() {
  const std::uint32_t value = finish_value();
  Bytes out;
  if (algorithm_ == CrcAlgorithm::iso3309_crc32)
    put_be32(out, value);
  else
    put_be16(out, static_cast<std::uint16_t>(value));
  return out;
}

std::uint32_t crc_value(CrcAlgorithm algorithm, ByteView data) {
  Crc crc(algorithm);
  crc.update(data);
  return crc.finish_value();
}

}  // namespace sefleet::crypto

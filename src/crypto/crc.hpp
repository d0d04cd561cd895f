// The two CRCs of Java Card's javacard.security.Checksum (no cryptographic value; they live here with the
// other algorithms of that API):
//   iso3309_crc16  ISO/IEC 3309 16-bit CRC: generator x^16 + x^12 + x^5 + 1 (0x1021),
//   iso3309_crc32  ISO/IEC 3309 32-bit CRC: generator 0x04C11DB7,
// both as the Java Card API defines them: the register starts at the initial value (0 by default, or
// the value Checksum.init() passes), bits are processed most significant first (no reflection), the
// result is the register's ones' complement, written big-endian (2 or 4 bytes). In the CRC catalogue's
// terms these are CRC-16/GSM (check 0xCE3C) and CRC-32/POSIX without the length suffix (check 0x765E7680).
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"

namespace sefleet::crypto {

enum class CrcAlgorithm { iso3309_crc16, iso3309_crc32 };

class Crc {
 public:
  explicit Crc(CrcAlgorithm algorithm, std::uint32_t initial = 0);

  CrcAlgorithm algorithm() const noexcept { return algorithm_; }
  std::size_t size() const noexcept { return algorithm_ == CrcAlgorithm::iso3309_crc16 ? 2 : 4; }

  // Starts again from `initial` (only its low 16 bits for CRC-16); later finishes restart from it too.
  void restart(std::uint32_t initial);
  void update(ByteView data);
  // The checksum of everything since the last (re)start, big-endian; then restarts from the initial value.
  Bytes finish();
  // The same as a number.
  std::uint32_t finish_value();
  // The register as it stands, without the final complement: what a caller that keeps the state
  // itself (the Java Card Checksum) carries from one update to the next and passes back as `initial`.
  std::uint32_t register_value() const noexcept;

 private:
  CrcAlgorithm algorithm_;
  std::uint32_t initial_ = 0;
  std::uint32_t register_ = 0;  // CRC-16 uses the top 16 bits, so both widths shift the same way
};

// One-shot, from the default initial value 0.
std::uint32_t crc_value(CrcAlgorithm algorithm, ByteView data);

}  // namespace sefleet::crypto

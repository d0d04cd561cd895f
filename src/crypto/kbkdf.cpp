#include "crypto/kbkdf.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {

SecretBytes kbkdf_cmac_counter(ByteView key, ByteView before, ByteView after, std::size_t length_bits,
                               std::size_t counter_bytes) {
  if (length_bits == 0 || length_bits % 8 != 0) {
    throw Error(Errc::invalid_argument, "KBKDF: output length must be a positive multiple of 8 bits");
  }
  if (counter_bytes < 1 || counter_bytes > 4) {
    throw Error(Errc::invalid_argument, "KBKDF: counter width must be 1 to 4 bytes");
  }
  const std::size_t length = length_bits / 8;
  const std::size_t blocks = (length + 15) / 16;
  const std::uint64_t max_counter = (counter_bytes == 4) ? 0xFFFFFFFFULL : ((1ULL << (8 * counter_bytes)) - 1);
  if (blocks > max_counter) {
    throw Error(Errc::invalid_argument, "KBKDF: output too long for the counter width");
  }
  Cmac prf(key);
  SecretBytes out(blocks * 16);
  Bytes counter(counter_bytes);
  for (std::size_t i = 1; i <= blocks; ++i) {
    for (std::size_t b = 0; b < counter_bytes; ++b) {
      counter[counter_bytes - 1 - b] = static_cast<std::uint8_t>(i >> (8 * b));
    }
    const Mac16 block = prf.compute({before, counter, after});
    std::copy(block.begin(), block.end(), out.data() + (i - 1) * 16);
  }
  out.resize(length);
  return out;
}

SecretBytes scp03_kdf(Cmac& prf, std::uint8_t constant, std::size_t length_bits, ByteView context) {
  if (length_bits != 64 && length_bits != 128 && length_bits != 192 && length_bits != 256) {
    throw Error(Errc::invalid_argument,
                "SCP03 KDF: L must be 64, 128, 192 or 256 bits, got " + std::to_string(length_bits));
  }
  // label (11 zero bytes || constant) || separator 00 || L (2 bytes, bits); the counter follows.
  std::uint8_t fixed[15] = {};
  fixed[11] = constant;
  fixed[12] = 0x00;
  fixed[13] = static_cast<std::uint8_t>(length_bits >> 8);
  fixed[14] = static_cast<std::uint8_t>(length_bits);
  const std::size_t length = length_bits / 8;
  SecretBytes out((length + 15) / 16 * 16);
  for (std::uint8_t i = 1; static_cast<std::size_t>(i - 1) * 16 < length; ++i) {
    const std::uint8_t counter[1] = {i};
    const Mac16 block = prf.compute({ByteView(fixed, sizeof fixed), ByteView(counter, 1), context});
    std::copy(block.begin(), block.end(), out.data() + static_cast<std::size_t>(i - 1) * 16);
  }
  out.resize(length);
  return out;
}

SecretBytes scp03_kdf(ByteView key, std::uint8_t constant, std::size_t length_bits, ByteView context) {
  Cmac prf(key);
  return scp03_kdf(prf, constant, length_bits, context);
}

}  // namespace sefleet::crypto

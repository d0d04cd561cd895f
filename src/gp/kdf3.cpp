#include "gp/kdf3.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "gp/scp03_types.hpp"

namespace sefleet::gp {

Kdf3Block kdf3_block_input(std::uint8_t counter, std::uint8_t key_type, ByteView kdd) {
  if (kdd.size() != kKddSize) {
    throw Error(Errc::invalid_argument,
                "kdf3: key diversification data must be 10 bytes, got " + std::to_string(kdd.size()));
  }
  Kdf3Block block{};
  block[0] = counter;   // then 00 00 00
  block[4] = key_type;  // then 00
  std::copy(kdd.begin(), kdd.end(), block.begin() + 6);
  return block;
}

StaticKeySet kdf3_diversify(std::size_t key_size, ByteView kdd, std::uint8_t kvn, const Kdf3Prf& prf) {
  if (!crypto::is_aes_key_size(key_size)) {
    throw Error(Errc::invalid_argument, "kdf3: master key must be 16, 24 or 32 bytes, got " + std::to_string(key_size));
  }
  const auto derive_one = [&](std::uint8_t key_type) {
    SecretBytes key((key_size + 15) / 16 * 16);
    for (std::size_t i = 0; i * 16 < key_size; ++i) {
      crypto::Mac16 block = prf(kdf3_block_input(static_cast<std::uint8_t>(i + 1), key_type, kdd));
      std::copy(block.begin(), block.end(), key.data() + i * 16);
      secure_zero(block.data(), block.size());  // a stack copy of key bytes
    }
    key.resize(key_size);
    return key;
  };
  return StaticKeySet(kvn, derive_one(kKeyIdEnc), derive_one(kKeyIdMac), derive_one(kKeyIdDek));
}

StaticKeySet kdf3_diversify(ByteView master_key, ByteView kdd, std::uint8_t kvn) {
  crypto::Cmac prf(master_key);
  return kdf3_diversify(master_key.size(), kdd, kvn,
                        [&](const Kdf3Block& input) { return prf.compute(ByteView(input.data(), input.size())); });
}

}  // namespace sefleet::gp

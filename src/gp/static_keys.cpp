#include "gp/static_keys.hpp"

#include <string>
#include <utility>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::gp {

StaticKeySet::StaticKeySet(std::uint8_t kvn_, SecretBytes enc_, SecretBytes mac_, SecretBytes dek_)
    : kvn(kvn_), enc(std::move(enc_)), mac(std::move(mac_)), dek(std::move(dek_)) {
  validate();
}

void StaticKeySet::validate() const {
  if (!crypto::is_aes_key_size(enc.size())) {
    throw Error(Errc::invalid_argument,
                "SCP03 key set: Key-ENC must be 16, 24 or 32 bytes, got " + std::to_string(enc.size()));
  }
  if (mac.size() != enc.size() || dek.size() != enc.size()) {
    throw Error(Errc::invalid_argument, "SCP03 key set: ENC, MAC and DEK must have the same length (" +
                                            std::to_string(enc.size()) + "/" + std::to_string(mac.size()) + "/" +
                                            std::to_string(dek.size()) + " bytes)");
  }
  if (kvn > 0x7F) {
    throw Error(Errc::invalid_argument, "SCP03 key set: key version number must be 00..7F");
  }
}

Bytes key_check_value(ByteView key) {
  std::uint8_t block[crypto::kAesBlock];
  for (auto& b : block) b = 0x01;
  crypto::Aes aes(key);
  aes.encrypt_block(block, block);
  return Bytes(block, block + 3);
}

}  // namespace sefleet::gp

#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <climits>
#include <vector>

#include "crypto/hash.hpp"

namespace sefleet::crypto {

Bytes Random::bytes(std::size_t count) {
  Bytes out(count);
  fill(out);
  return out;
}

void SystemRandom::fill(MutableByteView out) {
  if (!out.empty() && RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    detail::throw_openssl("RAND_bytes");
  }
}

bool SystemRandom::add_input(ByteView material) {
  if (!material.empty()) RAND_add(material.data(), static_cast<int>(material.size()), 0.0);
  return true;
}

DeterministicRandom::DeterministicRandom(ByteView seed) : ctx_(EVP_CIPHER_CTX_new()) {
  const Digest256 key = sha256(seed);
  const std::uint8_t iv[16] = {};
  if (!ctx_ || EVP_EncryptInit_ex2(ctx_.get(), detail::aes_cipher("CTR", 32), key.data(), iv, nullptr) != 1) {
    detail::throw_openssl("deterministic random init");
  }
}

void DeterministicRandom::fill(MutableByteView out) {
  // Encrypting zeros yields the keystream.
  std::vector<std::uint8_t> zeros(out.size(), 0);
  int written = 0;
  if (!out.empty() &&
      EVP_EncryptUpdate(ctx_.get(), out.data(), &written, zeros.data(), static_cast<int>(zeros.size())) != 1) {
    detail::throw_openssl("deterministic random");
  }
}

Random& system_random() {
  static SystemRandom instance;
  return instance;
}

}  // namespace sefleet::crypto

// Internal: the expanded-key contexts of one block-cipher key (AES, DES, 3DES) in ECB and CBC, both
// directions. Each context is created on first use and then re-initialised with only an IV, which keeps
// its key schedule: a long-lived cipher object costs no key expansion per call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto::detail {

enum class BlockMode { ecb, cbc };

class BlockCipherContexts {
 public:
  // `cipher(mode, key_size)` returns the fetched EVP cipher; `name` starts every error message.
  using CipherLookup = const EVP_CIPHER* (*)(BlockMode mode, std::size_t key_size);
  BlockCipherContexts(const char* name, std::size_t block_size, ByteView key, CipherLookup cipher);

  std::size_t key_size() const noexcept { return key_.size(); }
  std::size_t block_size() const noexcept { return block_size_; }

  // `in` is a multiple of the block size; `out` has room for in.size() bytes (may equal in.data()).
  // `iv` is block_size() bytes for CBC and null for ECB.
  void run(BlockMode mode, bool encrypt, const std::uint8_t* iv, ByteView in, std::uint8_t* out);

  // Streaming: begin() starts a CBC chain from `iv`; each proceed() takes the next whole blocks and
  // continues where the previous call stopped (the context keeps the chaining value).
  void begin(BlockMode mode, bool encrypt, const std::uint8_t* iv);
  void proceed(BlockMode mode, bool encrypt, ByteView in, std::uint8_t* out);

 private:
  EVP_CIPHER_CTX* context(BlockMode mode, bool encrypt);

  const char* name_;
  std::size_t block_size_;
  SecretBytes key_;
  CipherLookup cipher_;
  CipherCtx contexts_[4];
};

}  // namespace sefleet::crypto::detail

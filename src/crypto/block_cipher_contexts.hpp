// Internal: the expanded-key contexts of one block-cipher key (AES, DES, 3DES) in ECB and CBC, both
// directions. Each context is created on first use and keeps its key schedule: a long-lived cipher
// object costs no key expansion per call. A new CBC chain does not re-initialise the context either
// (OpenSSL's re-initialisation with an IV costs more than enciphering a short command): the context
// goes on from its last chaining value, and the first block of the new chain is corrected for the
// difference between that value and the new IV (see begin()).
// Each call is one EVP_Cipher() on whole blocks: EVP_CipherUpdate()'s partial-block bookkeeping,
// which whole blocks without padding never need, costs as much as enciphering several blocks, and a
// short secure-messaging command makes two calls (docs/crypto.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto::detail {

enum class BlockMode { ecb, cbc };

class BlockCipherContexts {
 public:
  // `cipher(mode, key_size)` returns the fetched EVP cipher; `name` starts every error message. The
  // block size is 8 (DES) or 16 (AES) bytes.
  using CipherLookup = const EVP_CIPHER* (*)(BlockMode mode, std::size_t key_size);
  BlockCipherContexts(const char* name, std::size_t block_size, ByteView key, CipherLookup cipher);
  ~BlockCipherContexts();
  BlockCipherContexts(BlockCipherContexts&&) noexcept = default;
  BlockCipherContexts& operator=(BlockCipherContexts&&) noexcept = default;

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
  static constexpr std::size_t kMaxBlock = 16;
  using Block = std::array<std::uint8_t, kMaxBlock>;
  // Where a CBC context stands: the chaining value it will use for its next block (its last
  // ciphertext block, or its IV before any), and, while a new chain has not had its first block
  // (`restart`), the correction for it: that chaining value XOR the IV the caller's chain starts from.
  struct Chain {
    Block value{};
    Block correction{};
    bool restart = false;
  };
  EVP_CIPHER_CTX* context(BlockMode mode, bool encrypt) {
    CipherCtx& ctx = contexts_[(mode == BlockMode::cbc ? 2 : 0) + (encrypt ? 1 : 0)];
    return ctx ? ctx.get() : new_context(mode, encrypt);
  }
  EVP_CIPHER_CTX* new_context(BlockMode mode, bool encrypt);
  void proceed_cbc(EVP_CIPHER_CTX* ctx, Chain& chain, bool encrypt, ByteView in, std::uint8_t* out);
  void update(EVP_CIPHER_CTX* ctx, ByteView in, std::uint8_t* out);

  const char* name_;
  std::size_t block_size_;
  SecretBytes key_;
  CipherLookup cipher_;
  CipherCtx contexts_[4];
  Chain chains_[2];  // CBC decrypt, CBC encrypt
};

}  // namespace sefleet::crypto::detail

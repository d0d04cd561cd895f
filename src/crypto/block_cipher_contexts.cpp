#include "crypto/block_cipher_contexts.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "crypto/xor_blocks.hpp"

namespace sefleet::crypto::detail {

BlockCipherContexts::BlockCipherContexts(const char* name, std::size_t block_size, ByteView key, CipherLookup cipher)
    : name_(name), block_size_(block_size), key_(key), cipher_(cipher) {
  if (block_size_ != 8 && block_size_ != 16) {
    throw Error(Errc::invalid_argument, std::string(name_) + ": unsupported block size");
  }
}

BlockCipherContexts::~BlockCipherContexts() {
  // Chaining values of a MAC are intermediate results under the key.
  for (Chain& chain : chains_) {
    secure_zero(chain.value.data(), chain.value.size());
    secure_zero(chain.correction.data(), chain.correction.size());
  }
}

EVP_CIPHER_CTX* BlockCipherContexts::new_context(BlockMode mode, bool encrypt) {
  auto& ctx = contexts_[(mode == BlockMode::cbc ? 2 : 0) + (encrypt ? 1 : 0)];
  CipherCtx fresh(EVP_CIPHER_CTX_new());
  if (!fresh) throw_openssl("EVP_CIPHER_CTX_new");
  // A CBC context starts from the all-zero IV, which its Chain records.
  const Block zero{};
  if (EVP_CipherInit_ex2(fresh.get(), cipher_(mode, key_.size()), key_.data(),
                         mode == BlockMode::cbc ? zero.data() : nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    throw_openssl(std::string(name_) + " init");
  }
  EVP_CIPHER_CTX_set_padding(fresh.get(), 0);
  if (mode == BlockMode::cbc) {
    // A chain begun on the context this one replaces (after a failure) still starts from its IV:
    // the correction was V ^ IV for the old V, and the new context's V is zero.
    Chain& chain = chains_[encrypt ? 1 : 0];
    xor_blocks(chain.correction.data(), chain.correction.data(), chain.value.data(), block_size_);
    chain.value = Block{};
  }
  ctx = std::move(fresh);
  return ctx.get();
}

void BlockCipherContexts::begin(BlockMode mode, bool encrypt, const std::uint8_t* iv) {
  if (mode == BlockMode::ecb) return;  // ECB keeps no state between whole-block calls
  context(mode, encrypt);
  Chain& chain = chains_[encrypt ? 1 : 0];
  xor_blocks(chain.correction.data(), chain.value.data(), iv, block_size_);
  chain.restart = true;
}

// EVP_Cipher() on whole blocks with padding off is one call of the cipher's block function: the
// provider's ccipher (or a legacy cipher's do_cipher), which chains CBC through the context's IV as
// EVP_CipherUpdate() does. It returns the bytes written (provider) or 1 (legacy); <= 0 is a failure.
void BlockCipherContexts::update(EVP_CIPHER_CTX* ctx, ByteView in, std::uint8_t* out) {
  if (EVP_Cipher(ctx, out, in.data(), static_cast<unsigned int>(in.size())) <= 0) {
    throw_openssl(std::string(name_) + " update");
  }
}

// CBC computes C[i] = E(P[i] ^ C[i-1]) and P[i] = D(C[i]) ^ C[i-1], with C[0] the IV. The context
// would use its own chaining value V where the new chain wants the IV, so the first block is
// corrected by V ^ IV (begin()): encrypting, its input is XORed with it beforehand
// (E((P ^ V ^ IV) ^ V) = E(P ^ IV)); decrypting, its output afterwards (D(C) ^ V ^ V ^ IV = D(C) ^ IV).
// Every other block chains as usual, and the exact chaining value is tracked to correct the next chain.
void BlockCipherContexts::proceed_cbc(EVP_CIPHER_CTX* ctx, Chain& chain, bool encrypt, ByteView in, std::uint8_t* out) {
  const std::size_t bs = block_size_;
  const std::size_t last = in.size() - bs;
  if (encrypt) {
    if (!chain.restart) {
      update(ctx, in, out);
    } else if (in.data() == out) {
      // In place the caller's input is overwritten anyway: the correction goes into it, and the chain
      // is one call (CMAC's finish() enciphers a whole short message this way).
      xor_blocks(out, out, chain.correction.data(), bs);
      update(ctx, in, out);
    } else {
      // `out` does not overlap `in`: the corrected first block is enciphered where it belongs.
      xor_blocks(out, in.data(), chain.correction.data(), bs);
      update(ctx, ByteView(out, bs), out);
      if (in.size() > bs) update(ctx, in.subspan(bs), out + bs);
    }
    std::memcpy(chain.value.data(), out + last, bs);
  } else {
    Block next{};
    std::memcpy(next.data(), in.data() + last, bs);  // before an in-place call overwrites it
    update(ctx, in, out);
    if (chain.restart) xor_blocks(out, out, chain.correction.data(), bs);
    chain.value = next;  // ciphertext: nothing secret to wipe
  }
  chain.restart = false;
}

void BlockCipherContexts::proceed(BlockMode mode, bool encrypt, ByteView in, std::uint8_t* out) {
  if ((in.size() & (block_size_ - 1)) != 0) {  // block sizes are powers of two
    throw Error(Errc::invalid_argument, std::string(name_) + ": input of " + std::to_string(in.size()) +
                                            " bytes is not a multiple of the block size");
  }
  if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(Errc::invalid_argument, std::string(name_) + ": input too large");
  }
  if (in.empty()) return;
  EVP_CIPHER_CTX* ctx = context(mode, encrypt);
  if (mode == BlockMode::cbc) {
    try {
      proceed_cbc(ctx, chains_[encrypt ? 1 : 0], encrypt, in, out);
    } catch (...) {
      // Where a failed update left the chain is unknown: the next use starts from a fresh context.
      contexts_[2 + (encrypt ? 1 : 0)].reset();
      throw;
    }
  } else {
    update(ctx, in, out);
  }
}

void BlockCipherContexts::run(BlockMode mode, bool encrypt, const std::uint8_t* iv, ByteView in, std::uint8_t* out) {
  // ECB keeps no state between whole-block calls, so its context is never re-initialised; CBC
  // starts a new chain from `iv`.
  if (mode == BlockMode::cbc) begin(mode, encrypt, iv);
  proceed(mode, encrypt, in, out);
}

}  // namespace sefleet::crypto::detail

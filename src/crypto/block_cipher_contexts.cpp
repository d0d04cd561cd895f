#include "crypto/block_cipher_contexts.hpp"

#include <algorithm>
#include <limits>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto::detail {

BlockCipherContexts::BlockCipherContexts(const char* name, std::size_t block_size, ByteView key, CipherLookup cipher)
    : name_(name), block_size_(block_size), key_(key), cipher_(cipher) {
  if (block_size_ > kMaxBlock) throw Error(Errc::invalid_argument, std::string(name_) + ": block size too large");
}

BlockCipherContexts::~BlockCipherContexts() {
  // Chaining values of a MAC are intermediate results under the key.
  for (Chain& chain : chains_) {
    secure_zero(chain.value.data(), chain.value.size());
    secure_zero(chain.iv.data(), chain.iv.size());
  }
}

EVP_CIPHER_CTX* BlockCipherContexts::context(BlockMode mode, bool encrypt) {
  auto& ctx = contexts_[(mode == BlockMode::cbc ? 2 : 0) + (encrypt ? 1 : 0)];
  if (ctx) return ctx.get();
  CipherCtx fresh(EVP_CIPHER_CTX_new());
  if (!fresh) throw_openssl("EVP_CIPHER_CTX_new");
  // A CBC context starts from the all-zero IV, which its Chain records.
  const Block zero{};
  if (EVP_CipherInit_ex2(fresh.get(), cipher_(mode, key_.size()), key_.data(),
                         mode == BlockMode::cbc ? zero.data() : nullptr, encrypt ? 1 : 0, nullptr) != 1) {
    throw_openssl(std::string(name_) + " init");
  }
  EVP_CIPHER_CTX_set_padding(fresh.get(), 0);
  if (mode == BlockMode::cbc) chains_[encrypt ? 1 : 0].value = Block{};
  ctx = std::move(fresh);
  return ctx.get();
}

void BlockCipherContexts::begin(BlockMode mode, bool encrypt, const std::uint8_t* iv) {
  if (mode == BlockMode::ecb) return;  // ECB keeps no state between whole-block calls
  context(mode, encrypt);
  Chain& chain = chains_[encrypt ? 1 : 0];
  std::copy_n(iv, block_size_, chain.iv.begin());
  chain.restart = true;
}

void BlockCipherContexts::update(EVP_CIPHER_CTX* ctx, ByteView in, std::uint8_t* out) {
  int written = 0;
  if (EVP_CipherUpdate(ctx, out, &written, in.data(), static_cast<int>(in.size())) != 1) {
    throw_openssl(std::string(name_) + " update");
  }
}

// CBC computes C[i] = E(P[i] ^ C[i-1]) and P[i] = D(C[i]) ^ C[i-1], with C[0] the IV. The context
// would use its own chaining value V where the new chain wants the IV, so the first block is
// corrected: encrypting, its input is XORed with V ^ IV beforehand (E((P ^ V ^ IV) ^ V) = E(P ^ IV));
// decrypting, its output is XORed with V ^ IV afterwards (D(C) ^ V ^ V ^ IV = D(C) ^ IV). Every other
// block chains as usual, and the exact chaining value is tracked to correct the next chain.
void BlockCipherContexts::proceed_cbc(EVP_CIPHER_CTX* ctx, Chain& chain, bool encrypt, ByteView in, std::uint8_t* out) {
  const std::size_t bs = block_size_;
  Block next{};
  if (!encrypt) std::copy_n(in.end() - static_cast<std::ptrdiff_t>(bs), bs, next.begin());  // before in-place
  if (encrypt && chain.restart && in.data() == out) {
    // In place the caller's input is overwritten anyway: the correction goes into it, and the chain
    // is one call (CMAC's finish() enciphers a whole short message this way).
    for (std::size_t i = 0; i < bs; ++i) out[i] = static_cast<std::uint8_t>(out[i] ^ chain.value[i] ^ chain.iv[i]);
    update(ctx, in, out);
  } else if (encrypt && chain.restart) {
    Block first{};
    for (std::size_t i = 0; i < bs; ++i) first[i] = static_cast<std::uint8_t>(in[i] ^ chain.value[i] ^ chain.iv[i]);
    update(ctx, ByteView(first.data(), bs), out);
    secure_zero(first.data(), first.size());
    if (in.size() > bs) update(ctx, in.subspan(bs), out + bs);
  } else {
    update(ctx, in, out);
  }
  if (!encrypt && chain.restart) {
    for (std::size_t i = 0; i < bs; ++i) out[i] = static_cast<std::uint8_t>(out[i] ^ chain.value[i] ^ chain.iv[i]);
  }
  if (encrypt) std::copy_n(out + in.size() - bs, bs, next.begin());
  chain.value = next;
  chain.restart = false;
  secure_zero(next.data(), next.size());
}

void BlockCipherContexts::proceed(BlockMode mode, bool encrypt, ByteView in, std::uint8_t* out) {
  if (in.size() % block_size_ != 0) {
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

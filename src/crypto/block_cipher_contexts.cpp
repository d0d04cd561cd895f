#include "crypto/block_cipher_contexts.hpp"

#include <limits>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto::detail {

BlockCipherContexts::BlockCipherContexts(const char* name, std::size_t block_size, ByteView key, CipherLookup cipher)
    : name_(name), block_size_(block_size), key_(key), cipher_(cipher) {}

EVP_CIPHER_CTX* BlockCipherContexts::context(BlockMode mode, bool encrypt) {
  auto& ctx = contexts_[(mode == BlockMode::cbc ? 2 : 0) + (encrypt ? 1 : 0)];
  if (ctx) return ctx.get();
  CipherCtx fresh(EVP_CIPHER_CTX_new());
  if (!fresh) throw_openssl("EVP_CIPHER_CTX_new");
  if (EVP_CipherInit_ex2(fresh.get(), cipher_(mode, key_.size()), key_.data(), nullptr, encrypt ? 1 : 0, nullptr) !=
      1) {
    throw_openssl(std::string(name_) + " init");
  }
  EVP_CIPHER_CTX_set_padding(fresh.get(), 0);
  ctx = std::move(fresh);
  return ctx.get();
}

void BlockCipherContexts::begin(BlockMode mode, bool encrypt, const std::uint8_t* iv) {
  // Re-initialising with only an IV keeps the expanded key (no key schedule per call).
  if (EVP_CipherInit_ex2(context(mode, encrypt), nullptr, nullptr, iv, encrypt ? 1 : 0, nullptr) != 1) {
    throw_openssl(std::string(name_) + " re-init");
  }
}

void BlockCipherContexts::proceed(BlockMode mode, bool encrypt, ByteView in, std::uint8_t* out) {
  if (in.size() % block_size_ != 0) {
    throw Error(Errc::invalid_argument, std::string(name_) + ": input of " + std::to_string(in.size()) +
                                            " bytes is not a multiple of the block size");
  }
  if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(Errc::invalid_argument, std::string(name_) + ": input too large");
  }
  int written = 0;
  if (!in.empty() &&
      EVP_CipherUpdate(context(mode, encrypt), out, &written, in.data(), static_cast<int>(in.size())) != 1) {
    throw_openssl(std::string(name_) + " update");
  }
}

void BlockCipherContexts::run(BlockMode mode, bool encrypt, const std::uint8_t* iv, ByteView in, std::uint8_t* out) {
  // ECB keeps no state between whole-block calls, so its context is never re-initialised; CBC
  // starts a new chain from `iv`.
  if (mode == BlockMode::cbc) begin(mode, encrypt, iv);
  proceed(mode, encrypt, in, out);
}

}  // namespace sefleet::crypto::detail

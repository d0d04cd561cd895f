#include "crypto/cbc_mac.hpp"

#include <limits>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {
namespace {

const EVP_CIPHER* cbc_cipher(BlockCipherAlgorithm cipher, std::size_t key_size) {
  if (cipher == BlockCipherAlgorithm::aes) {
    if (!is_aes_key_size(key_size)) {
      throw Error(Errc::invalid_argument,
                  "AES CBC-MAC key must be 16, 24 or 32 bytes, got " + std::to_string(key_size));
    }
    return detail::aes_cipher("CBC", key_size);
  }
  return detail::des_cipher(detail::BlockMode::cbc, key_size);
}

}  // namespace

CbcMac::CbcMac(BlockCipherAlgorithm cipher, ByteView key, BlockPadding padding, ByteView iv)
    : block_(cipher == BlockCipherAlgorithm::aes ? kAesBlock : kDesBlock),
      padding_(padding),
      ctx_(EVP_CIPHER_CTX_new()) {
  const EVP_CIPHER* evp = cbc_cipher(cipher, key.size());
  if (!ctx_ || EVP_EncryptInit_ex2(ctx_.get(), evp, key.data(), nullptr, nullptr) != 1) {
    detail::throw_openssl("CBC-MAC init");
  }
  EVP_CIPHER_CTX_set_padding(ctx_.get(), 0);
  restart(iv);
}

void CbcMac::restart(ByteView iv) {
  if (!iv.empty() && iv.size() != block_) {
    throw Error(Errc::invalid_argument,
                "CBC-MAC: IV must be " + std::to_string(block_) + " bytes, got " + std::to_string(iv.size()));
  }
  iv_.assign(block_, 0x00);
  if (!iv.empty()) iv_.assign(iv.begin(), iv.end());
  reset();
}

void CbcMac::reset() {
  chain_ = iv_;
  // A new IV only: the key schedule stays, and any buffered partial block is dropped.
  if (EVP_EncryptInit_ex2(ctx_.get(), nullptr, nullptr, iv_.data(), nullptr) != 1) {
    detail::throw_openssl("CBC-MAC restart");
  }
  length_ = 0;
}

void CbcMac::feed(ByteView data) {
  if (data.empty()) return;
  if (data.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) - block_) {
    throw Error(Errc::invalid_argument, "CBC-MAC: input too large");
  }
  // OpenSSL keeps an incomplete block back until more data arrives; only whole cipher blocks come out.
  Bytes out(data.size() + block_);
  int written = 0;
  if (EVP_EncryptUpdate(ctx_.get(), out.data(), &written, data.data(), static_cast<int>(data.size())) != 1) {
    detail::throw_openssl("CBC-MAC update");
  }
  if (written > 0) {
    const auto end = out.begin() + written;
    chain_.assign(end - static_cast<std::ptrdiff_t>(block_), end);
  }
}

void CbcMac::update(ByteView data) {
  feed(data);
  length_ += data.size();
}

Bytes CbcMac::finish() {
  feed(padding_suffix(padding_, length_, block_));
  Bytes mac = chain_;
  reset();
  return mac;
}

Bytes CbcMac::compute(ByteView data) {
  reset();
  update(data);
  return finish();
}

namespace {

ByteView retail_key(ByteView key) {
  if (key.size() != 16 && key.size() != 24) {
    throw Error(Errc::invalid_argument, "retail MAC key must be 16 or 24 bytes, got " + std::to_string(key.size()));
  }
  return key;
}

}  // namespace

RetailMac::RetailMac(ByteView key, BlockPadding padding, ByteView iv)
    : chain_(BlockCipherAlgorithm::des, retail_key(key).first(8), padding, iv),
      k2_(key.subspan(8, 8)),
      last_key_(key.size() == 24 ? key.subspan(16, 8) : key.first(8)) {}

void RetailMac::restart(ByteView iv) {
  chain_.restart(iv);
}
void RetailMac::reset() {
  chain_.reset();
}
void RetailMac::update(ByteView data) {
  chain_.update(data);
}

Bytes RetailMac::finish() {
  Bytes block = chain_.finish();
  k2_.ecb_decrypt(block, block.data());
  last_key_.ecb_encrypt(block, block.data());
  return block;
}

Bytes RetailMac::compute(ByteView data) {
  reset();
  update(data);
  return finish();
}

}  // namespace sefleet::crypto

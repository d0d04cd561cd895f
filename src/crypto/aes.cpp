#include "crypto/aes.hpp"

#include "core/error.hpp"

namespace sefleet::crypto {

bool is_aes_key_size(std::size_t size) noexcept {
  return size == 16 || size == 24 || size == 32;
}

namespace {

const EVP_CIPHER* aes_mode_cipher(detail::BlockMode mode, std::size_t key_size) {
  return detail::aes_cipher(mode == detail::BlockMode::ecb ? "ECB" : "CBC", key_size);
}

ByteView checked_key(ByteView key) {
  if (!is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument, "AES key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  return key;
}

void check_iv(ByteView iv) {
  if (iv.size() != kAesBlock) throw Error(Errc::invalid_argument, "AES-CBC: IV must be 16 bytes");
}

}  // namespace

Aes::Aes(ByteView key) : contexts_("AES", kAesBlock, checked_key(key), aes_mode_cipher) {}

void Aes::encrypt_block(const std::uint8_t* in, std::uint8_t* out) {
  contexts_.run(detail::BlockMode::ecb, true, nullptr, {in, kAesBlock}, out);
}
void Aes::decrypt_block(const std::uint8_t* in, std::uint8_t* out) {
  contexts_.run(detail::BlockMode::ecb, false, nullptr, {in, kAesBlock}, out);
}
void Aes::ecb_encrypt(ByteView in, std::uint8_t* out) {
  contexts_.run(detail::BlockMode::ecb, true, nullptr, in, out);
}
void Aes::ecb_decrypt(ByteView in, std::uint8_t* out) {
  contexts_.run(detail::BlockMode::ecb, false, nullptr, in, out);
}

void Aes::cbc_encrypt(ByteView iv, ByteView in, std::uint8_t* out) {
  check_iv(iv);
  contexts_.run(detail::BlockMode::cbc, true, iv.data(), in, out);
}

void Aes::cbc_decrypt(ByteView iv, ByteView in, std::uint8_t* out) {
  check_iv(iv);
  contexts_.run(detail::BlockMode::cbc, false, iv.data(), in, out);
}

void Aes::cbc_encrypt_begin(ByteView iv) {
  check_iv(iv);
  contexts_.begin(detail::BlockMode::cbc, true, iv.data());
}

void Aes::cbc_encrypt_continue(ByteView in, std::uint8_t* out) {
  contexts_.proceed(detail::BlockMode::cbc, true, in, out);
}

void Aes::cbc_decrypt_begin(ByteView iv) {
  check_iv(iv);
  contexts_.begin(detail::BlockMode::cbc, false, iv.data());
}

void Aes::cbc_decrypt_continue(ByteView in, std::uint8_t* out) {
  contexts_.proceed(detail::BlockMode::cbc, false, in, out);
}

Bytes Aes::ecb_encrypt(ByteView in) {
  Bytes out(in.size());
  ecb_encrypt(in, out.data());
  return out;
}

Bytes Aes::ecb_decrypt(ByteView in) {
  Bytes out(in.size());
  ecb_decrypt(in, out.data());
  return out;
}

Bytes Aes::cbc_encrypt(ByteView iv, ByteView in) {
  Bytes out(in.size());
  cbc_encrypt(iv, in, out.data());
  return out;
}

Bytes Aes::cbc_decrypt(ByteView iv, ByteView in) {
  Bytes out(in.size());
  cbc_decrypt(iv, in, out.data());
  return out;
}

void pad80_in_place(Bytes& data, std::size_t block) {
  data.push_back(0x80);
  while (data.size() % block != 0) {
    data.push_back(0x00);
  }
}

Bytes pad80(ByteView data, std::size_t block) {
  Bytes out;
  out.reserve(data.size() + block);
  out.assign(data.begin(), data.end());
  pad80_in_place(out, block);
  return out;
}

std::optional<std::size_t> unpadded_size(ByteView data, PaddingPolicy policy, std::size_t block, std::string* reason) {
  const auto refuse = [&](const std::string& why) -> std::optional<std::size_t> {
    if (reason != nullptr) *reason = why;
    return std::nullopt;
  };
  if (data.empty() || data.size() % block != 0) {
    return refuse("padding: length " + std::to_string(data.size()) + " is not a positive multiple of " +
                  std::to_string(block));
  }
  std::size_t i = data.size();
  while (i > 0 && data[i - 1] == 0x00) {
    --i;
  }
  if (i == 0 || data[i - 1] != 0x80) {
    return refuse("padding: no 80 marker before the trailing zeros");
  }
  const std::size_t pad_length = data.size() - (i - 1);
  if (policy == PaddingPolicy::strict && pad_length > block) {
    return refuse("padding: " + std::to_string(pad_length) + " padding bytes exceed one block (non-minimal padding)");
  }
  return i - 1;
}

Bytes unpad80(ByteView data, PaddingPolicy policy, std::size_t block) {
  std::string reason;
  const auto size = unpadded_size(data, policy, block, &reason);
  if (!size) throw Error(Errc::integrity_error, reason);
  return Bytes(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(*size));
}

}  // namespace sefleet::crypto

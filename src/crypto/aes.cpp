#include "crypto/aes.hpp"

#include <limits>

#include "core/error.hpp"

namespace sefleet::crypto {

bool is_aes_key_size(std::size_t size) noexcept { return size == 16 || size == 24 || size == 32; }

Aes::Aes(ByteView key) : key_(key) {
  if (!is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument, "AES key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
}

EVP_CIPHER_CTX* Aes::context(Slot slot) {
  auto& ctx = contexts_[slot];
  if (ctx) {
    return ctx.get();
  }
  detail::CipherCtx fresh(EVP_CIPHER_CTX_new());
  if (!fresh) detail::throw_openssl("EVP_CIPHER_CTX_new");
  const bool ecb = slot == kEcbEncrypt || slot == kEcbDecrypt;
  const int encrypt = (slot == kEcbEncrypt || slot == kCbcEncrypt) ? 1 : 0;
  const EVP_CIPHER* cipher = detail::aes_cipher(ecb ? "ECB" : "CBC", key_.size());
  if (EVP_CipherInit_ex2(fresh.get(), cipher, key_.data(), nullptr, encrypt, nullptr) != 1) {
    detail::throw_openssl("AES init");
  }
  EVP_CIPHER_CTX_set_padding(fresh.get(), 0);
  ctx = std::move(fresh);
  return ctx.get();
}

void Aes::restart(Slot slot, const std::uint8_t* iv) {
  EVP_CIPHER_CTX* ctx = context(slot);
  // Re-initialising with only an IV keeps the expanded key (no key schedule per call).
  const int encrypt = (slot == kEcbEncrypt || slot == kCbcEncrypt) ? 1 : 0;
  if (EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, encrypt, nullptr) != 1) {
    detail::throw_openssl("AES re-init");
  }
}

void Aes::proceed(Slot slot, ByteView in, std::uint8_t* out) {
  if (in.size() % kAesBlock != 0) {
    throw Error(Errc::invalid_argument, "AES: input of " + std::to_string(in.size()) +
                                            " bytes is not a multiple of the block size");
  }
  if (in.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(Errc::invalid_argument, "AES: input too large");
  }
  int written = 0;
  if (!in.empty() && EVP_CipherUpdate(context(slot), out, &written, in.data(), static_cast<int>(in.size())) != 1) {
    detail::throw_openssl("AES update");
  }
}

void Aes::run(Slot slot, const std::uint8_t* iv, ByteView in, std::uint8_t* out) {
  // ECB keeps no state between whole-block calls, so its context is never re-initialised; CBC
  // starts a new chain from `iv`.
  if (slot == kCbcEncrypt || slot == kCbcDecrypt) restart(slot, iv);
  proceed(slot, in, out);
}

void Aes::encrypt_block(const std::uint8_t* in, std::uint8_t* out) { run(kEcbEncrypt, nullptr, {in, kAesBlock}, out); }
void Aes::decrypt_block(const std::uint8_t* in, std::uint8_t* out) { run(kEcbDecrypt, nullptr, {in, kAesBlock}, out); }
void Aes::ecb_encrypt(ByteView in, std::uint8_t* out) { run(kEcbEncrypt, nullptr, in, out); }
void Aes::ecb_decrypt(ByteView in, std::uint8_t* out) { run(kEcbDecrypt, nullptr, in, out); }

void Aes::cbc_encrypt(ByteView iv, ByteView in, std::uint8_t* out) {
  if (iv.size() != kAesBlock) throw Error(Errc::invalid_argument, "AES-CBC: IV must be 16 bytes");
  run(kCbcEncrypt, iv.data(), in, out);
}

void Aes::cbc_decrypt(ByteView iv, ByteView in, std::uint8_t* out) {
  if (iv.size() != kAesBlock) throw Error(Errc::invalid_argument, "AES-CBC: IV must be 16 bytes");
  run(kCbcDecrypt, iv.data(), in, out);
}

void Aes::cbc_encrypt_begin(ByteView iv) {
  if (iv.size() != kAesBlock) throw Error(Errc::invalid_argument, "AES-CBC: IV must be 16 bytes");
  restart(kCbcEncrypt, iv.data());
}

void Aes::cbc_encrypt_continue(ByteView in, std::uint8_t* out) { proceed(kCbcEncrypt, in, out); }

void Aes::cbc_decrypt_begin(ByteView iv) {
  if (iv.size() != kAesBlock) throw Error(Errc::invalid_argument, "AES-CBC: IV must be 16 bytes");
  restart(kCbcDecrypt, iv.data());
}

void Aes::cbc_decrypt_continue(ByteView in, std::uint8_t* out) { proceed(kCbcDecrypt, in, out); }

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

std::optional<std::size_t> unpadded_size(ByteView data, PaddingPolicy policy, std::size_t block,
                                         std::string* reason) {
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

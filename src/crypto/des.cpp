#include "crypto/des.hpp"

#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {

bool is_des_key_size(std::size_t size) noexcept {
  return size == 8 || size == 16 || size == 24;
}

namespace detail {

const EVP_CIPHER* des_cipher(BlockMode mode, std::size_t key_size) {
  const bool ecb = mode == BlockMode::ecb;
  if (key_size == 8) return legacy_cipher_by_name(ecb ? "DES-ECB" : "DES-CBC");
  if (key_size == 16) return cipher_by_name(ecb ? "DES-EDE-ECB" : "DES-EDE-CBC");
  if (key_size == 24) return cipher_by_name(ecb ? "DES-EDE3-ECB" : "DES-EDE3-CBC");
  throw Error(Errc::invalid_argument, "DES key must be 8, 16 or 24 bytes, got " + std::to_string(key_size));
}

}  // namespace detail

namespace {

ByteView checked_key(ByteView key) {
  // Looking the cipher up now reports a missing legacy provider (single DES) at construction.
  (void)detail::des_cipher(detail::BlockMode::ecb, key.size());
  return key;
}

const char* label(std::size_t key_size) {
  return key_size == 8 ? "DES" : "3DES";
}

void check_iv(ByteView iv) {
  if (iv.size() != kDesBlock) {
    throw Error(Errc::invalid_argument, "DES-CBC: IV must be 8 bytes, got " + std::to_string(iv.size()));
  }
}

}  // namespace

Des::Des(ByteView key) : contexts_(label(key.size()), kDesBlock, checked_key(key), detail::des_cipher) {}

void Des::ecb_encrypt(ByteView in, std::uint8_t* out) {
  contexts_.run(detail::BlockMode::ecb, true, nullptr, in, out);
}
void Des::ecb_decrypt(ByteView in, std::uint8_t* out) {
  contexts_.run(detail::BlockMode::ecb, false, nullptr, in, out);
}

void Des::cbc_encrypt(ByteView iv, ByteView in, std::uint8_t* out) {
  check_iv(iv);
  contexts_.run(detail::BlockMode::cbc, true, iv.data(), in, out);
}

void Des::cbc_decrypt(ByteView iv, ByteView in, std::uint8_t* out) {
  check_iv(iv);
  contexts_.run(detail::BlockMode::cbc, false, iv.data(), in, out);
}

Bytes Des::ecb_encrypt(ByteView in) {
  Bytes out(in.size());
  ecb_encrypt(in, out.data());
  return out;
}

Bytes Des::ecb_decrypt(ByteView in) {
  Bytes out(in.size());
  ecb_decrypt(in, out.data());
  return out;
}

Bytes Des::cbc_encrypt(ByteView iv, ByteView in) {
  Bytes out(in.size());
  cbc_encrypt(iv, in, out.data());
  return out;
}

Bytes Des::cbc_decrypt(ByteView iv, ByteView in) {
  Bytes out(in.size());
  cbc_decrypt(iv, in, out.data());
  return out;
}

}  // namespace sefleet::crypto

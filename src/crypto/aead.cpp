#include "crypto/aead.hpp"

#include <openssl/err.h>

#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {
namespace {

detail::CipherCtx gcm_context(ByteView key, ByteView iv, bool encrypt) {
  if (!is_aes_key_size(key.size())) throw Error(Errc::invalid_argument, "AES-GCM: bad key size");
  if (iv.size() != kGcmIvSize) throw Error(Errc::invalid_argument, "AES-GCM: IV must be 12 bytes");
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), detail::aes_cipher("GCM", key.size()), key.data(), iv.data(),
                                 encrypt ? 1 : 0, nullptr) != 1) {
    detail::throw_openssl("AES-GCM init");
  }
  return ctx;
}

}  // namespace

Bytes aes_gcm_encrypt(ByteView key, ByteView iv, ByteView aad, ByteView plaintext) {
  auto ctx = gcm_context(key, iv, true);
  int written = 0;
  if (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &written, aad.data(), static_cast<int>(aad.size())) != 1) {
    detail::throw_openssl("AES-GCM aad");
  }
  Bytes out(plaintext.size() + kGcmTagSize);
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(), static_cast<int>(plaintext.size())) != 1) {
    detail::throw_openssl("AES-GCM encrypt");
  }
  int final_length = 0;
  if (EVP_EncryptFinal_ex(ctx.get(), out.data() + plaintext.size(), &final_length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, kGcmTagSize, out.data() + plaintext.size()) != 1) {
    detail::throw_openssl("AES-GCM final");
  }
  return out;
}

SecretBytes aes_gcm_decrypt(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext_and_tag) {
  if (ciphertext_and_tag.size() < kGcmTagSize) {
    throw Error(Errc::integrity_error, "AES-GCM: input shorter than the tag");
  }
  auto ctx = gcm_context(key, iv, false);
  const std::size_t length = ciphertext_and_tag.size() - kGcmTagSize;
  int written = 0;
  if (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &written, aad.data(), static_cast<int>(aad.size())) != 1) {
    detail::throw_openssl("AES-GCM aad");
  }
  SecretBytes out(length);
  if (length != 0 &&
      EVP_DecryptUpdate(ctx.get(), out.data(), &written, ciphertext_and_tag.data(), static_cast<int>(length)) != 1) {
    detail::throw_openssl("AES-GCM decrypt");
  }
  Bytes tag(ciphertext_and_tag.begin() + static_cast<std::ptrdiff_t>(length), ciphertext_and_tag.end());
  int final_length = 0;
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, kGcmTagSize, tag.data()) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), out.data() + length, &final_length) != 1) {
    ERR_clear_error();
    throw Error(Errc::integrity_error, "AES-GCM: authentication failed (wrong key or altered data)");
  }
  return out;
}

}  // namespace sefleet::crypto

#include "crypto/keywrap.hpp"

#include <openssl/err.h>

#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {
namespace {

void check_kek(ByteView kek) {
  if (!is_aes_key_size(kek.size())) {
    throw Error(Errc::invalid_argument, "AES-KW: KEK must be 16, 24 or 32 bytes");
  }
}

}  // namespace

Bytes aes_key_wrap(ByteView kek, ByteView plaintext) {
  check_kek(kek);
  if (plaintext.size() < 16 || plaintext.size() % 8 != 0) {
    throw Error(Errc::invalid_argument,
                "AES-KW: key data must be a multiple of 8 bytes, at least 16; got " + std::to_string(plaintext.size()));
  }
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_EncryptInit_ex2(ctx.get(), detail::aes_cipher("WRAP", kek.size()), kek.data(), nullptr, nullptr) != 1) {
    detail::throw_openssl("AES-KW init");
  }
  Bytes out(plaintext.size() + 8);
  int written = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(), static_cast<int>(plaintext.size())) != 1 ||
      static_cast<std::size_t>(written) != out.size()) {
    detail::throw_openssl("AES-KW wrap");
  }
  return out;
}

SecretBytes aes_key_unwrap(ByteView kek, ByteView wrapped) {
  check_kek(kek);
  if (wrapped.size() < 24 || wrapped.size() % 8 != 0) {
    throw Error(Errc::integrity_error, "AES-KW: wrapped data must be a multiple of 8 bytes, at least 24; got " +
                                           std::to_string(wrapped.size()));
  }
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_DecryptInit_ex2(ctx.get(), detail::aes_cipher("WRAP", kek.size()), kek.data(), nullptr, nullptr) != 1) {
    detail::throw_openssl("AES-KW init");
  }
  SecretBytes out(wrapped.size());
  int written = 0;
  if (EVP_DecryptUpdate(ctx.get(), out.data(), &written, wrapped.data(), static_cast<int>(wrapped.size())) != 1 ||
      static_cast<std::size_t>(written) != wrapped.size() - 8) {
    ERR_clear_error();
    throw Error(Errc::integrity_error, "AES-KW: unwrap failed (wrong key or altered data)");
  }
  out.resize(static_cast<std::size_t>(written));
  return out;
}

}  // namespace sefleet::crypto

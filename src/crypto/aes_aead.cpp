#include "crypto/aes_aead.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <limits>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {
namespace {

constexpr std::size_t kGcmMaxNonce = 128;

int int_size(std::size_t size) {
  if (size > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw Error(Errc::invalid_argument, "AES AEAD: input too long");
  }
  return static_cast<int>(size);
}

// A context of AES-`mode` for `key` and `nonce` (its length set first); `tag_size` > 0 sets CCM's tag length.
detail::CipherCtx aead_context(const char* mode, ByteView key, ByteView nonce, bool encrypt, std::size_t tag_size) {
  if (!is_aes_key_size(key.size())) {
    throw Error(Errc::invalid_argument, std::string("AES-") + mode + ": bad key size " + std::to_string(key.size()));
  }
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  std::size_t nonce_size = nonce.size();
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &nonce_size),
                               OSSL_PARAM_construct_end()};
  if (!ctx || EVP_CipherInit_ex2(ctx.get(), detail::aes_cipher(mode, key.size()), nullptr, nullptr, encrypt ? 1 : 0,
                                 params) != 1) {
    detail::throw_openssl(std::string("AES-") + mode + " init");
  }
  if (tag_size != 0 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(tag_size), nullptr) != 1) {
    detail::throw_openssl("AES-CCM tag length");
  }
  if (EVP_CipherInit_ex2(ctx.get(), nullptr, key.data(), nonce.data(), encrypt ? 1 : 0, nullptr) != 1) {
    detail::throw_openssl(std::string("AES-") + mode + " key and nonce");
  }
  return ctx;
}

void check_ccm_sizes(ByteView nonce, std::size_t tag_size, std::size_t length) {
  if (nonce.size() < 7 || nonce.size() > 13) {
    throw Error(Errc::invalid_argument,
                "AES-CCM: the nonce must be 7 to 13 bytes, not " + std::to_string(nonce.size()));
  }
  if (tag_size < 4 || tag_size > kAeadMaxTagSize || tag_size % 2 != 0) {
    throw Error(Errc::invalid_argument,
                "AES-CCM: the tag must be 4 to 16 bytes and even, not " + std::to_string(tag_size));
  }
  const std::size_t q = 15 - nonce.size();  // bytes of the message length field
  if (q < sizeof(std::size_t) && (length >> (8 * q)) != 0) {
    throw Error(Errc::invalid_argument,
                "AES-CCM: the message is too long for a " + std::to_string(nonce.size()) + "-byte nonce");
  }
}

}  // namespace

AesGcmStream::AesGcmStream(ByteView key, ByteView nonce, bool encrypt) : encrypt_(encrypt) {
  if (nonce.empty() || nonce.size() > kGcmMaxNonce) {
    throw Error(Errc::invalid_argument,
                "AES-GCM: the nonce must be 1 to 128 bytes, not " + std::to_string(nonce.size()));
  }
  ctx_ = aead_context("GCM", key, nonce, encrypt, 0);
}

void AesGcmStream::add_aad(ByteView aad) {
  if (data_started_) throw Error(Errc::invalid_argument, "AES-GCM: associated data after the message");
  int written = 0;
  if (!aad.empty() && EVP_CipherUpdate(ctx_.get(), nullptr, &written, aad.data(), int_size(aad.size())) != 1) {
    detail::throw_openssl("AES-GCM associated data");
  }
}

Bytes AesGcmStream::update(ByteView in) {
  data_started_ = true;
  Bytes out(in.size());
  int written = 0;
  if (!in.empty() && EVP_CipherUpdate(ctx_.get(), out.data(), &written, in.data(), int_size(in.size())) != 1) {
    detail::throw_openssl("AES-GCM update");
  }
  out.resize(static_cast<std::size_t>(written));
  return out;
}

Bytes AesGcmStream::finish_encryption() {
  if (!encrypt_) throw Error(Errc::invalid_argument, "AES-GCM: a decryption has no tag to hand out");
  int written = 0;
  Bytes tag(kAeadMaxTagSize);
  if (EVP_EncryptFinal_ex(ctx_.get(), tag.data(), &written) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx_.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag.size()), tag.data()) != 1) {
    detail::throw_openssl("AES-GCM final");
  }
  return tag;
}

bool AesGcmStream::verify(ByteView tag) const {
  if (encrypt_) throw Error(Errc::invalid_argument, "AES-GCM: an encryption checks no tag");
  if (tag.empty() || tag.size() > kAeadMaxTagSize) return false;
  // OpenSSL checks the tag in the final step, which ends the context: finish a copy.
  detail::CipherCtx copy(EVP_CIPHER_CTX_new());
  if (!copy || EVP_CIPHER_CTX_copy(copy.get(), ctx_.get()) != 1) detail::throw_openssl("AES-GCM copy");
  Bytes expected(tag.begin(), tag.end());
  std::uint8_t none[kAeadMaxTagSize];
  int written = 0;
  const bool ok =
      EVP_CIPHER_CTX_ctrl(copy.get(), EVP_CTRL_AEAD_SET_TAG, static_cast<int>(expected.size()), expected.data()) == 1 &&
      EVP_DecryptFinal_ex(copy.get(), none, &written) == 1;
  ERR_clear_error();
  return ok;
}

AesCcmOutput aes_ccm_encrypt(ByteView key, ByteView nonce, ByteView aad, ByteView in, std::size_t tag_size) {
  check_ccm_sizes(nonce, tag_size, in.size());
  auto ctx = aead_context("CCM", key, nonce, true, tag_size);
  int written = 0;
  // CCM's first block holds the message length: it is given before anything else.
  if (EVP_EncryptUpdate(ctx.get(), nullptr, &written, nullptr, int_size(in.size())) != 1 ||
      (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &written, aad.data(), int_size(aad.size())) != 1)) {
    detail::throw_openssl("AES-CCM lengths and associated data");
  }
  AesCcmOutput out;
  out.data.resize(in.size());
  // An empty message still goes through this step (it computes the tag): with non-null pointers,
  // since a null input is how OpenSSL is given the length.
  std::uint8_t empty = 0;
  if (EVP_EncryptUpdate(ctx.get(), in.empty() ? &empty : out.data.data(), &written, in.empty() ? &empty : in.data(),
                        int_size(in.size())) != 1) {
    detail::throw_openssl("AES-CCM encrypt");
  }
  out.tag.resize(tag_size);
  std::uint8_t final_out[kAeadMaxTagSize];
  if (EVP_EncryptFinal_ex(ctx.get(), final_out, &written) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_AEAD_GET_TAG, static_cast<int>(tag_size), out.tag.data()) != 1) {
    detail::throw_openssl("AES-CCM final");
  }
  return out;
}

AesCcmOutput aes_ccm_decrypt_unchecked(ByteView key, ByteView nonce, ByteView aad, ByteView in, std::size_t tag_size) {
  AesCcmOutput out;
  out.data = aes_ccm_encrypt(key, nonce, aad, in, tag_size).data;
  out.tag = aes_ccm_encrypt(key, nonce, aad, out.data, tag_size).tag;
  return out;
}

}  // namespace sefleet::crypto

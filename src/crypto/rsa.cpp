#include "crypto/rsa.hpp"

#include <openssl/err.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <string>

#include "core/error.hpp"

namespace sefleet::crypto {
namespace {

enum class Operation { encrypt, decrypt, sign, verify, verify_recover };

// A context for one operation on `key` with `padding` (RSA_NO_PADDING, RSA_PKCS1_PADDING, ...).
detail::PkeyCtx context(EVP_PKEY* key, Operation operation, int padding, const char* what) {
  detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!ctx) detail::throw_openssl(std::string(what) + ": context");
  int ok = 0;
  switch (operation) {
    case Operation::encrypt:
      ok = EVP_PKEY_encrypt_init(ctx.get());
      break;
    case Operation::decrypt:
      ok = EVP_PKEY_decrypt_init(ctx.get());
      break;
    case Operation::sign:
      ok = EVP_PKEY_sign_init(ctx.get());
      break;
    case Operation::verify:
      ok = EVP_PKEY_verify_init(ctx.get());
      break;
    case Operation::verify_recover:
      ok = EVP_PKEY_verify_recover_init(ctx.get());
      break;
  }
  if (ok != 1 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), padding) != 1) {
    detail::throw_openssl(std::string(what) + ": init");
  }
  return ctx;
}

// PSS signatures get a salt as long as the digest; verification takes the salt length from the encoding.
void set_signature_digest(EVP_PKEY_CTX* ctx, RsaSignaturePadding padding, DigestAlgorithm digest, bool signing) {
  const EVP_MD* md = detail::evp_digest(digest);
  if (EVP_PKEY_CTX_set_signature_md(ctx, md) != 1) detail::throw_openssl("RSA signature digest");
  const int salt_length = signing ? RSA_PSS_SALTLEN_DIGEST : RSA_PSS_SALTLEN_AUTO;
  if (padding == RsaSignaturePadding::pss &&
      (EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1 || EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, salt_length) != 1)) {
    detail::throw_openssl("RSA-PSS parameters");
  }
}

int padding_mode(RsaSignaturePadding padding) {
  return padding == RsaSignaturePadding::pss ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING;
}

void set_oaep_digest(EVP_PKEY_CTX* ctx, DigestAlgorithm digest) {
  const EVP_MD* md = detail::evp_digest(digest);
  if (EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) != 1 || EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) != 1) {
    detail::throw_openssl("RSA-OAEP parameters");
  }
}

// Runs a two-call EVP operation (size query, then output) and trims the output to what it wrote.
template <typename Call>
Bytes run(EVP_PKEY_CTX* ctx, Call call, ByteView input, const char* what) {
  std::size_t length = 0;
  if (call(ctx, nullptr, &length, input.data(), input.size()) != 1) detail::throw_openssl(what);
  Bytes out(length);
  if (call(ctx, out.data(), &length, input.data(), input.size()) != 1) detail::throw_openssl(what);
  out.resize(length);
  return out;
}

void check_block(std::size_t key_size, ByteView input, const char* what) {
  if (input.size() != key_size) {
    throw Error(Errc::invalid_argument, std::string(what) + ": input must be " + std::to_string(key_size) +
                                            " bytes (the modulus length), got " + std::to_string(input.size()));
  }
}

void check_below_modulus(ByteView input, ByteView modulus, const char* what) {
  // Same lengths: big-endian byte strings compare like the numbers.
  if (!std::lexicographical_compare(input.begin(), input.end(), modulus.begin(), modulus.end())) {
    throw Error(Errc::invalid_argument, std::string(what) + ": input is not less than the modulus");
  }
}

void check_fits(std::size_t key_size, std::size_t overhead, ByteView data, const char* what) {
  if (data.size() + overhead > key_size) {
    throw Error(Errc::invalid_argument, std::string(what) + ": at most " + std::to_string(key_size - overhead) +
                                            " bytes fit, got " + std::to_string(data.size()));
  }
}

void check_hash(DigestAlgorithm digest, ByteView hash) {
  if (hash.size() != digest_size(digest)) {
    throw Error(Errc::invalid_argument, "RSA signature: a " + std::string(digest_name(digest)) + " hash is " +
                                            std::to_string(digest_size(digest)) + " bytes, got " +
                                            std::to_string(hash.size()));
  }
}

}  // namespace

Bytes rsa_public_raw(const RsaPublicKey& key, ByteView input) {
  check_block(key.size(), input, "raw RSA");
  check_below_modulus(input, key.modulus(), "raw RSA");
  auto ctx = context(key.handle(), Operation::encrypt, RSA_NO_PADDING, "raw RSA");
  return run(ctx.get(), EVP_PKEY_encrypt, input, "raw RSA public operation");
}

SecretBytes rsa_private_raw(const RsaPrivateKey& key, ByteView input) {
  check_block(key.size(), input, "raw RSA");
  check_below_modulus(input, key.modulus(), "raw RSA");
  auto ctx = context(key.handle(), Operation::decrypt, RSA_NO_PADDING, "raw RSA");
  Bytes out = run(ctx.get(), EVP_PKEY_decrypt, input, "raw RSA private operation");
  return SecretBytes::take(out);
}

Bytes rsa_sign(const RsaPrivateKey& key, RsaSignaturePadding padding, DigestAlgorithm digest_algorithm,
               ByteView message) {
  return rsa_sign_hash(key, padding, digest_algorithm, digest(digest_algorithm, message));
}

Bytes rsa_sign_hash(const RsaPrivateKey& key, RsaSignaturePadding padding, DigestAlgorithm digest, ByteView hash) {
  check_hash(digest, hash);
  auto ctx = context(key.handle(), Operation::sign, padding_mode(padding), "RSA signature");
  set_signature_digest(ctx.get(), padding, digest, true);
  return run(ctx.get(), EVP_PKEY_sign, hash, "RSA signature");
}

bool rsa_verify(const RsaPublicKey& key, RsaSignaturePadding padding, DigestAlgorithm digest_algorithm,
                ByteView message, ByteView signature) {
  return rsa_verify_hash(key, padding, digest_algorithm, digest(digest_algorithm, message), signature);
}

bool rsa_verify_hash(const RsaPublicKey& key, RsaSignaturePadding padding, DigestAlgorithm digest, ByteView hash,
                     ByteView signature) {
  check_hash(digest, hash);
  if (signature.size() != key.size()) return false;
  auto ctx = context(key.handle(), Operation::verify, padding_mode(padding), "RSA verification");
  set_signature_digest(ctx.get(), padding, digest, false);
  const int ok = EVP_PKEY_verify(ctx.get(), signature.data(), signature.size(), hash.data(), hash.size());
  ERR_clear_error();
  return ok == 1;
}

Bytes rsa_pkcs1_type1_encrypt(const RsaPrivateKey& key, ByteView data) {
  check_fits(key.size(), 11, data, "RSA PKCS#1 type-1 block");
  // A signing context without a digest pads the data as it is (RSA_private_encrypt of PKCS#1 v1.5).
  auto ctx = context(key.handle(), Operation::sign, RSA_PKCS1_PADDING, "RSA PKCS#1 type-1 block");
  return run(ctx.get(), EVP_PKEY_sign, data, "RSA PKCS#1 type-1 block");
}

std::optional<Bytes> rsa_pkcs1_type1_recover(const RsaPublicKey& key, ByteView block) {
  if (block.size() != key.size()) return std::nullopt;
  auto ctx = context(key.handle(), Operation::verify_recover, RSA_PKCS1_PADDING, "RSA PKCS#1 type-1 recovery");
  Bytes out(key.size());
  std::size_t length = out.size();
  const int ok = EVP_PKEY_verify_recover(ctx.get(), out.data(), &length, block.data(), block.size());
  ERR_clear_error();
  if (ok != 1) return std::nullopt;
  out.resize(length);
  return out;
}

Bytes rsa_pkcs1_encrypt(const RsaPublicKey& key, ByteView data) {
  check_fits(key.size(), 11, data, "RSA PKCS#1 encryption");
  auto ctx = context(key.handle(), Operation::encrypt, RSA_PKCS1_PADDING, "RSA PKCS#1 encryption");
  return run(ctx.get(), EVP_PKEY_encrypt, data, "RSA PKCS#1 encryption");
}

namespace {

SecretBytes decrypt_checked(EVP_PKEY_CTX* ctx, std::size_t key_size, ByteView ciphertext, const char* what) {
  check_block(key_size, ciphertext, what);
  Bytes out(key_size);
  std::size_t length = out.size();
  if (EVP_PKEY_decrypt(ctx, out.data(), &length, ciphertext.data(), ciphertext.size()) != 1) {
    ERR_clear_error();
    secure_zero(out.data(), out.size());
    throw Error(Errc::integrity_error, std::string(what) + ": the padding does not check");
  }
  out.resize(length);
  return SecretBytes::take(out);
}

}  // namespace

SecretBytes rsa_pkcs1_decrypt(const RsaPrivateKey& key, ByteView ciphertext) {
  auto ctx = context(key.handle(), Operation::decrypt, RSA_PKCS1_PADDING, "RSA PKCS#1 decryption");
  return decrypt_checked(ctx.get(), key.size(), ciphertext, "RSA PKCS#1 decryption");
}

Bytes rsa_oaep_encrypt(const RsaPublicKey& key, DigestAlgorithm digest, ByteView data) {
  const std::size_t overhead = 2 * digest_size(digest) + 2;
  if (key.size() < overhead) {
    throw Error(Errc::invalid_argument, "RSA-OAEP encryption: a " + std::to_string(key.bits()) +
                                            "-bit key is too short for " + std::string(digest_name(digest)));
  }
  check_fits(key.size(), overhead, data, "RSA-OAEP encryption");
  auto ctx = context(key.handle(), Operation::encrypt, RSA_PKCS1_OAEP_PADDING, "RSA-OAEP encryption");
  set_oaep_digest(ctx.get(), digest);
  return run(ctx.get(), EVP_PKEY_encrypt, data, "RSA-OAEP encryption");
}

SecretBytes rsa_oaep_decrypt(const RsaPrivateKey& key, DigestAlgorithm digest, ByteView ciphertext) {
  auto ctx = context(key.handle(), Operation::decrypt, RSA_PKCS1_OAEP_PADDING, "RSA-OAEP decryption");
  set_oaep_digest(ctx.get(), digest);
  return decrypt_checked(ctx.get(), key.size(), ciphertext, "RSA-OAEP decryption");
}

}  // namespace sefleet::crypto

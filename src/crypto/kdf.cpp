#include "crypto/kdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {
namespace {

// OSSL_PARAM wants non-const pointers even for inputs; OpenSSL does not write through them.
void* input(ByteView data) {
  return const_cast<std::uint8_t*>(data.data());  // NOLINT(cppcoreguidelines-pro-type-const-cast)
}

SecretBytes derive(const char* algorithm, std::vector<OSSL_PARAM> params, std::size_t length) {
  if (length == 0) {
    throw Error(Errc::invalid_argument, std::string(algorithm) + ": output length must be positive");
  }
  params.push_back(OSSL_PARAM_construct_end());
  detail::KdfCtx ctx(EVP_KDF_CTX_new(detail::kdf_algorithm(algorithm)));
  if (!ctx) detail::throw_openssl(std::string(algorithm) + " context");
  SecretBytes out(length);
  if (EVP_KDF_derive(ctx.get(), out.data(), out.size(), params.data()) != 1) {
    detail::throw_openssl(std::string(algorithm) + " derive");
  }
  return out;
}

}  // namespace

SecretBytes hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  char digest[] = "SHA256";
  std::vector<OSSL_PARAM> params{
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, input(ikm), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, input(info), info.size()),
  };
  if (!salt.empty()) {
    params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, input(salt), salt.size()));
  }
  return derive("HKDF", std::move(params), length);
}

SecretBytes x963_kdf_sha256(ByteView shared_secret, ByteView shared_info, std::size_t length) {
  char digest[] = "SHA256";
  std::vector<OSSL_PARAM> params{
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, input(shared_secret), shared_secret.size()),
  };
  if (!shared_info.empty()) {
    params.push_back(OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, input(shared_info), shared_info.size()));
  }
  return derive("X963KDF", std::move(params), length);
}

SecretBytes scrypt(ByteView passphrase, ByteView salt, const ScryptParams& params, std::size_t length) {
  std::uint64_t n = params.n;
  std::uint32_t r = params.r;
  std::uint32_t p = params.p;
  std::vector<OSSL_PARAM> list{
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, input(passphrase), passphrase.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, input(salt), salt.size()),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
  };
  return derive("SCRYPT", std::move(list), length);
}

}  // namespace sefleet::crypto

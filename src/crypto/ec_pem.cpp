#include "crypto/ec_pem.hpp"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>

#include "core/error.hpp"
#include "crypto/ec_curve.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {
namespace {

struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bio memory_bio(std::string_view text) {
  Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) detail::throw_openssl("PEM buffer");
  return bio;
}

// The passphrase callback for encrypted PEMs: there is none (no prompt on a terminal), so the read fails.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*rwflag*/, void* /*user*/) {
  return -1;
}

const EcCurve& p256() {
  static const EcCurve curve = EcCurve::named(NamedCurve::secp256r1);
  return curve;
}

void check_p256(EVP_PKEY* key, const std::string& what) {
  char group[64] = {};
  std::size_t length = 0;
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length) != 1 ||
      std::string_view(group, length) != "prime256v1") {
    throw Error(Errc::unsupported, what + " is not a P-256 (prime256v1) EC key");
  }
}

}  // namespace

bool looks_like_pem(std::string_view text) noexcept {
  return text.find("-----BEGIN ") != std::string_view::npos;
}

SecretBytes p256_private_scalar_from_pem(std::string_view pem) {
  Bio bio = memory_bio(pem);
  detail::Pkey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    ERR_clear_error();
    throw Error(Errc::parse_error, "not an unencrypted PEM private key (PRIVATE KEY or EC PRIVATE KEY)");
  }
  check_p256(key.get(), "the PEM private key");
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(key.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw) != 1) {
    detail::throw_openssl("reading the private scalar");
  }
  const detail::Bn scalar(raw);
  SecretBytes out(32);
  if (BN_bn2binpad(scalar.get(), out.data(), static_cast<int>(out.size())) != 32) {
    throw Error(Errc::parse_error, "the PEM private scalar does not fit 32 bytes");
  }
  return out;
}

Bytes p256_public_point_from_pem(std::string_view pem) {
  Bio bio = memory_bio(pem);
  detail::Pkey key(PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    ERR_clear_error();
    throw Error(Errc::parse_error, "not a PEM public key (PUBLIC KEY)");
  }
  check_p256(key.get(), "the PEM public key");
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, nullptr, 0, &length) != 1) {
    detail::throw_openssl("reading the public point");
  }
  Bytes encoded(length);
  if (EVP_PKEY_get_octet_string_param(key.get(), OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, encoded.data(), encoded.size(),
                                      &length) != 1) {
    detail::throw_openssl("reading the public point");
  }
  encoded.resize(length);
  return EcPublicKey::from_point(p256(), encoded).point();  // uncompressed, whatever the file used
}

std::string p256_public_key_pem(ByteView point) {
  const EcPublicKey key = EcPublicKey::from_point(p256(), point);
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.handle()) != 1) detail::throw_openssl("writing a PEM public key");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

std::vector<Bytes> pem_blocks_der(std::string_view pem, const std::string& label) {
  Bio bio = memory_bio(pem);
  std::vector<Bytes> blocks;
  while (true) {
    char* name = nullptr;
    char* header = nullptr;
    unsigned char* data = nullptr;
    long length = 0;
    if (PEM_read_bio(bio.get(), &name, &header, &data, &length) != 1) break;
    if (label == name) blocks.emplace_back(data, data + length);
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_clear_free(data, static_cast<std::size_t>(length));  // another block may hold a private key
  }
  ERR_clear_error();  // the end of the input is reported as an error
  if (blocks.empty()) throw Error(Errc::parse_error, "no PEM block '" + label + "'");
  return blocks;
}

}  // namespace sefleet::crypto

#include "crypto/x509_certificate.hpp"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/error.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {
namespace {

std::string name_text(const X509_NAME* name) {
  if (name == nullptr) return {};
  char buffer[256];
  X509_NAME_oneline(name, buffer, sizeof buffer);
  return buffer;
}

Bytes encode_der(X509* cert) {
  const int length = i2d_X509(cert, nullptr);
  if (length <= 0) detail::throw_openssl("X.509 encoding");
  Bytes der(static_cast<std::size_t>(length));
  unsigned char* out = der.data();
  if (i2d_X509(cert, &out) != length) detail::throw_openssl("X.509 encoding");
  return der;
}

}  // namespace

void X509Certificate::Free::operator()(X509* cert) const noexcept {
  X509_free(cert);
}

X509Certificate X509Certificate::from_der(ByteView der) {
  const unsigned char* in = der.data();
  X509* raw = der.empty() ? nullptr : d2i_X509(nullptr, &in, static_cast<long>(der.size()));
  if (raw == nullptr) {
    ERR_clear_error();
    throw Error(Errc::parse_error, "not a DER X.509 certificate");
  }
  std::shared_ptr<X509> cert(raw, Free{});
  if (in != der.data() + der.size()) {
    throw Error(Errc::parse_error,
                "X.509 certificate followed by " + std::to_string(der.data() + der.size() - in) + " extra bytes");
  }
  return X509Certificate(std::move(cert), Bytes(der.begin(), der.end()));
}

namespace {

bool add_key_usage(X509* cert, const std::string& key_usage) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> extension(
      X509V3_EXT_conf_nid(nullptr, &context, NID_key_usage, key_usage.c_str()), &X509_EXTENSION_free);
  return extension && X509_add_ext(cert, extension.get(), -1) == 1;
}

bool key_usage_allows(X509* cert, std::uint32_t usage) {
  if ((X509_get_extension_flags(cert) & EXFLAG_KUSAGE) == 0) return true;
  return (X509_get_key_usage(cert) & usage) != 0;
}

}  // namespace

X509Certificate X509Certificate::self_signed(const P256PrivateKey& key, const std::string& common_name, int days) {
  return issue(key.public_key(), common_name, key, common_name, days);
}

X509Certificate X509Certificate::issue(const P256PublicKey& subject, const std::string& subject_name,
                                       const P256PrivateKey& issuer_key, const std::string& issuer_name, int days,
                                       const std::string& key_usage) {
  std::shared_ptr<X509> cert(X509_new(), Free{});
  if (!cert) detail::throw_openssl("X509_new");
  unsigned char serial_bytes[16];
  if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) detail::throw_openssl("certificate serial");
  serial_bytes[0] &= 0x7F;  // a positive INTEGER
  detail::Bn serial(BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr));
  X509_NAME* subject_dn = X509_get_subject_name(cert.get());
  X509_NAME* issuer_dn = X509_get_issuer_name(cert.get());
  const auto* subject_cn = reinterpret_cast<const unsigned char*>(subject_name.c_str());
  const auto* issuer_cn = reinterpret_cast<const unsigned char*>(issuer_name.c_str());
  if (!serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * days) == nullptr ||
      X509_NAME_add_entry_by_txt(subject_dn, "CN", MBSTRING_UTF8, subject_cn, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(issuer_dn, "CN", MBSTRING_UTF8, issuer_cn, -1, -1, 0) != 1 ||
      X509_set_pubkey(cert.get(), subject.handle()) != 1 ||
      (!key_usage.empty() && !add_key_usage(cert.get(), key_usage)) ||
      X509_sign(cert.get(), issuer_key.handle(), EVP_sha256()) <= 0) {
    detail::throw_openssl("X.509 certificate");
  }
  Bytes der = encode_der(cert.get());
  return X509Certificate(std::move(cert), std::move(der));
}

Bytes X509Certificate::p256_public_key() const {
  EVP_PKEY* key = X509_get0_pubkey(cert_.get());
  char group[64] = {};
  std::size_t group_length = 0;
  if (key == nullptr || !EVP_PKEY_is_a(key, "EC") ||
      EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &group_length) != 1 ||
      std::string(group, group_length) != "prime256v1") {
    ERR_clear_error();
    throw Error(Errc::unsupported, "the certificate's key is not a P-256 key");
  }
  Bytes point(kP256PointSize);
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size(), &length) != 1 ||
      length != kP256PointSize || point[0] != 0x04) {
    ERR_clear_error();
    throw Error(Errc::unsupported, "the certificate's P-256 key is not an uncompressed point");
  }
  return point;
}

bool X509Certificate::signed_by(const P256PublicKey& issuer) const {
  const int result = X509_verify(cert_.get(), issuer.handle());
  ERR_clear_error();
  return result == 1;
}

bool X509Certificate::allows_key_agreement() const {
  return key_usage_allows(cert_.get(), KU_KEY_AGREEMENT);
}

bool X509Certificate::allows_certificate_signing() const {
  return key_usage_allows(cert_.get(), KU_KEY_CERT_SIGN);
}

Bytes X509Certificate::serial() const {
  const detail::Bn number(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert_.get()), nullptr));
  if (!number) detail::throw_openssl("certificate serial");
  Bytes out(static_cast<std::size_t>(BN_num_bytes(number.get())));
  if (!out.empty()) BN_bn2bin(number.get(), out.data());
  return out;
}

std::string X509Certificate::subject() const {
  return name_text(X509_get_subject_name(cert_.get()));
}

std::string X509Certificate::issuer() const {
  return name_text(X509_get_issuer_name(cert_.get()));
}

}  // namespace sefleet::crypto

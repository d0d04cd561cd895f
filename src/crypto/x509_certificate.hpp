// X.509 certificates (DER) with P-256 keys, over OpenSSL's X509: parsing, the subject key, the
// signature check against an issuer key, and a self-signed certificate for a freshly made key. Only
// what the SCP11 certificate store needs: no path building, no revocation, and no validity dates (a
// secure element has no trusted clock).
#pragma once

#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "crypto/p256.hpp"

typedef struct x509_st X509;  // NOLINT(modernize-use-using): OpenSSL's own spelling

namespace sefleet::crypto {

class X509Certificate {
 public:
  // Exactly one DER certificate; throws Error(Errc::parse_error) for anything else (trailing bytes too).
  static X509Certificate from_der(ByteView der);
  // A self-signed certificate of `key` (ECDSA with SHA-256), subject and issuer CN = `common_name`,
  // valid from now for `days`, with a random 16-byte serial number.
  static X509Certificate self_signed(const P256PrivateKey& key, const std::string& common_name, int days);
  // The same for `subject` (CN = `subject_name`) signed by `issuer_key` under the issuer CN `issuer_name`,
  // with a key usage extension when `key_usage` is given (OpenSSL's notation, e.g.
  // "critical,keyAgreement").
  static X509Certificate issue(const P256PublicKey& subject, const std::string& subject_name,
                               const P256PrivateKey& issuer_key, const std::string& issuer_name, int days,
                               const std::string& key_usage = {});

  const Bytes& der() const noexcept { return der_; }
  // The subject public key as an uncompressed P-256 point; Error(Errc::unsupported) for another key
  // type or curve.
  Bytes p256_public_key() const;
  // Whether the certificate's signature verifies under `issuer` (false for a wrong or malformed one).
  bool signed_by(const P256PublicKey& issuer) const;
  // What the key usage extension allows; without the extension every use is allowed (RFC 5280 §4.2.1.3).
  bool allows_key_agreement() const;
  bool allows_certificate_signing() const;
  // The serial number: the magnitude of the INTEGER, big-endian, without leading zero bytes.
  Bytes serial() const;
  // One-line distinguished names, for messages and `card info`.
  std::string subject() const;
  std::string issuer() const;

 private:
  struct Free {
    void operator()(X509* cert) const noexcept;
  };
  X509Certificate(std::shared_ptr<X509> cert, Bytes der) : cert_(std::move(cert)), der_(std::move(der)) {}
  std::shared_ptr<X509> cert_;
  Bytes der_;
};

}  // namespace sefleet::crypto

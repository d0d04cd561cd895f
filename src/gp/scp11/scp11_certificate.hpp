// The certificates of SCP11 (CERT.SD.ECKA, CERT.OCE.ECKA and the CA certificates above them) in the
// two formats cards and hosts use, behind one type:
//
//  - GlobalPlatform format (Amd F §6.2): 7F21 { 93 serial, 42 CA-KLOC identifier, 5F20 subject
//    identifier, 95 key usage, [5F25 effective date], [5F24 expiration date], [53/73 discretionary
//    data], [BF20 restrictions], 7F49 { B0 public key, [F0 key parameter reference, 00 = P-256] },
//    5F37 signature }. The signature is ECDSA with SHA-256 over the encoded data objects before 5F37,
//    as they appear; it may be DER (SEQUENCE { r, s }) or the raw 64-byte r || s.
//  - X.509 DER, read and checked by OpenSSL.
//
// A chain is the certificates one after the other, root first and leaf last (the BF21 content of GET
// DATA, the PERFORM SECURITY OPERATION uploads). Dates are not checked: a card has no trusted clock.
//
// Key usage (95) of the GP format is GPCS's key usage qualifier: byte 1 b8 verification and b2
// digital signature ('82': the key verifies signatures, as a CA-KLOC certificate's key verifies the
// certificates below it), byte 2 b8 key agreement ('00 80', CERT.OCE.ECKA and CERT.SD.ECKA).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "crypto/p256.hpp"

namespace sefleet::gp::scp11 {

enum class CertificateFormat { gp, x509 };

inline constexpr std::uint32_t kTagGpCertificate = 0x7F21;
inline constexpr std::uint32_t kTagCertificateStore = 0xBF21;
inline constexpr std::uint8_t kGpKeyUsageSignatureVerification = 0x82;  // byte 1 of 95
inline constexpr std::uint8_t kGpKeyUsageKeyAgreement = 0x80;           // byte 2 of 95

// The fields of a GlobalPlatform-format certificate.
struct GpCertificateFields {
  Bytes serial;                 // 93
  Bytes ca_kloc_identifier;     // 42
  Bytes subject_identifier;     // 5F20
  Bytes key_usage{0x00, 0x80};  // 95: key agreement
  Bytes effective_date;         // 5F25, optional (empty: absent)
  Bytes expiration_date;        // 5F24, optional
  // BF20, Amendment F's authorizations / restrictions of an SCP11c OCE; absent (nullopt) or present,
  // possibly empty. The value is kept as it was encoded.
  std::optional<Bytes> restrictions;
  Bytes public_key;  // 7F49/B0, uncompressed P-256 point
};

class Scp11Certificate {
 public:
  // One certificate of either format (chosen by its first tag: 7F21 or 30). Throws
  // Error(Errc::parse_error) for a malformed one (bad TLV or DER, a missing field, trailing bytes, a
  // key that is not a P-256 point).
  static Scp11Certificate parse(ByteView encoded);

  CertificateFormat format() const noexcept { return format_; }
  const Bytes& encoded() const noexcept { return encoded_; }
  const Bytes& public_key() const noexcept { return public_key_; }  // uncompressed P-256 point
  // The serial number (GP: 93; X.509: the INTEGER's magnitude), without leading zero bytes, so that
  // both formats compare with an allowlist entry however its host encoded it.
  const Bytes& serial() const noexcept { return serial_; }
  // Key usage, as Amendment F asks the card to check it: an OCE leaf must allow key agreement, a
  // certificate above it certificate signing. X.509: the key usage extension (absent: any use),
  // keyAgreement and keyCertSign. GlobalPlatform format: key agreement is 95 = 'xx 80' (two bytes,
  // b8 of the second), certificate signing 95 = '82..' (b8 and b2 of the first byte: signature
  // verification), so a one-byte '82' is not a key agreement key.
  bool permits_key_agreement() const noexcept { return key_agreement_; }
  bool permits_certificate_signing() const noexcept { return certificate_signing_; }
  // GlobalPlatform format only.
  const std::optional<GpCertificateFields>& gp_fields() const noexcept { return gp_fields_; }
  // Whether the certificate carries BF20 restrictions (GlobalPlatform format; X.509 never does), and
  // whether any with content.
  bool has_restrictions() const noexcept { return gp_fields_ && gp_fields_->restrictions.has_value(); }
  bool has_restriction_content() const noexcept { return has_restrictions() && !gp_fields_->restrictions->empty(); }
  // Whether the signature verifies under `issuer`.
  bool signed_by(const crypto::P256PublicKey& issuer) const;
  // "GP 5F20=..." or "X.509 /CN=...", for messages and `card info`.
  std::string description() const;

 private:
  Scp11Certificate() = default;
  CertificateFormat format_ = CertificateFormat::gp;
  Bytes encoded_;
  Bytes public_key_;
  Bytes serial_;
  bool key_agreement_ = true;
  bool certificate_signing_ = true;
  std::optional<GpCertificateFields> gp_fields_;
  Bytes signed_data_;  // GP: the data objects before 5F37
  Bytes signature_;    // GP: r || s
  std::string subject_;
};

// A big-endian number without its leading zero bytes (serial numbers as certificates and allowlists
// code them: an INTEGER's content may start with 00 to stay positive).
Bytes without_leading_zeros(ByteView number);

// Splits a concatenation of certificates and parses each; throws like Scp11Certificate::parse.
std::vector<Scp11Certificate> parse_certificate_chain(ByteView concatenated);

// Checks each certificate against the key of the one before it and the first against `ca_key`;
// returns the leaf's public key. Throws Error(Errc::integrity_error) naming the first certificate
// whose signature does not verify, Error(Errc::invalid_argument) for an empty chain.
Bytes verify_certificate_chain(const std::vector<Scp11Certificate>& chain, const crypto::P256PublicKey& ca_key);

// A GlobalPlatform-format certificate of `fields` signed by `signer` (DER signature, or r || s with
// `raw_signature`): for the card's own certificate store and for OCE tooling and tests.
Bytes make_gp_certificate(const GpCertificateFields& fields, const crypto::P256PrivateKey& signer,
                          bool raw_signature = false);

}  // namespace sefleet::gp::scp11

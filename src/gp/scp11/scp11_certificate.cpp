#include "gp/scp11/scp11_certificate.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/x509_certificate.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::scp11 {
namespace {

using iso7816::TlvView;

constexpr iso7816::Tag kTagSerial = 0x93;
constexpr iso7816::Tag kTagCaKlocIdentifier = 0x42;
constexpr iso7816::Tag kTagSubjectIdentifier = 0x5F20;
constexpr iso7816::Tag kTagCertificateKeyUsage = 0x95;
constexpr iso7816::Tag kTagEffectiveDate = 0x5F25;
constexpr iso7816::Tag kTagExpirationDate = 0x5F24;
constexpr iso7816::Tag kTagDiscretionary = 0x53;
constexpr iso7816::Tag kTagDiscretionaryConstructed = 0x73;
constexpr iso7816::Tag kTagRestrictions = 0xBF20;
constexpr iso7816::Tag kTagPublicKey = 0x7F49;
constexpr iso7816::Tag kTagPoint = 0xB0;
constexpr iso7816::Tag kTagKeyParameterReference = 0xF0;
constexpr iso7816::Tag kTagSignature = 0x5F37;
constexpr std::uint8_t kParameterP256 = 0x00;

[[noreturn]] void malformed(const std::string& what) {
  throw Error(Errc::parse_error, "GP certificate: " + what);
}

// The certificate's objects are read one level at a time: B0 and F0 inside 7F49 have the
// "constructed" bit of BER set although their values are plain bytes (a point, a reference), so a
// recursive BER parse would refuse them.
std::vector<TlvView> objects_of(ByteView value, const char* where) {
  try {
    return iso7816::parse_tlv_flat(value);
  } catch (const Error& error) {
    malformed(std::string(where) + ": " + error.what());
  }
}

const TlvView* find(const std::vector<TlvView>& objects, iso7816::Tag tag) {
  for (const auto& object : objects) {
    if (object.tag == tag) return &object;
  }
  return nullptr;
}

Bytes required(const std::vector<TlvView>& objects, iso7816::Tag tag) {
  const TlvView* field = find(objects, tag);
  if (field == nullptr || field->value.empty()) malformed("field " + iso7816::tag_hex(tag) + " missing or empty");
  return Bytes(field->value.begin(), field->value.end());
}

Bytes optional_field(const std::vector<TlvView>& objects, iso7816::Tag tag) {
  const TlvView* field = find(objects, tag);
  return field == nullptr ? Bytes{} : Bytes(field->value.begin(), field->value.end());
}

Bytes parse_public_key_object(ByteView public_key) {
  const auto objects = objects_of(public_key, "7F49");
  const TlvView* point = find(objects, kTagPoint);
  if (point == nullptr) malformed("7F49 has no B0 point");
  if (const TlvView* parameter = find(objects, kTagKeyParameterReference)) {
    if (parameter->value.size() != 1 || parameter->value[0] != kParameterP256) {
      malformed("key parameter reference is not P-256 (00)");
    }
  }
  // The point's check alone: a key object is built only where the key verifies a signature.
  if (!crypto::is_p256_point(point->value)) malformed("B0 is not an uncompressed P-256 point");
  return Bytes(point->value.begin(), point->value.end());
}

// DER SEQUENCE {r, s} or raw r || s, as r || s.
Bytes raw_signature(ByteView signature) {
  try {
    return crypto::ecdsa_der_to_raw(signature, crypto::kP256ScalarSize);
  } catch (const Error&) {
    if (signature.size() == crypto::kP256SignatureSize) return Bytes(signature.begin(), signature.end());
    malformed("5F37 is neither a DER ECDSA signature nor 64 bytes of r || s");
  }
}

void put(Bytes& out, iso7816::Tag tag, ByteView value) {
  iso7816::encode_tag(out, tag);
  iso7816::encode_length(out, value.size());
  append(out, value);
}

}  // namespace

Bytes without_leading_zeros(ByteView number) {
  std::size_t first = 0;
  while (first < number.size() && number[first] == 0x00) ++first;
  return Bytes(number.begin() + static_cast<std::ptrdiff_t>(first), number.end());
}

Scp11Certificate Scp11Certificate::parse(ByteView encoded) {
  if (encoded.empty()) throw Error(Errc::parse_error, "empty certificate");
  Scp11Certificate out;
  out.encoded_.assign(encoded.begin(), encoded.end());
  if (encoded[0] == 0x30) {
    const auto x509 = crypto::X509Certificate::from_der(encoded);
    out.format_ = CertificateFormat::x509;
    try {
      out.public_key_ = x509.p256_public_key();
    } catch (const Error& error) {
      throw Error(Errc::parse_error, std::string("X.509 certificate: ") + error.what());
    }
    out.subject_ = x509.subject();
    out.serial_ = x509.serial();
    out.key_agreement_ = x509.allows_key_agreement();
    out.certificate_signing_ = x509.allows_certificate_signing();
    return out;
  }
  const auto outer = objects_of(encoded, "certificate");
  if (outer.size() != 1 || outer[0].tag != kTagGpCertificate) malformed("not one 7F21 object (nor X.509 DER)");
  const auto children = objects_of(outer[0].value, "7F21");
  std::size_t signature_index = children.size();
  for (std::size_t i = 0; i < children.size(); ++i) {
    const iso7816::Tag tag = children[i].tag;
    if (tag == kTagSignature) {
      signature_index = i;
      break;
    }
    if (tag != kTagSerial && tag != kTagCaKlocIdentifier && tag != kTagSubjectIdentifier &&
        tag != kTagCertificateKeyUsage && tag != kTagEffectiveDate && tag != kTagExpirationDate &&
        tag != kTagDiscretionary && tag != kTagDiscretionaryConstructed && tag != kTagRestrictions &&
        tag != kTagPublicKey) {
      malformed("unexpected field " + iso7816::tag_hex(tag));
    }
  }
  if (signature_index + 1 != children.size()) malformed("5F37 signature missing or not last");
  const std::vector<TlvView> fields_before(children.begin(),
                                           children.begin() + static_cast<std::ptrdiff_t>(signature_index));
  GpCertificateFields fields;
  fields.serial = required(fields_before, kTagSerial);
  fields.ca_kloc_identifier = required(fields_before, kTagCaKlocIdentifier);
  fields.subject_identifier = required(fields_before, kTagSubjectIdentifier);
  fields.key_usage = required(fields_before, kTagCertificateKeyUsage);
  fields.effective_date = optional_field(fields_before, kTagEffectiveDate);
  fields.expiration_date = optional_field(fields_before, kTagExpirationDate);
  if (const TlvView* restrictions = find(fields_before, kTagRestrictions)) {
    fields.restrictions = Bytes(restrictions->value.begin(), restrictions->value.end());
  }
  const TlvView* public_key = find(fields_before, kTagPublicKey);
  if (public_key == nullptr) malformed("7F49 public key missing");
  fields.public_key = parse_public_key_object(public_key->value);
  // The signed data: the encoded objects before 5F37, exactly as they arrived.
  const std::size_t signed_begin = children.front().offset;
  const std::size_t signed_end = children[signature_index].offset;
  const ByteView inner = outer[0].value;
  out.signed_data_.assign(inner.begin() + static_cast<std::ptrdiff_t>(signed_begin),
                          inner.begin() + static_cast<std::ptrdiff_t>(signed_end));
  out.signature_ = raw_signature(children[signature_index].value);
  out.public_key_ = fields.public_key;
  out.subject_ = "5F20=" + to_hex(fields.subject_identifier);
  out.serial_ = without_leading_zeros(fields.serial);
  const Bytes& usage = fields.key_usage;  // not empty (required)
  out.key_agreement_ = usage.size() >= 2 && (usage[1] & kGpKeyUsageKeyAgreement) != 0;
  out.certificate_signing_ = (usage[0] & kGpKeyUsageSignatureVerification) == kGpKeyUsageSignatureVerification;
  out.gp_fields_ = std::move(fields);
  return out;
}

bool Scp11Certificate::signed_by(const crypto::P256PublicKey& issuer) const {
  if (format_ == CertificateFormat::x509) return crypto::X509Certificate::from_der(encoded_).signed_by(issuer);
  return crypto::ecdsa_p256_verify(issuer, signed_data_, signature_);
}

std::string Scp11Certificate::description() const {
  return (format_ == CertificateFormat::gp ? "GP " : "X.509 ") + subject_;
}

std::vector<Scp11Certificate> parse_certificate_chain(ByteView concatenated) {
  std::vector<Scp11Certificate> chain;
  for (const auto& object : objects_of(concatenated, "certificate chain")) {
    const std::size_t end = static_cast<std::size_t>(object.value.data() - concatenated.data()) + object.value.size();
    chain.push_back(Scp11Certificate::parse(concatenated.subspan(object.offset, end - object.offset)));
  }
  return chain;
}

Bytes verify_certificate_chain(const std::vector<Scp11Certificate>& chain, const crypto::P256PublicKey& ca_key) {
  if (chain.empty()) throw Error(Errc::invalid_argument, "empty certificate chain");
  std::optional<crypto::P256PublicKey> issuer;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    if (!chain[i].signed_by(issuer ? *issuer : ca_key)) {
      throw Error(Errc::integrity_error, "certificate " + std::to_string(i + 1) + " of " +
                                             std::to_string(chain.size()) + " (" + chain[i].description() +
                                             ") does not verify under " + (i == 0 ? "the CA key" : "its issuer"));
    }
    // Only a certificate that signs the next one needs its key as an OpenSSL key object; the leaf's
    // key is only returned, so it is checked as a curve point without building one.
    if (i + 1 < chain.size()) {
      issuer.emplace(crypto::P256PublicKey::from_uncompressed(chain[i].public_key()));
    } else if (!crypto::is_p256_point(chain[i].public_key())) {
      throw Error(Errc::crypto_error, "P-256 public key is not a point on the curve");
    }
  }
  return chain.back().public_key();
}

Bytes make_gp_certificate(const GpCertificateFields& fields, const crypto::P256PrivateKey& signer,
                          bool raw_signature_format) {
  Bytes signed_data;
  put(signed_data, kTagSerial, fields.serial);
  put(signed_data, kTagCaKlocIdentifier, fields.ca_kloc_identifier);
  put(signed_data, kTagSubjectIdentifier, fields.subject_identifier);
  put(signed_data, kTagCertificateKeyUsage, fields.key_usage);
  if (!fields.effective_date.empty()) put(signed_data, kTagEffectiveDate, fields.effective_date);
  if (!fields.expiration_date.empty()) put(signed_data, kTagExpirationDate, fields.expiration_date);
  if (fields.restrictions) put(signed_data, kTagRestrictions, *fields.restrictions);
  Bytes key;
  put(key, kTagPoint, fields.public_key);
  put(key, kTagKeyParameterReference, Bytes{kParameterP256});
  put(signed_data, kTagPublicKey, key);
  const Bytes raw = crypto::ecdsa_p256_sign(signer, signed_data);
  Bytes body = signed_data;
  put(body, kTagSignature, raw_signature_format ? raw : crypto::ecdsa_raw_to_der(raw));
  Bytes out;
  put(out, kTagGpCertificate, body);
  return out;
}

}  // namespace sefleet::gp::scp11

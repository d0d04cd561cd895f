// SCP11 certificates: GlobalPlatform format (DER and r || s signatures) and X.509, chains verified up
// to the CA key, and the refusals (malformed certificate, wrong issuer, tampered field or signature).
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "iso7816/tlv.hpp"
#include "support/vectors.hpp"

namespace sefleet::gp::scp11 {
namespace {

using crypto::P256PrivateKey;

GpCertificateFields fields_for(const P256PrivateKey& subject, std::uint8_t id) {
  GpCertificateFields fields;
  fields.serial = Bytes(8, id);
  fields.ca_kloc_identifier = Bytes(20, static_cast<std::uint8_t>(id - 1));
  fields.subject_identifier = Bytes(20, id);
  fields.expiration_date = from_hex("20301231");
  fields.public_key = subject.public_uncompressed();
  return fields;
}

Errc code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.code();
  }
  ADD_FAILURE() << "no error";
  return Errc::invalid_argument;
}

TEST(Scp11Certificate, GpChainWithDerAndRawSignaturesVerifiesUpToTheCa) {
  const auto ca = P256PrivateKey::generate();
  const auto intermediate = P256PrivateKey::generate();
  const auto leaf = P256PrivateKey::generate();
  Bytes chain = make_gp_certificate(fields_for(intermediate, 2), ca);
  append(chain, make_gp_certificate(fields_for(leaf, 3), intermediate, /*raw_signature=*/true));
  const auto parsed = parse_certificate_chain(chain);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[0].format(), CertificateFormat::gp);
  EXPECT_EQ(parsed[1].gp_fields()->subject_identifier, Bytes(20, 3));
  EXPECT_EQ(verify_certificate_chain(parsed, ca.public_key()), leaf.public_uncompressed());
  // The wrong CA key: the first certificate does not verify.
  const auto other = P256PrivateKey::generate();
  EXPECT_EQ(code_of([&] { (void)verify_certificate_chain(parsed, other.public_key()); }), Errc::integrity_error);
  // Out of order: the leaf is not signed by the CA.
  const std::vector<Scp11Certificate> reversed{parsed[1], parsed[0]};
  EXPECT_EQ(code_of([&] { (void)verify_certificate_chain(reversed, ca.public_key()); }), Errc::integrity_error);
  EXPECT_EQ(code_of([&] { (void)verify_certificate_chain({}, ca.public_key()); }), Errc::invalid_argument);
}

TEST(Scp11Certificate, ATamperedGpFieldOrSignatureDoesNotVerify) {
  const auto ca = P256PrivateKey::generate();
  const auto leaf = P256PrivateKey::generate();
  const Bytes good = make_gp_certificate(fields_for(leaf, 7), ca);
  ASSERT_TRUE(Scp11Certificate::parse(good).signed_by(ca.public_key()));
  Bytes tampered_serial = good;
  tampered_serial[6] ^= 0x01;  // inside 93
  EXPECT_FALSE(Scp11Certificate::parse(tampered_serial).signed_by(ca.public_key()));
  Bytes tampered_signature = good;
  tampered_signature[tampered_signature.size() - 3] ^= 0x01;
  EXPECT_FALSE(Scp11Certificate::parse(tampered_signature).signed_by(ca.public_key()));
}

// A certificate's fields as (tag, encoded object) pairs, to rebuild it with one change.
struct Field {
  iso7816::Tag tag;
  Bytes encoded;
};

std::vector<Field> fields_of(ByteView certificate) {
  std::vector<Field> out;
  const ByteView body = iso7816::parse_tlv_flat(certificate).at(0).value;
  for (const auto& object : iso7816::parse_tlv_flat(body)) {
    const std::size_t end = static_cast<std::size_t>(object.value.data() - body.data()) + object.value.size();
    out.push_back({object.tag, Bytes(body.begin() + static_cast<std::ptrdiff_t>(object.offset),
                                     body.begin() + static_cast<std::ptrdiff_t>(end))});
  }
  return out;
}

Bytes encode_tlv(iso7816::Tag tag, ByteView value) {
  Bytes out;
  iso7816::encode_tag(out, tag);
  iso7816::encode_length(out, value.size());
  append(out, value);
  return out;
}

Bytes certificate_of(const std::vector<Field>& fields) {
  Bytes body;
  for (const auto& field : fields) append(body, field.encoded);
  return encode_tlv(kTagGpCertificate, body);
}

TEST(Scp11Certificate, MalformedGpCertificatesAreParseErrors) {
  const auto ca = P256PrivateKey::generate();
  const auto leaf = P256PrivateKey::generate();
  const Bytes good = make_gp_certificate(fields_for(leaf, 4), ca);
  const auto fields = fields_of(good);
  ASSERT_EQ(fields.size(), 7u);  // 93 42 5F20 95 5F24 7F49 5F37
  ASSERT_EQ(certificate_of(fields), good);
  auto rejected = [](const Bytes& certificate) { return code_of([&] { (void)Scp11Certificate::parse(certificate); }); };
  EXPECT_EQ(rejected(Bytes{}), Errc::parse_error);
  EXPECT_EQ(rejected(Bytes(good.begin(), good.end() - 1)), Errc::parse_error);
  Bytes trailing = good;
  trailing.push_back(0x00);
  EXPECT_EQ(rejected(trailing), Errc::parse_error);
  auto without_subject = fields;
  without_subject.erase(without_subject.begin() + 2);
  EXPECT_EQ(rejected(certificate_of(without_subject)), Errc::parse_error);
  auto signature_not_last = fields;
  std::swap(signature_not_last[5], signature_not_last[6]);
  EXPECT_EQ(rejected(certificate_of(signature_not_last)), Errc::parse_error);
  auto unknown_field = fields;
  unknown_field.insert(unknown_field.begin(), Field{0x99, encode_tlv(0x99, Bytes{1})});
  EXPECT_EQ(rejected(certificate_of(unknown_field)), Errc::parse_error);
  auto other_curve = fields;  // key parameter reference 01
  other_curve[5].encoded =
      encode_tlv(0x7F49, concat({encode_tlv(0xB0, leaf.public_uncompressed()), encode_tlv(0xF0, Bytes{0x01})}));
  EXPECT_EQ(rejected(certificate_of(other_curve)), Errc::parse_error);
  auto off_curve = fields;
  Bytes point = leaf.public_uncompressed();
  point[64] ^= 0x01;
  off_curve[5].encoded = encode_tlv(0x7F49, encode_tlv(0xB0, point));
  EXPECT_EQ(rejected(certificate_of(off_curve)), Errc::parse_error);
  auto bad_signature = fields;  // neither DER nor 64 bytes
  bad_signature[6].encoded = encode_tlv(0x5F37, Bytes(63, 0x11));
  EXPECT_EQ(rejected(certificate_of(bad_signature)), Errc::parse_error);
  Bytes wrong_tag = good;
  wrong_tag[1] = 0x22;  // 7F22
  EXPECT_EQ(rejected(wrong_tag), Errc::parse_error);
}

// 95 as GPCS's key usage qualifier: '82' (byte 1: verification, digital signature) signs certificates,
// '00 80' (byte 2 b8) agrees keys; BF20 is read, empty or not, and kept in the signed data.
TEST(Scp11Certificate, GpKeyUsageAndRestrictions) {
  const auto ca = P256PrivateKey::generate();
  const auto subject = P256PrivateKey::generate();
  auto parsed = [&](Bytes key_usage, std::optional<Bytes> restrictions = {}) {
    GpCertificateFields fields = fields_for(subject, 5);
    fields.key_usage = std::move(key_usage);
    fields.restrictions = std::move(restrictions);
    return Scp11Certificate::parse(make_gp_certificate(fields, ca));
  };
  const auto ca_certificate = parsed(Bytes{0x82});
  EXPECT_TRUE(ca_certificate.permits_certificate_signing());
  EXPECT_FALSE(ca_certificate.permits_key_agreement());
  EXPECT_FALSE(ca_certificate.has_restrictions());
  const auto oce = parsed(Bytes{0x00, 0x80});
  EXPECT_TRUE(oce.permits_key_agreement());
  EXPECT_FALSE(oce.permits_certificate_signing());
  EXPECT_TRUE(parsed(Bytes{0x82, 0x80}).permits_key_agreement());
  EXPECT_TRUE(parsed(Bytes{0x82, 0x80}).permits_certificate_signing());
  EXPECT_FALSE(parsed(Bytes{0x80}).permits_certificate_signing());  // verification, not of signatures
  EXPECT_FALSE(parsed(Bytes{0x02}).permits_certificate_signing());
  EXPECT_FALSE(parsed(Bytes{0x3C}).permits_key_agreement());

  const auto empty = parsed(Bytes{0x00, 0x80}, Bytes{});
  EXPECT_TRUE(empty.has_restrictions());
  EXPECT_FALSE(empty.has_restriction_content());
  const auto restricted = parsed(Bytes{0x00, 0x80}, from_hex("800101"));
  EXPECT_TRUE(restricted.has_restriction_content());
  EXPECT_EQ(*restricted.gp_fields()->restrictions, from_hex("800101"));
  EXPECT_TRUE(restricted.signed_by(ca.public_key()));
  // BF20 comes before 7F49, as Amendment F orders the fields; it is covered by the signature.
  const auto fields = fields_of(restricted.encoded());
  ASSERT_EQ(fields.size(), 8u);
  EXPECT_EQ(fields[5].tag, 0xBF20u);
  EXPECT_EQ(fields[6].tag, 0x7F49u);
  auto tampered = fields;
  tampered[5].encoded = encode_tlv(0xBF20, Bytes{});
  EXPECT_FALSE(Scp11Certificate::parse(certificate_of(tampered)).signed_by(ca.public_key()));
}

TEST(Scp11Certificate, X509ChainVerifiesThroughOpenSsl) {
  const auto ca = P256PrivateKey::generate();
  const auto intermediate = P256PrivateKey::generate();
  const auto leaf = P256PrivateKey::generate();
  const auto first = crypto::X509Certificate::issue(intermediate.public_key(), "OCE intermediate", ca, "OCE CA", 30);
  const auto second =
      crypto::X509Certificate::issue(leaf.public_key(), "OCE ECKA", intermediate, "OCE intermediate", 30);
  const Bytes chain = concat({first.der(), second.der()});
  const auto parsed = parse_certificate_chain(chain);
  ASSERT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed[1].format(), CertificateFormat::x509);
  EXPECT_EQ(verify_certificate_chain(parsed, ca.public_key()), leaf.public_uncompressed());
  EXPECT_NE(parsed[1].description().find("OCE ECKA"), std::string::npos);
  EXPECT_EQ(code_of([&] { (void)verify_certificate_chain(parsed, leaf.public_key()); }), Errc::integrity_error);
  Bytes tampered = second.der();
  tampered[tampered.size() - 70] ^= 0x01;  // inside the signed part or the signature
  EXPECT_FALSE(Scp11Certificate::parse(tampered).signed_by(intermediate.public_key()));
}

TEST(Scp11Certificate, MixedFormatsInOneChain) {
  const auto ca = P256PrivateKey::generate();
  const auto intermediate = P256PrivateKey::generate();
  const auto leaf = P256PrivateKey::generate();
  const auto first = crypto::X509Certificate::issue(intermediate.public_key(), "intermediate", ca, "CA", 30);
  const Bytes chain = concat({first.der(), make_gp_certificate(fields_for(leaf, 9), intermediate)});
  EXPECT_EQ(verify_certificate_chain(parse_certificate_chain(chain), ca.public_key()), leaf.public_uncompressed());
}

TEST(Scp11Certificate, SelfSignedX509AndThePublishedSdCertificate) {
  const auto key = P256PrivateKey::generate();
  const auto self = crypto::X509Certificate::self_signed(key, "sefleet SD", 365);
  const auto parsed = Scp11Certificate::parse(self.der());
  EXPECT_TRUE(parsed.signed_by(key.public_key()));
  EXPECT_EQ(parsed.public_key(), key.public_uncompressed());
  const auto vectors = test::load_vectors("scp11.json");
  const auto& keys = vectors.at("external_verified").at("keys");
  const auto sd = Scp11Certificate::parse(test::hex_field(keys, "sd_cert_x509_der"));
  EXPECT_EQ(sd.public_key(), test::hex_field(keys, "pk_sd_ecka"));
  Bytes broken = test::hex_field(keys, "sd_cert_x509_der");
  broken.resize(broken.size() - 10);
  EXPECT_EQ(code_of([&] { (void)Scp11Certificate::parse(broken); }), Errc::parse_error);
}

TEST(Scp11Certificate, X509TrailingBytesAreRefused) {
  const auto vectors = test::load_vectors("scp11.json");
  const auto sd = test::hex_field(vectors.at("external_verified").at("keys"), "sd_cert_x509_der");
  EXPECT_NO_THROW((void)crypto::X509Certificate::from_der(sd));
  EXPECT_EQ(code_of([&] { (void)crypto::X509Certificate::from_der(concat({sd, Bytes{0x00}})); }), Errc::parse_error);
}

}  // namespace
}  // namespace sefleet::gp::scp11

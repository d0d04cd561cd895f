// SCP11 protocol core: every case of tests/vectors/scp11.json (through the same checker `sefleet
// selftest` runs), the encoding of the authenticate data, and the refusals of malformed input.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "gp/scp11/scp11_keys.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "gp/selftest/scp11_vector_check.hpp"
#include "support/vectors.hpp"

namespace sefleet::gp::scp11 {
namespace {

TEST(Scp11Vectors, EveryCasePasses) {
  const auto results = selftest::check_scp11_vectors(test::load_vectors("scp11.json"));
  std::map<std::string, int> per_category;
  for (const auto& result : results) {
    EXPECT_TRUE(result.passed) << result.category << " " << result.id << ": " << result.detail;
    ++per_category[result.category];
  }
  const std::map<std::string, int> expected{{"external_verified", 1}, {"synthetic_scp11b", 2}, {"certificates", 2}};
  EXPECT_EQ(per_category, expected);
}

TEST(Scp11Vectors, ACorruptedReceiptFails) {
  auto vectors = test::load_vectors("scp11.json");
  auto& ext = vectors.at("external_verified").at("cases").begin().value();
  std::string receipt = ext.at("receipt").get<std::string>();
  receipt[0] = receipt[0] == '0' ? '1' : '0';
  ext.at("receipt") = receipt;
  vectors.at("synthetic_scp11b").at("s_mac") = "00000000000000000000000000000000";
  for (const auto& result : selftest::check_scp11_vectors(vectors)) {
    if (result.category == "certificates") continue;  // neither field is one of theirs
    EXPECT_FALSE(result.passed) << result.id;
  }
}

TEST(Scp11Vectors, ATamperedCertificateExampleFails) {
  auto vectors = test::load_vectors("scp11.json");
  auto& example = vectors.at("protocol_summary").at("gp_certificate_example_CERT.OCE.ECKA");
  example.at("fields").at(0).at("value") = "00";
  for (const auto& result : selftest::check_scp11_vectors(vectors)) {
    if (result.id == "gp_format_oce") {
      EXPECT_FALSE(result.passed);
    }
  }
}

TEST(Scp11Vectors, AFileWithoutAnySectionFails) {
  for (const nlohmann::json& file : {nlohmann::json::object(), nlohmann::json::array(),
                                     nlohmann::json{{"external_verified", {{"cases", nlohmann::json::object()}}}}}) {
    const auto results = selftest::check_scp11_vectors(file);
    ASSERT_FALSE(results.empty());
    for (const auto& result : results) EXPECT_FALSE(result.passed) << result.id;
  }
}

TEST(Scp11Vectors, AFileWithOnlySomeSectionsChecksThose) {
  auto vectors = test::load_vectors("scp11.json");
  vectors.erase("synthetic_scp11b");
  vectors.erase("protocol_summary");
  const auto results = selftest::check_scp11_vectors(vectors);
  ASSERT_EQ(results.size(), 2u);  // the external session and the card's X.509 certificate
  for (const auto& result : results) EXPECT_TRUE(result.passed) << result.id << ": " << result.detail;
}

AuthenticateRequest sample_request(Variant variant) {
  return {KeyAgreementParams{variant, kKeyUsageSecureMessaging, kKeyTypeAes, 16, {}},
          crypto::P256PrivateKey::generate().public_uncompressed()};
}

TEST(Scp11Params, AuthenticateDataRoundTripsForEveryVariant) {
  for (Variant variant : {Variant::a, Variant::b, Variant::c}) {
    auto request = sample_request(variant);
    request.params.key_length = 32;
    request.params.host_id = from_hex("0102030405");
    const auto parsed = parse_authenticate_data(encode_authenticate_data(request));
    EXPECT_EQ(parsed.params.variant, variant);
    EXPECT_EQ(parsed.params.key_length, 32);
    EXPECT_EQ(parsed.params.host_id, request.params.host_id);
    EXPECT_EQ(parsed.ephemeral_oce_key, request.ephemeral_oce_key);
  }
}

TEST(Scp11Params, KeyIdsAndNames) {
  EXPECT_EQ(key_id(Variant::a), 0x11);
  EXPECT_EQ(key_id(Variant::b), 0x13);
  EXPECT_EQ(key_id(Variant::c), 0x15);
  EXPECT_EQ(variant_of_key_id(0x15), Variant::c);
  EXPECT_FALSE(variant_of_key_id(0x10).has_value());
  EXPECT_EQ(parse_variant("11a"), Variant::a);
  EXPECT_EQ(parse_variant("SCP11c"), Variant::c);
  EXPECT_FALSE(parse_variant("03").has_value());
}

TEST(Scp11Params, MalformedAuthenticateDataIsAParseError) {
  const Bytes good = encode_authenticate_data(sample_request(Variant::b));
  auto expect_code = [](const Bytes& data, Errc code) {
    try {
      (void)parse_authenticate_data(data);
      ADD_FAILURE() << "accepted " << to_hex(data);
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), code) << to_hex(data) << ": " << error.what();
    }
  };
  expect_code(Bytes{}, Errc::parse_error);
  expect_code(Bytes(good.begin(), good.end() - 1), Errc::parse_error);  // truncated point
  Bytes not_on_curve = good;
  not_on_curve.back() ^= 0x01;
  expect_code(not_on_curve, Errc::parse_error);
  Bytes wrong_scp = good;
  wrong_scp[4] = 0x03;  // 90 02 03 00: SCP03, not SCP11
  expect_code(wrong_scp, Errc::parse_error);
  Bytes unknown_parameter = good;
  unknown_parameter[5] = 0x02;
  expect_code(unknown_parameter, Errc::unsupported);
  Bytes des_keys = good;
  des_keys[11] = 0x80;  // key type 80 (DES) instead of 88
  expect_code(des_keys, Errc::unsupported);
  Bytes odd_length = good;
  odd_length[14] = 0x11;
  expect_code(odd_length, Errc::unsupported);
  // The CRT must come first and the point last, nothing else.
  Bytes swapped = Bytes(good.begin() + 15, good.end());
  append(swapped, ByteView(good).first(15));
  expect_code(swapped, Errc::parse_error);
}

TEST(Scp11Params, MalformedResponseIsAProtocolError) {
  const Bytes point = crypto::P256PrivateKey::generate().public_uncompressed();
  const Bytes good = encode_authenticate_response({point, Bytes(16, 0xAB)});
  EXPECT_EQ(parse_authenticate_response(good).receipt, Bytes(16, 0xAB));
  EXPECT_THROW((void)parse_authenticate_response(ByteView(good).first(good.size() - 1)), Error);
  EXPECT_THROW((void)parse_authenticate_response(ByteView(good).first(68)), Error);  // no receipt
  Bytes off_curve = good;
  off_curve[10] ^= 0xFF;
  EXPECT_THROW((void)parse_authenticate_response(off_curve), Error);
}

TEST(Scp11Keys, BothRolesAgreeForEveryVariantAndKeyLength) {
  const auto sk_sd = crypto::P256PrivateKey::generate();
  const auto sk_oce = crypto::P256PrivateKey::generate();
  for (Variant variant : {Variant::a, Variant::b, Variant::c}) {
    for (std::uint8_t length : {16, 24, 32}) {
      const auto esk_oce = crypto::P256PrivateKey::generate();
      const auto esk_sd = crypto::P256PrivateKey::generate();
      // In SCP11c the card answers with its static key.
      const auto& answer = variant == Variant::c ? sk_sd : esk_sd;
      const std::optional<Bytes> pk_oce =
          authenticates_oce(variant) ? std::optional<Bytes>(sk_oce.public_uncompressed()) : std::nullopt;
      const auto card_z = card_shared_secret(variant, answer, sk_sd, esk_oce.public_uncompressed(), pk_oce);
      const auto host_z =
          host_shared_secret(variant, esk_oce, &sk_oce, answer.public_uncompressed(), sk_sd.public_uncompressed());
      EXPECT_TRUE(constant_time_equal(card_z.view(), host_z.view()));
      const KeyAgreementParams params{variant, kKeyUsageSecureMessaging, kKeyTypeAes, length, {}};
      const auto keys = derive_session_keys(card_z.view(), params);
      EXPECT_EQ(keys.session.s_enc.size(), length);
      EXPECT_EQ(keys.s_dek.size(), length);
      EXPECT_FALSE(constant_time_equal(keys.session.s_mac.view(), keys.session.s_rmac.view()));
    }
  }
}

TEST(Scp11Keys, HostIdEntersTheSharedInfo) {
  KeyAgreementParams params;
  EXPECT_EQ(shared_info(params), from_hex("3C8810"));
  params.host_id = from_hex("A1A2");
  params.key_length = 32;
  EXPECT_EQ(shared_info(params), from_hex("3C882002A1A2"));
  const Bytes z(64, 0x5A);
  KeyAgreementParams without = params;
  without.host_id.clear();
  EXPECT_FALSE(constant_time_equal(derive_session_keys(z, params).session.s_enc.view(),
                                   derive_session_keys(z, without).session.s_enc.view()));
}

TEST(Scp11Keys, MutualVariantsNeedTheOceKey) {
  const auto key = crypto::P256PrivateKey::generate();
  EXPECT_THROW((void)card_shared_secret(Variant::a, key, key, key.public_uncompressed(), std::nullopt), Error);
  EXPECT_THROW((void)host_shared_secret(Variant::c, key, nullptr, key.public_uncompressed(), key.public_uncompressed()),
               Error);
}

}  // namespace
}  // namespace sefleet::gp::scp11

// SCP11 key management encoders against the bytes the card's tests send (the bytes yubikit's
// SecurityDomainSession sends); the encrypted scalar and the point computed independently with
// python3-cryptography. Every refusal of a bad argument.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/scp11_keys.hpp"

namespace sefleet::gp::host {
namespace {

Bytes counting_bytes(std::uint8_t first, std::size_t n) {
  Bytes out(n);
  for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<std::uint8_t>(first + k);
  return out;
}

// The public key of the scalar 0102..20 (python3-cryptography).
const char* const kPoint =
    "04515C3D6EB9E396B904D3FECA7F54FDCD0CC1E997BF375DCA515AD0A6C3B4035F"
    "4536BE3A50F318FBF9A5475902A221502BEF0D57E08C53B2CC0A56F17D9F9354";

TEST(HostScp11Keys, KidRanges) {
  for (std::uint8_t kid : {0x11, 0x13, 0x15}) EXPECT_TRUE(is_scp11_sd_kid(kid));
  for (std::uint8_t kid : {0x10, 0x12, 0x14, 0x16, 0x20, 0x01}) EXPECT_FALSE(is_scp11_sd_kid(kid));
  for (std::uint8_t kid : {0x10, 0x20, 0x2A, 0x2F}) EXPECT_TRUE(is_scp11_ca_kid(kid));
  for (std::uint8_t kid : {0x11, 0x13, 0x1F, 0x30, 0x01}) EXPECT_FALSE(is_scp11_ca_kid(kid));
}

TEST(HostScp11Keys, PutSdKeyPairEncryptsTheScalarUnderTheDek) {
  const SecretBytes scalar(counting_bytes(0x01, 32));
  const SecretBytes dek(counting_bytes(0x40, 16));
  const auto command = make_put_sd_key_pair({0x13, 0x05, 0x00}, scalar, dek);
  EXPECT_EQ(command.cla, 0x80);
  EXPECT_EQ(command.ins, 0xD8);
  EXPECT_EQ(command.p1, 0x00);
  EXPECT_EQ(command.p2, 0x13);
  // AES-CBC(DEK 4041..4F, IV 0, 0102..20), as the card's test builds it: KVN B1 20 ... F0 01 00 00.
  EXPECT_EQ(to_hex(command.data),
            "05B120"
            "2C11D959ACCC6F9B9CE35C7ACA65EA974C5FEE4043443551E2A634E78CE4EB11"
            "F0010000");
  // Replacing key version 06 by 07: P1 names the replaced version.
  EXPECT_EQ(make_put_sd_key_pair({0x11, 0x07, 0x06}, scalar, dek).p1, 0x06);
}

TEST(HostScp11Keys, PutSdKeyPairRefusals) {
  const SecretBytes scalar(counting_bytes(0x01, 32));
  const SecretBytes dek(counting_bytes(0x40, 16));
  EXPECT_THROW(make_put_sd_key_pair({0x10, 0x05, 0x00}, scalar, dek), Error);  // a CA KID
  EXPECT_THROW(make_put_sd_key_pair({0x12, 0x05, 0x00}, scalar, dek), Error);  // a static DEK KID
  EXPECT_THROW(make_put_sd_key_pair({0x13, 0x00, 0x00}, scalar, dek), Error);
  EXPECT_THROW(make_put_sd_key_pair({0x13, 0x80, 0x00}, scalar, dek), Error);
  EXPECT_THROW(make_put_sd_key_pair({0x13, 0x05, 0x80}, scalar, dek), Error);
  EXPECT_THROW(make_put_sd_key_pair({0x13, 0x05, 0x00}, SecretBytes(counting_bytes(0x01, 31)), dek), Error);
  EXPECT_THROW(make_put_sd_key_pair({0x13, 0x05, 0x00}, scalar, SecretBytes(counting_bytes(0x40, 15))), Error);
}

TEST(HostScp11Keys, PutCaKeyAsTheCardsTestSendsIt) {
  const Bytes point = from_hex(kPoint);
  const auto command = make_put_ca_key({0x10, 0x12, 0x00}, point);
  EXPECT_EQ(command.p1, 0x00);
  EXPECT_EQ(command.p2, 0x10);
  EXPECT_EQ(to_hex(command.data), std::string("12B041") + kPoint + "F0010000");
  EXPECT_EQ(make_put_ca_key({0x21, 0x13, 0x12}, point).p2, 0x21);
  EXPECT_THROW(make_put_ca_key({0x13, 0x12, 0x00}, point), Error);  // an SD KID
  EXPECT_THROW(make_put_ca_key({0x30, 0x12, 0x00}, point), Error);
  EXPECT_THROW(make_put_ca_key({0x10, 0x00, 0x00}, point), Error);
  Bytes off_curve = point;
  off_curve.back() ^= 0x01;
  EXPECT_THROW(make_put_ca_key({0x10, 0x12, 0x00}, off_curve), Error);
  EXPECT_THROW(make_put_ca_key({0x10, 0x12, 0x00}, ByteView(point).first(33)), Error);
}

TEST(HostScp11Keys, PutKeyAnswerIsTheKvn) {
  EXPECT_NO_THROW(verify_put_ec_key_response({0x13, 0x05, 0x00}, Bytes{0x05}));
  EXPECT_THROW(verify_put_ec_key_response({0x13, 0x05, 0x00}, Bytes{0x06}), Error);
  EXPECT_THROW(verify_put_ec_key_response({0x13, 0x05, 0x00}, Bytes{}), Error);
  EXPECT_THROW(verify_put_ec_key_response({0x13, 0x05, 0x00}, Bytes{0x05, 0x00}), Error);
}

TEST(HostScp11Keys, DeleteAsTheCardsTestSendsIt) {
  const auto both = make_delete_keys(0x13, 0x05);
  EXPECT_EQ(to_hex(Bytes{both.cla, both.ins, both.p1, both.p2}), "80E40000");
  EXPECT_EQ(to_hex(both.data), "D00113D20105");
  EXPECT_EQ(to_hex(make_delete_keys(0x11, std::nullopt).data), "D00111");
  const auto version = make_delete_keys(std::nullopt, 0x03, true);
  EXPECT_EQ(version.p2, 0x01);
  EXPECT_EQ(to_hex(version.data), "D20103");
  EXPECT_THROW(make_delete_keys(std::nullopt, std::nullopt), Error);
}

TEST(HostScp11Keys, StoreCertificatesAsTheCardsTestSendsIt) {
  const Bytes first = from_hex("300100");
  const Bytes second(300, 0x30);
  const auto command = make_store_certificates(0x13, 0x03, {first, second});
  EXPECT_EQ(to_hex(Bytes{command.cla, command.ins, command.p1, command.p2}), "00E29000");
  // A6 {83 {13 03}} BF21 82 012F {both, leaf last}.
  EXPECT_EQ(to_hex(command.data), "A60483021303BF2182012F300100" + to_hex(second));
  EXPECT_EQ(to_hex(make_store_certificates(0x13, 0x09, {}).data), "A60483021309BF2100");
}

TEST(HostScp11Keys, StoreAllowlistAsTheCardsTestSendsIt) {
  // yubikit's store_allowlist((10, 10), [0x8002]): a 00 before a high bit.
  EXPECT_EQ(to_hex(make_store_allowlist(0x10, 0x10, {from_hex("8002")}).data), "A6048302101070059303008002");
  EXPECT_EQ(to_hex(make_store_allowlist(0x20, 0x01, {from_hex("01"), from_hex("7F00")}).data),
            "A6048302200170079301019302"
            "7F00");
  EXPECT_EQ(to_hex(make_store_allowlist(0x10, 0x10, {}).data), "A604830210107000");  // clears it
  EXPECT_THROW(make_store_allowlist(0x10, 0x10, {Bytes{}}), Error);
}

TEST(HostScp11Keys, StoreCaIssuerAsTheCardsTestSendsIt) {
  // yubikit's store_ca_issuer((10, 10), ski): 80 00 (KLOC) for a CA key, as the card test sends it.
  const auto kloc = make_store_ca_issuer(0x10, 0x10, from_hex("11223344"));
  EXPECT_EQ(to_hex(Bytes{kloc.cla, kloc.ins, kloc.p1, kloc.p2}), "00E29000");
  EXPECT_EQ(to_hex(kloc.data), "A60D80010042041122334483021010");
  // 80 01 (KLCC) for an SD key pair.
  EXPECT_EQ(to_hex(make_store_ca_issuer(0x13, 0x01, Bytes(20, 0xAB)).data),
            "A61D8001014214" + to_hex(Bytes(20, 0xAB)) + "83021301");
  EXPECT_THROW(make_store_ca_issuer(0x10, 0x10, Bytes{}), Error);
  EXPECT_THROW(make_store_ca_issuer(0x10, 0x10, Bytes(128, 0x01)), Error);
}

}  // namespace
}  // namespace sefleet::gp::host

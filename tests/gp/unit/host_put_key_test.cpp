// PUT KEY encoding (Amd D Table 7-10) against values computed independently with python3-cryptography,
// and the check of the card's KVN + KCV answer.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/put_key.hpp"

namespace sefleet::gp::host {
namespace {

Bytes seq(std::uint8_t first, std::size_t n) {
  Bytes out(n);
  for (std::size_t k = 0; k < n; ++k) out[k] = static_cast<std::uint8_t>(first + k);
  return out;
}

TEST(HostPutKey, Aes128ComponentMatchesIndependentComputation) {
  // AES-CBC(DEK=404142..4F, IV 0, 000102..0F); KCV C35280 is also pySim's published value.
  EXPECT_EQ(to_hex(encode_aes_key_component(seq(0x00, 16), seq(0x40, 16))),
            "881110"
            "3D0FA4B855D2A5AA4954B8B5DF582A3A"
            "03C35280");
}

TEST(HostPutKey, Aes192And256Components) {
  // 24-byte key padded with 8 zero bytes before encryption, block length 21, key length 18.
  EXPECT_EQ(to_hex(encode_aes_key_component(seq(0x10, 24), seq(0x40, 16))),
            "882118"
            "790ACCDA858B997029FA9AE50C9CD028A5A58539F58E191A134ECA666B483D95"
            "0393DA9E");
  EXPECT_EQ(to_hex(encode_aes_key_component(seq(0x20, 32), seq(0x60, 32))),
            "882120"
            "01EADA7AB4A0FE341F22BA1DF718A65F63381F56DD8782ABA5F6BBE155A5258F"
            "03D0D72A");
  EXPECT_THROW(encode_aes_key_component(seq(0, 15), seq(0x40, 16)), Error);
  EXPECT_THROW(encode_aes_key_component(seq(0, 16), seq(0x40, 15)), Error);
}

PutKeyRequest put_key_request(std::uint8_t kvn, std::uint8_t replace) {
  PutKeyRequest r;
  r.new_keys = StaticKeySet(kvn, SecretBytes(seq(0x00, 16)), SecretBytes(seq(0x00, 16)), SecretBytes(seq(0x00, 16)));
  r.replace_kvn = replace;
  return r;
}

TEST(HostPutKey, CommandLayout) {
  const SecretBytes dek(seq(0x40, 16));
  const auto cmd = make_put_key(put_key_request(0x31, 0x00), dek);
  const std::string component = "8811103D0FA4B855D2A5AA4954B8B5DF582A3A03C35280";
  EXPECT_EQ(to_hex(cmd.encode()),
            "80D8008146"
            "31" +
                component + component + component + "00");
  EXPECT_EQ(make_put_key(put_key_request(0x30, 0x30), dek).p1, 0x30);
  EXPECT_THROW(make_put_key(put_key_request(0x00, 0x00), dek), Error);
  EXPECT_THROW(make_put_key(put_key_request(0x80, 0x00), dek), Error);
  EXPECT_THROW(make_put_key(put_key_request(0x31, 0x80), dek), Error);
  auto mixed = put_key_request(0x31, 0);
  mixed.new_keys.mac = SecretBytes(seq(0, 32));
  EXPECT_THROW(make_put_key(mixed, dek), Error);
}

TEST(HostPutKey, VerifiesTheCardsAnswer) {
  const auto r = put_key_request(0x31, 0);
  EXPECT_NO_THROW(verify_put_key_response(r, from_hex("31C35280C35280C35280")));
  EXPECT_THROW(verify_put_key_response(r, from_hex("30C35280C35280C35280")), Error);    // KVN
  EXPECT_THROW(verify_put_key_response(r, from_hex("31C35280C35281C35280")), Error);    // MAC KCV
  EXPECT_THROW(verify_put_key_response(r, from_hex("31C35280C35280")), Error);          // short
  EXPECT_THROW(verify_put_key_response(r, from_hex("31C35280C35280C3528000")), Error);  // long
  try {
    verify_put_key_response(r, from_hex("31C35280C35280C35281"));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("DEK"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sefleet::gp::host

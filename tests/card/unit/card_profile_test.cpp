#include "card/state/card_profile.hpp"

#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::card {
namespace {

const std::string kKey = "404142434445464748494A4B4C4D4E4F";

std::string full_profile() {
  return R"({
    "se_id": "0102030405060708",
    "kdd": "00112233445566778899",
    "isd_aid": "A000000151000000",
    "platform_id": "5345464C45455431",
    "scp03": {"kvn": "30", "i": "70", "enc": ")" +
         kKey + R"(", "mac": ")" + kKey + R"(", "dek": ")" + kKey + R"("},
    "platform_keys": {"version": "01", "kos": ")" +
         kKey + R"(", "kmac": ")" + kKey + R"("},
    "allow_downgrade": true,
    "atr": "3B8B8101805953454C4545543031DD"
  })";
}

std::string minimal_profile(const std::string& extra = "") {
  return R"({"se_id": "0102030405060708", "kdd": "00112233445566778899", )" + extra +
         R"("scp03": {"kvn": "30", "enc": ")" + kKey + R"(", "mac": ")" + kKey + R"(", "dek": ")" + kKey + R"("}})";
}

void expect_refused(const std::string& json, const std::string& fragment) {
  try {
    (void)CardProfile::from_json(json);
    FAIL() << "accepted: " << json;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::parse_error);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(CardProfile, ParsesEveryField) {
  const CardProfile profile = CardProfile::from_json(full_profile());
  EXPECT_EQ(to_hex(profile.se_id), "0102030405060708");
  EXPECT_EQ(to_hex(profile.kdd), "00112233445566778899");
  EXPECT_EQ(to_hex(profile.isd_aid), "A000000151000000");
  EXPECT_EQ(to_hex(profile.platform_id), "5345464C45455431");
  EXPECT_EQ(profile.scp03.kvn, 0x30);
  EXPECT_EQ(profile.scp03_i, 0x70);
  EXPECT_EQ(profile.scp03.enc.size(), 16u);
  EXPECT_EQ(profile.platform_keys.version, 0x01);
  EXPECT_EQ(profile.platform_keys.kmac.size(), 16u);
  EXPECT_TRUE(profile.allow_downgrade);
  EXPECT_EQ(to_hex(profile.atr), "3B8B8101805953454C4545543031DD");
}

TEST(CardProfile, AppliesDefaults) {
  const CardProfile profile = CardProfile::from_json(minimal_profile());
  EXPECT_EQ(to_hex(profile.isd_aid), "A000000151000000");
  EXPECT_EQ(profile.platform_id, Bytes(8, 0));
  EXPECT_EQ(profile.scp03_i, 0x70);
  EXPECT_TRUE(profile.platform_keys.kos.empty());
  EXPECT_FALSE(profile.allow_downgrade);
  EXPECT_EQ(profile.atr, default_atr());
}

TEST(CardProfile, DefaultAtrHasValidCheckByte) {
  const Bytes atr = default_atr();
  std::uint8_t check = 0;
  for (std::size_t i = 1; i < atr.size(); ++i) check ^= atr[i];
  EXPECT_EQ(check, 0) << "TCK makes the XOR of T0..TCK zero";
  EXPECT_EQ(atr[1] & 0x0F, atr.size() - 5) << "T0 announces the historical byte count";
}

TEST(CardProfile, AcceptsIntegerKvnAsExtension) {
  const std::string json = R"({"se_id": "0102030405060708", "kdd": "00112233445566778899",
    "scp03": {"kvn": 48, "i": 113, "enc": ")" +
                           kKey + R"(", "mac": ")" + kKey + R"(", "dek": ")" + kKey + R"("}})";
  const CardProfile profile = CardProfile::from_json(json);
  EXPECT_EQ(profile.scp03.kvn, 0x30);
  EXPECT_EQ(profile.scp03_i, 0x71);
}

TEST(CardProfile, RefusesBadInput) {
  expect_refused("{", "not valid JSON");
  expect_refused("[]", "JSON object");
  expect_refused(minimal_profile(R"("colour": "red", )"), "'colour': unknown field");
  expect_refused(R"({"kdd": "00112233445566778899"})", "'se_id': missing");
  expect_refused(minimal_profile().replace(minimal_profile().find("0102030405060708"), 16, "01020304"),
                 "'se_id': must be 8 to 16");
  expect_refused(minimal_profile().replace(minimal_profile().find("00112233445566778899"), 20, "0011"),
                 "'kdd': must be 10 bytes");
  expect_refused(minimal_profile().replace(minimal_profile().find("0102030405060708"), 16, "01020304050607ZZ"),
                 "'se_id'");
  expect_refused(minimal_profile(R"("isd_aid": "A0000001", )"), "'isd_aid'");
  expect_refused(minimal_profile(R"("atr": "0011", )"), "'atr': must start with TS");
  expect_refused(minimal_profile(R"("allow_downgrade": "yes", )"), "'allow_downgrade'");
  expect_refused(minimal_profile(R"("platform_keys": {"version": "01", "kos": "00"}, )"), "'platform_keys.kos'");
  expect_refused(minimal_profile().replace(minimal_profile().find("\"30\""), 4, "\"80\""),
                 "'scp03.kvn': must be 01..7F");
  expect_refused(minimal_profile().replace(minimal_profile().find("\"30\""), 4, "300"), "'scp03.kvn': must be 0..255");
  const std::string short_key = minimal_profile().replace(minimal_profile().find(kKey), kKey.size(), "0011223344");
  expect_refused(short_key, "'scp03.enc'");
  const std::string mixed_sizes =
      minimal_profile().replace(minimal_profile().find(kKey), kKey.size(), kKey + "0001020304050607");
  expect_refused(mixed_sizes, "'scp03'");
}

}  // namespace
}  // namespace sefleet::card

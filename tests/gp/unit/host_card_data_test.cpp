// GET DATA parsers of the host toolkit over byte strings laid out as GPCS v2.3.1 Annex H and §11.3
// describe them, including the refusals.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/card_data.hpp"

namespace sefleet::gp::host {
namespace {

// 66 { 73 { 06 {GP 1}, 60 {GP 2.3.1}, 63 {GP 3}, 64 {SCP02 i=55}, 64 {SCP03 i=70}, 65 {..}, 66 {JavaCard} } }
const char* kCardRecognition =
    "6657735506072A864886FC6B01600C060A2A864886FC6B02020301630906072A864886FC6B03640B06092A864886FC6B040255"
    "640B06092A864886FC6B040370650906072A864886480464660C060A2B060104012A026E0103";

TEST(HostCardData, CardRecognitionDataListsEverySecureChannel) {
  const auto crd = parse_card_recognition_data(from_hex(kCardRecognition));
  ASSERT_TRUE(crd.gp_version.has_value());
  EXPECT_EQ(*crd.gp_version, "2.3.1");
  EXPECT_EQ(crd.card_identification_scheme, "1.2.840.114283.3");
  ASSERT_EQ(crd.secure_channels.size(), 2u);
  EXPECT_EQ(crd.secure_channels[0].scp, 0x02);
  EXPECT_EQ(crd.secure_channels[0].i, 0x55);
  ASSERT_TRUE(crd.scp03().has_value());
  EXPECT_EQ(crd.scp03()->i, 0x70);
  EXPECT_EQ(crd.card_chip_details, "060A2B060104012A026E0103");
}

TEST(HostCardData, CardRecognitionDataRefusals) {
  // Not tag 66.
  EXPECT_THROW(parse_card_recognition_data(from_hex("7303060100")), Error);
  // 66 without 73.
  EXPECT_THROW(parse_card_recognition_data(from_hex("6603040100")), Error);
  // 73 without the GP recognition OID marker.
  EXPECT_THROW(parse_card_recognition_data(from_hex("660B7309060755864886FC6B01")), Error);
  // SCP OID too short (no i).
  EXPECT_THROW(parse_card_recognition_data(from_hex("661773150607"
                                                    "2A864886FC6B01"
                                                    "640A0608"
                                                    "2A864886FC6B0403")),
               Error);
  // Truncated TLV.
  EXPECT_THROW(parse_card_recognition_data(from_hex("665773")), Error);
  const auto none = parse_card_recognition_data(from_hex("660B730906072A864886FC6B01"));
  EXPECT_FALSE(none.scp03().has_value());
  EXPECT_FALSE(none.gp_version.has_value());
}

TEST(HostCardData, DecodesOids) {
  EXPECT_EQ(decode_oid(from_hex("2A864886FC6B040370")), "1.2.840.114283.4.3.112");
  EXPECT_EQ(decode_oid(from_hex("2B060104012A026E0103")), "1.3.6.1.4.1.42.2.110.1.3");
  EXPECT_THROW(decode_oid(from_hex("2A86")), Error);
  EXPECT_THROW(decode_oid({}), Error);
  EXPECT_THROW(decode_oid(from_hex("2A8001")), Error);  // non-minimal sub-identifier
}

TEST(HostCardData, KeyInformationTemplateBasicFormat) {
  const auto keys = parse_key_information(from_hex("E018C00401308810C00402308810C00403308810C00401208820"));
  ASSERT_EQ(keys.size(), 4u);
  EXPECT_EQ(keys[0].id, 0x01);
  EXPECT_EQ(keys[0].version, 0x30);
  ASSERT_EQ(keys[0].components.size(), 1u);
  EXPECT_EQ(keys[0].components[0].type, 0x88);
  EXPECT_EQ(keys[0].components[0].length, 16);
  EXPECT_EQ(keys[2].id, 0x03);
  EXPECT_EQ(keys[3].version, 0x20);
  EXPECT_EQ(keys[3].components[0].length, 32);
  EXPECT_EQ(key_type_name(0x88), "AES");
  EXPECT_EQ(key_type_name(0x77), "type-77");
}

TEST(HostCardData, KeyInformationTemplateExtendedFormatAndRefusals) {
  // Extended: id 01, version 01, component FF88 length 0010, key usage (1 byte 34), key access (1 byte 00).
  const auto keys = parse_key_information(from_hex("E00CC00A0101FF8800100134 0100"));
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].components[0].type, 0x88);
  EXPECT_EQ(keys[0].components[0].length, 16);
  EXPECT_THROW(parse_key_information(from_hex("E005C003013088")), Error);      // too short
  EXPECT_THROW(parse_key_information(from_hex("E007C0050130881001")), Error);  // odd component bytes
  EXPECT_THROW(parse_key_information(from_hex("E006C10401308810")), Error);    // wrong inner tag
  EXPECT_THROW(parse_key_information(from_hex("C00401308810")), Error);        // no E0
  EXPECT_THROW(parse_key_information(from_hex("E007C0050101FF8800")), Error);  // truncated extended
}

TEST(HostCardData, SequenceCounterCinIin) {
  EXPECT_EQ(parse_sequence_counter(from_hex("C103000102")), 0x000102u);
  EXPECT_EQ(parse_sequence_counter(from_hex("C1020010")), 0x0010u);  // SCP02 cards
  EXPECT_THROW(parse_sequence_counter(from_hex("C10101")), Error);
  EXPECT_THROW(parse_sequence_counter(from_hex("C20100")), Error);
  EXPECT_THROW(parse_sequence_counter(from_hex("C10300")), Error);
  EXPECT_EQ(to_hex(parse_cin(from_hex("45080102030405060708"))), "0102030405060708");
  EXPECT_EQ(to_hex(parse_iin(from_hex("42054255494C44"))), "4255494C44");
  EXPECT_THROW(parse_cin(from_hex("42054255494C44")), Error);
  EXPECT_THROW(parse_iin(from_hex("42054255")), Error);
}

TEST(HostCardData, CplcWithAndWithoutTag) {
  const std::string body =
      "4790"
      "5040"
      "4791"
      "2063"
      "0001"
      "4084"
      "12345678"
      "0101"
      "4812"
      "4085"
      "4813"
      "4086"
      "0000"
      "0000"
      "00000000"
      "0000"
      "0000"
      "00000000";
  for (const std::string& text : {"9F7F2A" + body, body}) {
    const auto cplc = parse_cplc(from_hex(text));
    ASSERT_EQ(cplc.fields.size(), 18u);
    EXPECT_EQ(to_hex(*cplc.find("ic_fabricator")), "4790");
    EXPECT_EQ(to_hex(*cplc.find("ic_serial_number")), "12345678");
    EXPECT_EQ(to_hex(*cplc.find("ic_batch_identifier")), "0101");
    EXPECT_EQ(to_hex(*cplc.find("ic_personalization_equipment_id")), "00000000");
    EXPECT_EQ(cplc.find("nothing"), nullptr);
  }
  EXPECT_THROW(parse_cplc(from_hex("9F7F29" + body.substr(2))), Error);
  EXPECT_THROW(parse_cplc(from_hex(body + "00")), Error);
}

TEST(HostCardData, GetDataCommand) {
  EXPECT_EQ(to_hex(make_get_data(kTagCplc).encode()), "80CA9F7F00");
  EXPECT_EQ(to_hex(make_get_data(kTagCardData).encode()), "80CA006600");
}

}  // namespace
}  // namespace sefleet::gp::host

// BER-TLV (ISO/IEC 7816-4 §5.2, Annex D): tags, lengths, nesting, every refusal, and the builder.
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::iso7816 {
namespace {

// Expects parse_tlv_sequence to refuse `raw` with a message containing `fragment`, and the try_ form to agree.
void expect_tlv_refused(const Bytes& raw, const std::string& fragment, const TlvParseOptions& options = {}) {
  SCOPED_TRACE(to_hex(raw).substr(0, 48));
  try {
    parse_tlv_sequence(raw, options);
    ADD_FAILURE() << "accepted malformed TLV";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::parse_error);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
  std::string reason;
  EXPECT_FALSE(try_parse_tlv_sequence(raw, options, &reason).has_value());
  EXPECT_NE(reason.find(fragment), std::string::npos) << reason;
}

TEST(TlvTags, Validity) {
  for (const Tag tag : {0x4Fu, 0x6Fu, 0x9F7Fu, 0x5F2Du, 0xBF0Cu, 0x9F02u, 0xDF8101u, 0x1F1Fu, 0x9F8100u}) {
    EXPECT_TRUE(is_valid_tag(tag)) << tag_hex(tag);
  }
  // 00/FF first byte, 1F without follow-up, 9F as a 1-byte tag, leading zero subsequent byte (00/80),
  // a 2-byte tag whose last byte has b8 = 1, a 2-byte tag whose first byte does not announce more,
  // a 3-byte tag whose middle byte ends the tag, 4-byte tags.
  for (const Tag tag : {0x00u, 0xFFu, 0x1Fu, 0x9Fu, 0x9F00u, 0x9F80u, 0x9F81u, 0x4F01u, 0xFF01u, 0xDF0101u,
                        0x9F8101u | 0x80u, 0x9F818101u}) {
    EXPECT_FALSE(is_valid_tag(tag)) << tag_hex(tag);
  }
  EXPECT_EQ(tag_size(0x4F), 1u);
  EXPECT_EQ(tag_size(0x9F7F), 2u);
  EXPECT_EQ(tag_size(0xDF8101), 3u);
  EXPECT_THROW(tag_size(0x9F), Error);
  EXPECT_TRUE(is_constructed_tag(0xBF0C));
  EXPECT_FALSE(is_constructed_tag(0x9F7F));
  EXPECT_EQ(tag_hex(0xDF8101), "DF8101");
  EXPECT_EQ(tag_hex(0x4F), "4F");
}

TEST(TlvLengths, MinimalEncodingOfOneToFiveBytes) {
  const std::pair<std::size_t, const char*> cases[] = {
      {0, "00"},
      {0x7F, "7F"},
      {0x80, "8180"},
      {0xFF, "81FF"},
      {0x100, "820100"},
      {0xFFFF, "82FFFF"},
      {0x10000, "83010000"},
      {0xFFFFFF, "83FFFFFF"},
      {0x1000000, "8401000000"},
      {0xFFFFFFFF, "84FFFFFFFF"},
  };
  for (const auto& [length, hex] : cases) {
    Bytes out;
    encode_length(out, length);
    EXPECT_EQ(to_hex(out), hex);
    EXPECT_EQ(length_field_size(length), out.size());
  }
  Bytes out;
  EXPECT_THROW(encode_length(out, std::size_t{0x100000000ULL}), Error);
}

TEST(TlvParse, MultiByteTagsAndLongLengths) {
  // 2-byte tag 9F7F with an 81-form length; 3-byte tag DF8101 with a 82-form length.
  Bytes raw = from_hex("9F7F 8180");
  raw.resize(raw.size() + 0x80, 0xA5);
  const Bytes tail_header = from_hex("DF8101 820100");
  raw.insert(raw.end(), tail_header.begin(), tail_header.end());
  raw.resize(raw.size() + 0x100, 0x3C);
  const auto objects = parse_tlv_sequence(raw);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].tag(), 0x9F7Fu);
  EXPECT_EQ(objects[0].value(), Bytes(0x80, 0xA5));
  EXPECT_EQ(objects[1].tag(), 0xDF8101u);
  EXPECT_EQ(objects[1].value().size(), 0x100u);
  Bytes again;
  for (const auto& object : objects) object.encode_to(again);
  EXPECT_EQ(again, raw);
}

TEST(TlvParse, ThreeAndFourByteLengthForms) {
  Bytes three = from_hex("04 83010000");
  three.resize(three.size() + 0x10000, 0x11);
  EXPECT_EQ(parse_tlv(three).value().size(), 0x10000u);
  Bytes four = from_hex("04 8401000000");
  four.resize(four.size() + 0x1000000, 0x22);
  const Tlv big = parse_tlv(four);
  EXPECT_EQ(big.value().size(), 0x1000000u);
  EXPECT_EQ(big.encode().size(), four.size());
}

TEST(TlvParse, NonMinimalLengthsRefusedByDefaultAcceptedByOption) {
  const char* non_minimal[] = {"04 8105 0102030405", "04 820005 0102030405", "04 83000005 0102030405",
                               "04 8400000005 0102030405", "04 820080"};
  TlvParseOptions lenient;
  lenient.minimal_lengths = false;
  for (const char* hex : non_minimal) {
    Bytes raw = from_hex(hex);
    if (raw.size() == 4) raw.resize(4 + 0x80, 0x00);  // 82 0080 followed by 128 bytes
    expect_tlv_refused(raw, "non-minimal length field");
    const Tlv object = parse_tlv(raw, lenient);
    EXPECT_EQ(object.tag(), 0x04u);
    // Our encoder writes the minimal form, so the round trip shortens the input.
    EXPECT_LT(object.encode().size(), raw.size());
  }
}

TEST(TlvParse, RefusesIndefiniteAndOversizedLengthFields) {
  expect_tlv_refused(from_hex("30 80 0400 0000"), "indefinite length (80) of tag 30");
  expect_tlv_refused(from_hex("04 85 0000000001 AA"), "announces 5 length bytes");
  expect_tlv_refused(from_hex("04 FF"), "announces 127 length bytes");
}

TEST(TlvParse, RefusesTruncatedInput) {
  expect_tlv_refused(from_hex("9F"), "tag 9F truncated");
  expect_tlv_refused(from_hex("DF81"), "tag DF81 truncated");
  expect_tlv_refused(from_hex("4F"), "length of tag 4F missing");
  expect_tlv_refused(from_hex("4F 82 01"), "length field of tag 4F truncated");
  expect_tlv_refused(from_hex("4F 05 0102"), "value of tag 4F needs 5 bytes but only 2 remain");
  expect_tlv_refused(from_hex("6F 04 4F 05 0102"), "value of tag 4F needs 5 bytes but only 2 remain at offset 3");
}

TEST(TlvParse, RefusesBadTags) {
  expect_tlv_refused(from_hex("9F00 01 AA"), "leading zero bits in tag number");
  expect_tlv_refused(from_hex("9F80 01 AA"), "leading zero bits in tag number");
  expect_tlv_refused(from_hex("9F818101 01 AA"), "longer than 3 bytes");
}

TEST(TlvParse, PaddingRefusedByDefaultSkippedByOption) {
  const Bytes padded = from_hex("00 FF 4F 01 AA 00 00 6F 03 8001BB FF");
  expect_tlv_refused(padded, "byte 00 where a tag was expected");
  expect_tlv_refused(from_hex("4F 01 AA FF"), "byte FF where a tag was expected (padding is refused");
  TlvParseOptions skip;
  skip.skip_padding = true;
  const auto objects = parse_tlv_sequence(padded, skip);
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_EQ(objects[0].value(), from_hex("AA"));
  EXPECT_EQ(objects[1].child(0x80).value(), from_hex("BB"));
  EXPECT_TRUE(parse_tlv_sequence(from_hex("00 FF 00"), skip).empty());
  EXPECT_EQ(parse_tlv(from_hex("FF 4F 01 AA 00"), skip).tag(), 0x4Fu);
}

TEST(TlvParse, NestedConstructedObjects) {
  // FCI template: 6F { 84 AID, A5 { 9F65 01 FF, BF0C { 73 { 06 OID } } } }
  const Bytes raw = from_hex("6F 19 84 08 A000000151000000 A5 0D 9F65 01 FF BF0C 06 73 04 06 02 2A03");
  const Tlv fci = parse_tlv(raw);
  EXPECT_TRUE(fci.is_constructed());
  ASSERT_EQ(fci.children().size(), 2u);
  EXPECT_EQ(fci.child(0x84).value(), from_hex("A000000151000000"));
  const Tlv* oid = fci.find_path({0xA5, 0xBF0C, 0x73, 0x06});
  ASSERT_NE(oid, nullptr);
  EXPECT_EQ(oid->value(), from_hex("2A03"));
  EXPECT_EQ(fci.find_path({0xA5, 0x73}), nullptr);
  EXPECT_EQ(fci.find_path({}), &fci);
  EXPECT_EQ(fci.find_descendant(0x06), oid);
  EXPECT_EQ(fci.find_descendant(0x6F), nullptr);
  EXPECT_EQ(fci.child(0xA5).child(0x9F65).value(), from_hex("FF"));
  EXPECT_EQ(fci.child(0xA5).value_bytes(), from_hex("9F65 01 FF BF0C 06 73 04 06 02 2A03"));
  EXPECT_EQ(fci.value_size(), 0x19u);
  EXPECT_EQ(fci.encode(), raw);
  EXPECT_THROW(static_cast<void>(fci.value()), Error);
  try {
    fci.child(0x4F);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("6F has no child 4F"), std::string::npos) << e.what();
  }
}

TEST(TlvParse, ConstructedValueMustItselfBeTlv) {
  expect_tlv_refused(from_hex("6F 03 4F 05 AA"), "value of tag 4F needs 5 bytes but only 1 remain");
  // A flat parse does not look inside, so such data is readable one level at a time.
  const Bytes data = from_hex("6F 03 4F 05 AA 80 01 01");  // the views point into it
  const auto flat = parse_tlv_flat(data);
  ASSERT_EQ(flat.size(), 2u);
  EXPECT_TRUE(flat[0].constructed);
  EXPECT_EQ(Bytes(flat[0].value.begin(), flat[0].value.end()), from_hex("4F05AA"));
  EXPECT_EQ(flat[1].offset, 5u);
  const auto value = find_tlv_value(data, 0x80);
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(Bytes(value->begin(), value->end()), from_hex("01"));
  EXPECT_FALSE(find_tlv_value(from_hex("80 01 01"), 0x81).has_value());
  EXPECT_THROW(find_tlv_value(from_hex("80 02 01"), 0x80), Error);
}

Bytes nested(std::size_t depth) {
  // depth levels of E1 wrappers around one primitive 80 00 (total objects depth + 1).
  Tlv object = Tlv::primitive(0x80, {});
  for (std::size_t i = 0; i < depth; ++i) object = Tlv::constructed(0xE1, {object});
  return object.encode();
}

TEST(TlvParse, DepthLimit) {
  TlvParseOptions options;
  options.max_depth = 4;
  EXPECT_NO_THROW(parse_tlv(nested(3), options));  // 4 levels including the primitive
  expect_tlv_refused(nested(4), "nested deeper than 4 levels", options);
  EXPECT_NO_THROW(parse_tlv(nested(kDefaultTlvDepth - 1)));
  expect_tlv_refused(nested(kDefaultTlvDepth), "nested deeper than 16 levels");
  // Callers cannot raise the bound above kMaxTlvDepth.
  options.max_depth = 1000;
  EXPECT_NO_THROW(parse_tlv(nested(kMaxTlvDepth - 1), options));
  expect_tlv_refused(nested(kMaxTlvDepth), "nested deeper than 64 levels", options);
  options.max_depth = 0;
  EXPECT_THROW(parse_tlv_sequence(nested(1), options), Error);
}

TEST(TlvParse, ExactlyOneObject) {
  EXPECT_THROW(parse_tlv(from_hex("")), Error);
  try {
    parse_tlv(from_hex("4F00 4F00"));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("expected exactly one data object, found 2"), std::string::npos);
  }
  EXPECT_TRUE(parse_tlv_sequence(from_hex("")).empty());
}

TEST(TlvBuilder, EncodesExpectedBytes) {
  Tlv e3 = Tlv::constructed(0xE3);
  e3.add(Tlv::primitive(0x4F, from_hex("A0000001510000")))
      .add(Tlv::primitive(0x9F70, from_hex("07")))
      .add(Tlv::constructed(0xA5, {Tlv::primitive(0x80, {})}));
  EXPECT_EQ(to_hex(e3.encode()), "E3114F07A00000015100009F700107A5028000");
  EXPECT_EQ(e3.encoded_size(), 0x13u);
  EXPECT_EQ(e3.find_all(0x4F).size(), 1u);
  // 200-byte value: the length needs the 81 form, which moves the enclosing length to 81 too.
  const Tlv outer = Tlv::constructed(0x70, {Tlv::primitive(0xDF8101, Bytes(200, 0xEE))});
  const Bytes raw = outer.encode();
  EXPECT_EQ(to_hex(Bytes(raw.begin(), raw.begin() + 8)), "7081CDDF810181C8");
  EXPECT_EQ(raw.size(), 3u + 0xCDu);
}

TEST(TlvBuilder, RefusesMisuse) {
  EXPECT_THROW(Tlv::primitive(0x6F, {}), Error);  // constructed tag
  EXPECT_THROW(Tlv::constructed(0x4F), Error);    // primitive tag
  EXPECT_THROW(Tlv::primitive(0x9F, {}), Error);  // invalid tag
  EXPECT_THROW(Tlv::primitive(0x9F818101, {}), Error);
  Tlv primitive = Tlv::primitive(0x4F, {});
  try {
    primitive.add(Tlv::primitive(0x80, {}));
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::state_error);
  }
}

TEST(TlvBuilder, ParseOfEncodeIsIdentity) {
  const Tlv original = Tlv::constructed(
      0xBF0C, {Tlv::primitive(0x5F2D, from_hex("656E6672")),
               Tlv::constructed(0x61, {Tlv::primitive(0x4F, from_hex("A000000003")), Tlv::primitive(0x50, {})}),
               Tlv::primitive(0xDF8101, Bytes(300, 0x01)), Tlv::constructed(0xE0)});
  const Tlv parsed = parse_tlv(original.encode());
  EXPECT_EQ(parsed, original);
  EXPECT_EQ(parsed.encode(), original.encode());
  EXPECT_NE(parsed, Tlv::constructed(0xBF0C));
}

}  // namespace
}  // namespace sefleet::iso7816

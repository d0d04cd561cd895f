// DATASEND manifest (gp/broadcast/image_manifest.hpp): the encoding against bytes written out by hand
// in Python, round trips, and every refusal of the parser one by one.
#include <gtest/gtest.h>

#include <string>

#include "broadcast_known_answers.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/broadcast/image_manifest.hpp"

namespace sefleet::gp::broadcast::testing {
namespace {

ImageManifest known_manifest() {
  ImageManifest manifest;
  manifest.type = ImageType::application;
  manifest.platform_id = {1, 2, 3, 4, 5, 6, 7, 8};
  manifest.version = 0x00010203;
  manifest.name = "wallet-1.2";
  return manifest;
}

const Bytes kBody = counting(0x00, 40);

// The manifest field list of kDatasend with one field replaced (or dropped, or added), re-wrapped in
// E0 and followed by `body`.
Bytes with_fields(const std::string& fields_hex, ByteView body = kBody) {
  const Bytes fields = from_hex(fields_hex);
  Bytes out{0xE0, static_cast<std::uint8_t>(fields.size())};
  append(out, fields);
  append(out, body);
  return out;
}

const std::string kMagic = "8004 53454649";
const std::string kFormat = "810101";
const std::string kType = "820102";
const std::string kPlatform = "8308 0102030405060708";
const std::string kVersion = "8404 00010203";
const std::string kBodyLength = "8504 00000028";
const std::string kName = "860A 77616C6C65742D312E32";

std::string manifest_all_but(const std::string& skip, const std::string& replacement) {
  std::string out;
  for (const auto* field : {&kMagic, &kFormat, &kType, &kPlatform, &kVersion, &kBodyLength, &kName}) {
    out += " " + (*field == skip ? replacement : *field);
  }
  return out;
}

void expect_manifest_parse_error(ByteView datasend, const std::string& needle) {
  try {
    (void)parse_datasend(datasend);
    FAIL() << "accepted; expected a parse error containing \"" << needle << "\"";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::parse_error) << error.what();
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
        << "message \"" << error.what() << "\" lacks \"" << needle << "\"";
  }
}

TEST(BroadcastManifest, EncodesTheHandWrittenKnownAnswer) {
  EXPECT_EQ(to_hex(encode_datasend(known_manifest(), kBody)), to_hex(kDatasend));
  EXPECT_EQ(encode_manifest(known_manifest(), kBody.size()), Bytes(kDatasend.begin(), kDatasend.begin() + 48));
}

TEST(BroadcastManifest, ParsesTheKnownAnswer) {
  const ParsedDatasend parsed = parse_datasend(kDatasend);
  EXPECT_EQ(parsed.manifest, known_manifest());
  EXPECT_EQ(parsed.manifest_size, 48u);
  EXPECT_EQ(Bytes(parsed.body.begin(), parsed.body.end()), kBody);
  EXPECT_EQ(parsed.body.data(), kDatasend.data() + 48) << "the body is a view, not a copy";
}

TEST(BroadcastManifest, RoundTripsEveryTypeEmptyBodyMaxNameAndMaxVersion) {
  // 64 bytes, ending in a 2-byte character. Appended to a named string: GCC 12 reports a false
  // -Warray-bounds for `std::string(62, 'n') + "..."` once that temporary is inlined at -O2.
  std::string max_name(62, 'n');
  max_name.append("\xC3\xA9");
  for (const auto type : {ImageType::os, ImageType::application, ImageType::data, ImageType::keys}) {
    ImageManifest manifest = known_manifest();
    manifest.type = type;
    manifest.version = 0xFFFFFFFF;
    manifest.name = max_name;
    const Bytes datasend = encode_datasend(manifest, {});
    const ParsedDatasend parsed = parse_datasend(datasend);
    EXPECT_EQ(parsed.manifest, manifest);
    EXPECT_TRUE(parsed.body.empty());
    EXPECT_EQ(parsed.manifest_size, datasend.size());
  }
  ImageManifest unnamed = known_manifest();
  unnamed.name.clear();
  EXPECT_EQ(parse_datasend(encode_datasend(unnamed, kBody)).manifest, unnamed);
}

TEST(BroadcastManifest, AcceptsFieldsInAnyOrder) {
  const Bytes reordered = with_fields(kName + kBodyLength + kVersion + kPlatform + kType + kFormat + kMagic);
  EXPECT_EQ(parse_datasend(reordered).manifest, known_manifest());
}

TEST(BroadcastManifest, NameRulesAreStrictUtf8WithoutControls) {
  EXPECT_TRUE(is_valid_image_name(""));
  EXPECT_TRUE(is_valid_image_name("OS 7 \xE2\x82\xAC \xF0\x9F\x94\x91"));  // euro sign, key emoji
  EXPECT_FALSE(is_valid_image_name("\xC0\xAF"));                           // overlong '/'
  EXPECT_FALSE(is_valid_image_name("\xE0\x80\xAF"));                       // overlong 3-byte
  EXPECT_FALSE(is_valid_image_name("\xF0\x80\x80\xAF"));                   // overlong 4-byte
  EXPECT_FALSE(is_valid_image_name("\xED\xA0\x80"));                       // surrogate D800
  EXPECT_FALSE(is_valid_image_name("\xF4\x90\x80\x80"));                   // above U+10FFFF
  EXPECT_FALSE(is_valid_image_name("\xF5\x80\x80\x80"));
  EXPECT_FALSE(is_valid_image_name("\x80"));     // lone continuation
  EXPECT_FALSE(is_valid_image_name("ab\xC3"));   // truncated sequence
  EXPECT_FALSE(is_valid_image_name("a\xC3(b"));  // bad continuation
  EXPECT_FALSE(is_valid_image_name("line\nbreak"));
  EXPECT_FALSE(is_valid_image_name("esc\x1B[2J"));
  EXPECT_FALSE(is_valid_image_name("del\x7F"));
  EXPECT_FALSE(is_valid_image_name(std::string("nul\0x", 5)));
}

TEST(BroadcastManifest, EncoderRefusesWhatTheParserWouldRefuse) {
  ImageManifest manifest = known_manifest();
  manifest.name = std::string(65, 'n');
  EXPECT_THROW((void)encode_datasend(manifest, kBody), Error);
  manifest.name = "bad\xFF";
  EXPECT_THROW((void)encode_datasend(manifest, kBody), Error);
  manifest = known_manifest();
  manifest.type = static_cast<ImageType>(0x05);
  EXPECT_THROW((void)encode_datasend(manifest, kBody), Error);
  manifest.type = static_cast<ImageType>(0x00);
  EXPECT_THROW((void)encode_manifest(manifest, 0), Error);
  EXPECT_THROW((void)encode_manifest(known_manifest(), std::size_t{0x100000000}), Error);
  try {
    (void)encode_manifest(known_manifest(), std::size_t{0x100000000});
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::invalid_argument);
  }
}

TEST(BroadcastManifestRefusals, HeaderAndFraming) {
  expect_manifest_parse_error({}, "0 bytes cannot hold the E0 header");
  expect_manifest_parse_error(Bytes{0xE0}, "1 bytes cannot hold the E0 header");
  expect_manifest_parse_error(from_hex("E100"), "must start with tag E0, got E1");
  expect_manifest_parse_error(from_hex("E08130"), "one-byte form");
  expect_manifest_parse_error(from_hex("E0820030"), "one-byte form");
  expect_manifest_parse_error(from_hex("E00580045345"), "declares 5 value bytes but only 4 follow");
  // E0 whose value is not well-formed TLV.
  expect_manifest_parse_error(from_hex("E003800553"), "DATASEND manifest:");
}

TEST(BroadcastManifestRefusals, EachFieldOneByOne) {
  expect_manifest_parse_error(with_fields(manifest_all_but(kMagic, "8004 53454646")), "tag 80 is not \"SEFI\"");
  expect_manifest_parse_error(with_fields(manifest_all_but(kMagic, "8003 534546")), "tag 80 must be 4 bytes, got 3");
  expect_manifest_parse_error(with_fields(manifest_all_but(kMagic, "")), "tag 80 is missing");
  expect_manifest_parse_error(with_fields(manifest_all_but(kFormat, "810102")),
                              "tag 81 format version 02 is not supported");
  expect_manifest_parse_error(with_fields(manifest_all_but(kFormat, "81020100")), "tag 81 must be 1 bytes, got 2");
  expect_manifest_parse_error(with_fields(manifest_all_but(kType, "820100")), "tag 82 image type 00 is unknown");
  expect_manifest_parse_error(with_fields(manifest_all_but(kType, "820105")), "tag 82 image type 05 is unknown");
  expect_manifest_parse_error(with_fields(manifest_all_but(kType, "")), "tag 82 is missing");
  expect_manifest_parse_error(with_fields(manifest_all_but(kPlatform, "8307 01020304050607")),
                              "tag 83 must be 8 bytes, got 7");
  expect_manifest_parse_error(with_fields(manifest_all_but(kVersion, "8405 0000010203")),
                              "tag 84 must be 4 bytes, got 5");
  expect_manifest_parse_error(with_fields(manifest_all_but(kBodyLength, "8502 0028")), "tag 85 must be 4 bytes, got 2");
  expect_manifest_parse_error(with_fields(manifest_all_but(kName, "")), "tag 86 is missing");
  expect_manifest_parse_error(with_fields(manifest_all_but(kName, "8641 " + std::string(130, '6'))),
                              "tag 86 name must be at most 64 bytes, got 65");
  expect_manifest_parse_error(with_fields(manifest_all_but(kName, "8602 C328")), "tag 86 name is not valid UTF-8");
  expect_manifest_parse_error(with_fields(manifest_all_but(kName, "8602 410A")), "contains a control character");
}

TEST(BroadcastManifestRefusals, UnknownDuplicateAndConstructedFields) {
  expect_manifest_parse_error(with_fields(manifest_all_but(kName, kName + " 8700")), "tag 87 is not allowed here");
  expect_manifest_parse_error(with_fields(manifest_all_but(kType, kType + " 820102")), "tag 82 appears twice");
  expect_manifest_parse_error(with_fields(manifest_all_but(kName, kName + " A0 00")), "tag A0 is not allowed here");
  // A constructed object under an allowed number is refused as constructed/unknown, never parsed as data.
  expect_manifest_parse_error(with_fields(manifest_all_but(kPlatform, "A308 8306010203040506")), "tag A3");
}

TEST(BroadcastManifestRefusals, BodyLengthMustMatchTheBytesAfterTheManifest) {
  // The known answer without its last byte (built from the range: copying it and popping the last
  // byte made GCC 12 at -O3 warn of an out-of-bounds destroy on a possibly empty vector).
  const Bytes short_body(kDatasend.begin(), kDatasend.end() - 1);
  expect_manifest_parse_error(short_body, "tag 85 declares a body of 40 bytes but 39 bytes follow the manifest");
  Bytes long_body = kDatasend;
  long_body.push_back(0x00);
  expect_manifest_parse_error(long_body, "tag 85 declares a body of 40 bytes but 41 bytes follow the manifest");
  expect_manifest_parse_error(with_fields(manifest_all_but(kBodyLength, "8504 FFFFFFFF")),
                              "declares a body of 4294967295 bytes");
  // Only the manifest, no body at all.
  expect_manifest_parse_error(Bytes(kDatasend.begin(), kDatasend.begin() + 48), "but 0 bytes follow");
}

TEST(BroadcastManifestRefusals, EveryTruncationOfTheKnownAnswerIsRefused) {
  for (std::size_t size = 0; size < kDatasend.size(); ++size) {
    EXPECT_THROW((void)parse_datasend(ByteView(kDatasend).first(size)), Error) << "size " << size;
  }
}

}  // namespace
}  // namespace sefleet::gp::broadcast::testing

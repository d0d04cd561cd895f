// The `.sfjc` container: round trips, every rule the writer refuses, and every way a file can be
// damaged (bad magic, unknown version, truncation at every byte, trailing bytes, any flipped byte,
// a body that disagrees with itself) refused with a message naming the problem.
#include "card/javacard/loadfile/load_file.hpp"

#include <gtest/gtest.h>

#include <string>

#include "card/javacard/loadfile/load_file_rules.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"

namespace sefleet::card::javacard {
namespace {

LoadFile sample() {
  LoadFile file;
  file.package_aid = from_hex("A00000015100");
  file.package_name = "com/example/hello";
  file.major_version = 1;
  file.minor_version = 2;
  file.applets.push_back({"com/example/hello/Hello", from_hex("A0000001510001")});
  file.applets.push_back({"com/example/hello/Other", from_hex("A0000001510002")});
  file.classes.push_back({"com/example/hello/Hello", from_hex("CAFEBABE00000034")});
  file.classes.push_back({"com/example/hello/Other", from_hex("CAFEBABE0000003401")});
  file.classes.push_back({"com/example/hello/Util", from_hex("CAFEBABE000000340203")});
  return file;
}

bool same(const LoadFile& a, const LoadFile& b) {
  if (a.package_aid != b.package_aid || a.package_name != b.package_name || a.major_version != b.major_version ||
      a.minor_version != b.minor_version || a.applets.size() != b.applets.size() ||
      a.classes.size() != b.classes.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.applets.size(); ++i) {
    if (a.applets[i].class_name != b.applets[i].class_name || a.applets[i].aid != b.applets[i].aid) return false;
  }
  for (std::size_t i = 0; i < a.classes.size(); ++i) {
    if (a.classes[i].name != b.classes[i].name || a.classes[i].bytes != b.classes[i].bytes) return false;
  }
  return true;
}

template <typename Action>
std::string refusal(Action&& action) {
  try {
    action();
  } catch (const LoadError& e) {
    return e.what();
  }
  return "accepted";
}

std::string encode_refusal(const LoadFile& file) {
  return refusal([&] { (void)encode_load_file(file); });
}
std::string decode_refusal(ByteView bytes) {
  return refusal([&] { (void)decode_load_file(bytes); });
}

#define EXPECT_MENTIONS(text, fragment) EXPECT_NE((text).find(fragment), std::string::npos) << (text)

// A file around `body` with a correct header and digest (for bodies the writer would never produce).
Bytes framed(ByteView body) {
  Bytes out = bytes_of("SFJC");
  out.push_back(0x01);
  put_be32(out, static_cast<std::uint32_t>(body.size()));
  append(out, body);
  const auto digest = crypto::sha256(out);
  append(out, digest);
  return out;
}

Bytes body_of(ByteView file) {
  return Bytes(file.begin() + 9, file.end() - 32);
}

TEST(JavaCardLoadFile, RoundTrip) {
  const LoadFile file = sample();
  const Bytes bytes = encode_load_file(file);
  EXPECT_TRUE(same(decode_load_file(bytes), file));
  EXPECT_EQ(to_hex(ByteView(bytes).first(5)), "53464A4301");
  EXPECT_EQ(read_be32(bytes, 5) + 9 + 32, bytes.size());
  // Deterministic: the same package gives the same bytes.
  EXPECT_EQ(encode_load_file(file), bytes);
}

TEST(JavaCardLoadFile, RoundTripOfALibraryPackageAndLimits) {
  LoadFile file = sample();
  file.applets.clear();
  file.package_aid = Bytes(16, 0xA5);
  file.major_version = 255;
  file.minor_version = 0;
  EXPECT_TRUE(same(decode_load_file(encode_load_file(file)), file));
  file.package_aid = Bytes(5, 0x01);
  file.package_name = "p";
  file.classes = {{"p/A", Bytes{0x01}}};
  EXPECT_TRUE(same(decode_load_file(encode_load_file(file)), file));
}

TEST(JavaCardLoadFile, ByteLayoutIsTheDocumentedOne) {
  LoadFile file;
  file.package_aid = from_hex("A000000151");
  file.package_name = "a/b";
  file.major_version = 1;
  file.minor_version = 0;
  file.applets.push_back({"a/b/C", from_hex("A00000015101")});
  file.classes.push_back({"a/b/C", from_hex("CAFE")});
  const Bytes bytes = encode_load_file(file);
  EXPECT_EQ(to_hex(body_of(bytes)),
            "05A000000151"  // package AID
            "0003612F62"    // package name "a/b"
            "0100"          // version 1.0
            "01"
            "0005612F622F43"
            "06A00000015101"  // one applet: class "a/b/C", AID
            "0001"
            "0005612F622F43"
            "00000002CAFE");  // one class: name, bytes
  EXPECT_EQ(to_hex(ByteView(bytes).first(9)),
            "53464A4301"
            "0000002B");
}

TEST(JavaCardLoadFile, TheDocumentedExampleReadsAndWritesBack) {
  // docs/formats.md "Java Card load file", section "Example", byte for byte.
  const Bytes documented = from_hex(
      "53 46 4A 43 01 00 00 00 2B 05 A0 00 00 01 51 00"
      "03 61 2F 62 01 00 01 00 05 61 2F 62 2F 43 06 A0"
      "00 00 01 51 01 00 01 00 05 61 2F 62 2F 43 00 00"
      "00 02 CA FE 4D 27 60 F3 A3 5F 27 5F 4C 56 DB 2F"
      "45 40 81 2D 77 1F 58 E2 E1 38 5A 44 75 66 AE 29"
      "78 DE 73 38");
  const LoadFile file = decode_load_file(documented);
  EXPECT_EQ(to_hex(file.package_aid), "A000000151");
  EXPECT_EQ(file.package_name, "a/b");
  ASSERT_EQ(file.applets.size(), 1u);
  EXPECT_EQ(to_hex(file.applets[0].aid), "A00000015101");
  ASSERT_EQ(file.classes.size(), 1u);
  EXPECT_EQ(to_hex(file.classes[0].bytes), "CAFE");
  EXPECT_EQ(encode_load_file(file), documented);
}

TEST(JavaCardLoadFile, WriterRefusesWhatBreaksTheRules) {
  auto with = [](auto change) {
    LoadFile file = sample();
    change(file);
    return encode_refusal(file);
  };
  EXPECT_MENTIONS(with([](LoadFile& f) { f.package_aid = Bytes(4, 1); }), "the package AID has 4 bytes");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.package_aid = Bytes(17, 1); }), "the package AID has 17 bytes");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.applets[1].aid = Bytes(3, 1); }),
                  "the AID of applet com/example/hello/Other has 3 bytes");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.package_name.clear(); }), "no package name");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.package_name = "com.example"; }), "not a package name in internal form");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.package_name = "com//example"; }), "not a package name in internal form");
  EXPECT_MENTIONS(with([](LoadFile& f) {
                    f.classes.clear();
                    f.applets.clear();
                  }),
                  "no class");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.classes[1] = f.classes[0]; }), "duplicate class com/example/hello/Hello");
  EXPECT_MENTIONS(with([](LoadFile& f) { std::swap(f.classes[1], f.classes[2]); }), "not sorted by name");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.classes[2].name = "com/example/other/Util"; }),
                  "class com/example/other/Util is outside package com/example/hello");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.classes[2].name = "com/example/hello/sub/Util"; }),
                  "class com/example/hello/sub/Util is outside package com/example/hello");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.classes[2].name = "com/example/hello/U;til"; }),
                  "not a class name in internal form");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.classes[2].bytes.clear(); }), "class com/example/hello/Util has no bytes");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.applets[0].class_name = "com/example/hello/Missing"; }),
                  "applet class com/example/hello/Missing is not among the classes");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.applets[1].class_name = f.applets[0].class_name; }),
                  "applet class com/example/hello/Hello is declared twice");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.applets[1].aid = f.applets[0].aid; }), "applet AID A0000001510001");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.applets[1].aid = f.package_aid; }), "already the package AID");
  EXPECT_MENTIONS(with([](LoadFile& f) { f.classes[2].bytes = Bytes(kMaxLoadFileSize, 0); }),
                  "larger than a load file may be");
  EXPECT_MENTIONS(with([](LoadFile& f) {
                    f.classes[1].bytes = Bytes(kMaxLoadFileSize / 2, 0);
                    f.classes[2].bytes = Bytes(kMaxLoadFileSize / 2, 0);
                  }),
                  "more than the 1048576 bytes");
}

TEST(JavaCardLoadFile, BadMagicAndVersion) {
  Bytes bytes = encode_load_file(sample());
  Bytes other = bytes;
  other[0] = 'X';
  EXPECT_MENTIONS(decode_refusal(other), "not a sefleet Java Card load file (magic 58464A43");
  EXPECT_MENTIONS(decode_refusal(from_hex("CAFEBABE00000034")), "not a sefleet Java Card load file");
  other = bytes;
  other[4] = 0x02;
  EXPECT_MENTIONS(decode_refusal(other), "unknown format version 02 (this build reads version 01)");
}

TEST(JavaCardLoadFile, TruncationAtEveryByteNamesTheField) {
  const Bytes bytes = encode_load_file(sample());
  for (std::size_t size = 0; size < bytes.size(); ++size) {
    const std::string message = decode_refusal(ByteView(bytes).first(size));
    SCOPED_TRACE("prefix of " + std::to_string(size) + " bytes: " + message);
    EXPECT_MENTIONS(message, "truncated");
  }
  auto at = [&](std::size_t size) { return decode_refusal(ByteView(bytes).first(size)); };
  EXPECT_MENTIONS(at(0), "truncated in the magic (0 of 4 bytes)");
  EXPECT_MENTIONS(at(4), "truncated before the format version");
  EXPECT_MENTIONS(at(7), "truncated in the body length");
  EXPECT_MENTIONS(at(9), "truncated in package AID length");
  EXPECT_MENTIONS(at(12), "truncated in package AID:");
  EXPECT_MENTIONS(at(17), "truncated in package name length");
  EXPECT_MENTIONS(at(20), "truncated in package name:");
  // 9 + 7 (AID) + 19 (name) = 35: the major version
  EXPECT_MENTIONS(at(35), "truncated in major version");
  EXPECT_MENTIONS(at(36), "truncated in minor version");
  EXPECT_MENTIONS(at(37), "truncated in applet count");
  EXPECT_MENTIONS(at(39), "truncated in applet 1 class name length");
  EXPECT_MENTIONS(at(45), "truncated in applet 1 class name:");
  EXPECT_MENTIONS(at(bytes.size() - 40), "(com/example/hello/Util) bytes");
  EXPECT_MENTIONS(at(bytes.size() - 1), "truncated in the SHA-256: the header announces");
}

TEST(JavaCardLoadFile, TrailingBytesAndOversizedFiles) {
  Bytes bytes = encode_load_file(sample());
  bytes.push_back(0x00);
  EXPECT_MENTIONS(decode_refusal(bytes), "1 trailing bytes after the SHA-256");
  Bytes huge = encode_load_file(sample());
  huge.resize(kMaxLoadFileSize + 1);
  EXPECT_MENTIONS(decode_refusal(huge), "more than the 1048576 a load file may have");
  Bytes announces = bytes_of("SFJC");
  announces.push_back(0x01);
  put_be32(announces, 0xFFFFFFF0);
  EXPECT_MENTIONS(decode_refusal(announces), "announces a body of 4294967280 bytes");
}

TEST(JavaCardLoadFile, EveryFlippedByteIsRefused) {
  const Bytes bytes = encode_load_file(sample());
  for (std::size_t at = 0; at < bytes.size(); ++at) {
    Bytes damaged = bytes;
    damaged[at] ^= 0x01;
    const std::string message = decode_refusal(damaged);
    SCOPED_TRACE("byte " + std::to_string(at) + ": " + message);
    EXPECT_NE(message, "accepted");
    if (at >= 9) {
      EXPECT_MENTIONS(message, "SHA-256 mismatch: the file is damaged");
    }
  }
}

TEST(JavaCardLoadFile, BodiesThatDisagreeWithThemselves) {
  const Bytes body = body_of(encode_load_file(sample()));
  Bytes extra = body;
  extra.push_back(0x00);
  EXPECT_MENTIONS(decode_refusal(framed(extra)), "malformed body: 1 unexpected bytes after the last class");
  Bytes shorter(body.begin(), body.end() - 1);
  EXPECT_MENTIONS(decode_refusal(framed(shorter)),
                  "malformed body: class 3 (com/example/hello/Util) bytes needs 10 bytes, only 9 left");
  Bytes more_classes = body;
  // the class count sits after AID, name, version, applets: find it by re-encoding without classes
  const std::size_t class_count_at = body.size() - (2 + (2 + 23 + 4 + 8) + (2 + 23 + 4 + 9) + (2 + 22 + 4 + 10));
  ASSERT_EQ(read_be16(more_classes, class_count_at), 3);
  more_classes[class_count_at + 1] = 4;
  EXPECT_MENTIONS(decode_refusal(framed(more_classes)),
                  "malformed body: class 4 name length needs 2 bytes, only 0 left");
}

TEST(JavaCardLoadFile, ReaderAppliesTheWritersRules) {
  // Hand-made bodies (correct digest) that break each container rule.
  auto body = [](ByteView aid, std::string_view package, std::vector<std::pair<std::string, Bytes>> applets,
                 std::vector<std::string> classes) {
    Bytes out{static_cast<std::uint8_t>(aid.size())};
    append(out, aid);
    put_be16(out, static_cast<std::uint16_t>(package.size()));
    append(out, bytes_of(package));
    append(out, Bytes{1, 0, static_cast<std::uint8_t>(applets.size())});
    for (const auto& [name, applet_aid] : applets) {
      put_be16(out, static_cast<std::uint16_t>(name.size()));
      append(out, bytes_of(name));
      out.push_back(static_cast<std::uint8_t>(applet_aid.size()));
      append(out, applet_aid);
    }
    put_be16(out, static_cast<std::uint16_t>(classes.size()));
    for (const auto& name : classes) {
      put_be16(out, static_cast<std::uint16_t>(name.size()));
      append(out, bytes_of(name));
      put_be32(out, 1);
      out.push_back(0xCA);
    }
    return framed(out);
  };
  const Bytes aid = from_hex("A000000151");
  const Bytes applet = from_hex("A00000015101");
  EXPECT_EQ(decode_refusal(body(aid, "p", {{"p/A", applet}}, {"p/A", "p/B"})), "accepted");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {}, {"p/A", "p/A"})), "duplicate class p/A");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {}, {"p/B", "p/A"})), "not sorted by name");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {}, {"q/A"})), "class q/A is outside package p");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {}, {})), "no class");
  EXPECT_MENTIONS(decode_refusal(body(aid, "", {}, {"A"})), "no package name");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {{"p/C", applet}}, {"p/A"})),
                  "applet class p/C is not among the classes");
  EXPECT_MENTIONS(decode_refusal(body(Bytes(17, 0xA0), "p", {}, {"p/A"})), "the package AID has 17 bytes");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {{"p/A", Bytes(4, 1)}}, {"p/A"})), "the AID of applet p/A has 4 bytes");
  EXPECT_MENTIONS(decode_refusal(body(aid, "p", {{"p/A", applet}, {"p/B", applet}}, {"p/A", "p/B"})),
                  "applet AID A00000015101 of p/B");
}

TEST(JavaCardLoadFile, NameHelpers) {
  EXPECT_EQ(internal_class_name("com.example.Hello"), "com/example/Hello");
  EXPECT_EQ(package_of("com/example/Hello"), "com/example");
  EXPECT_EQ(package_of("Hello"), "");
}

}  // namespace
}  // namespace sefleet::card::javacard

// Command/response APDU codec: every ISO/IEC 7816-4 §5.1 case in short and extended form, and every
// malformed length refused with a message naming the problem.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::iso7816 {
namespace {

Bytes filled(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return out;
}

// Parses `raw` expecting a refusal whose message contains `fragment`, via both entry points.
void expect_refused(const Bytes& raw, const std::string& fragment) {
  SCOPED_TRACE(to_hex(raw).substr(0, 40));
  std::string reason;
  EXPECT_FALSE(CommandApdu::try_parse(raw, &reason).has_value());
  EXPECT_NE(reason.find(fragment), std::string::npos) << reason;
  try {
    CommandApdu::parse(raw);
    ADD_FAILURE() << "parse accepted a malformed APDU";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::parse_error);
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

// The parse in place: the same header, Ne and form as the parse that copies, the data field a view
// into the parsed bytes, and the same refusals with the same reasons.
TEST(CommandApduView, SameAsTheCopyingParseAndTheDataStaysInPlace) {
  const std::vector<Bytes> commands = {
      Bytes{0x00, 0xA4, 0x04, 0x00},
      Bytes{0x00, 0xB0, 0x00, 0x00, 0x00},
      concat({Bytes{0x80, 0xE8, 0x00, 0x00, 0x10}, filled(16), Bytes{0x00}}),
      concat({Bytes{0x80, 0xE8, 0x00, 0x00, 0x00, 0x01, 0x2C}, filled(300)}),
      concat({Bytes{0x80, 0xE8, 0x00, 0x00, 0x00, 0x01, 0x2C}, filled(300), Bytes{0x00, 0x00}}),
      Bytes{0x00, 0xB0, 0x00, 0x00, 0x00, 0x01, 0x00},
  };
  for (const Bytes& raw : commands) {
    const auto view = CommandApdu::try_parse_view(raw);
    ASSERT_TRUE(view) << to_hex(raw);
    const CommandApdu copied = CommandApdu::parse(raw);
    EXPECT_TRUE(view->header.data.empty());
    EXPECT_EQ(view->uses_extended(), copied.uses_extended()) << to_hex(raw);
    if (!view->data.empty()) {
      EXPECT_GE(view->data.data(), raw.data());
      EXPECT_LE(view->data.data() + view->data.size(), raw.data() + raw.size());
    }
    CommandApduView moved = *view;
    const CommandApdu whole = std::move(moved).to_command();
    EXPECT_EQ(whole.encode(), raw) << to_hex(raw);
    EXPECT_EQ(whole.encode(), copied.encode());
    EXPECT_EQ(whole.extended, copied.extended);
  }
  for (const Bytes& bad :
       {Bytes{0x00, 0xA4, 0x04}, Bytes{0x00, 0xA4, 0x04, 0x00, 0x02, 0x01}, Bytes{0x00, 0xA4, 0x04, 0x00, 0x00, 0x01},
        Bytes{0x00, 0xA4, 0x04, 0x00, 0x00, 0x00, 0x00, 0x01}}) {
    std::string by_view, by_copy;
    EXPECT_FALSE(CommandApdu::try_parse_view(bad, &by_view));
    EXPECT_FALSE(CommandApdu::try_parse(bad, &by_copy));
    EXPECT_FALSE(by_view.empty());
    EXPECT_EQ(by_view, by_copy) << to_hex(bad);
  }
}

TEST(CommandApdu, Case1) {
  const auto apdu = CommandApdu::parse(from_hex("00A40400"));
  EXPECT_EQ(apdu.apdu_case(), ApduCase::one);
  EXPECT_EQ(apdu.cla, 0x00);
  EXPECT_EQ(apdu.ins, 0xA4);
  EXPECT_EQ(apdu.p1, 0x04);
  EXPECT_EQ(apdu.p2, 0x00);
  EXPECT_TRUE(apdu.data.empty());
  EXPECT_FALSE(apdu.ne.has_value());
  EXPECT_EQ(apdu.encode(), from_hex("00A40400"));
}

TEST(CommandApdu, Case2ShortLe00Means256) {
  const auto apdu = CommandApdu::parse(from_hex("00CA9F7F00"));
  EXPECT_EQ(apdu.apdu_case(), ApduCase::two);
  EXPECT_EQ(apdu.ne, 256u);
  EXPECT_FALSE(apdu.extended);
  EXPECT_EQ(apdu.encode(), from_hex("00CA9F7F00"));
  EXPECT_EQ(CommandApdu::parse(from_hex("00CA9F7F2D")).ne, 0x2Du);
}

TEST(CommandApdu, Case3And4Short) {
  const auto c3 = CommandApdu::parse(from_hex("80E60200 03 AABBCC"));
  EXPECT_EQ(c3.apdu_case(), ApduCase::three);
  EXPECT_EQ(c3.data, from_hex("AABBCC"));
  EXPECT_FALSE(c3.ne.has_value());
  const auto c4 = CommandApdu::parse(from_hex("00A40400 07 A0000001510000 00"));
  EXPECT_EQ(c4.apdu_case(), ApduCase::four);
  EXPECT_EQ(c4.data, from_hex("A0000001510000"));
  EXPECT_EQ(c4.ne, 256u);
  EXPECT_EQ(c4.encode(), from_hex("00A40400 07 A0000001510000 00"));
}

TEST(CommandApdu, Case2ExtendedThreeByteLe) {
  const auto apdu = CommandApdu::parse(from_hex("00B00000 000100"));
  EXPECT_EQ(apdu.apdu_case(), ApduCase::two);
  EXPECT_TRUE(apdu.extended);
  EXPECT_EQ(apdu.ne, 256u);
  EXPECT_EQ(apdu.encode(), from_hex("00B00000 000100"));
  // 00 0000 is the extended Le for 65536.
  EXPECT_EQ(CommandApdu::parse(from_hex("00B00000 000000")).ne, kMaxExtendedNe);
  EXPECT_EQ(CommandApdu::parse(from_hex("00B00000 00FFFF")).ne, 65535u);
}

TEST(CommandApdu, Case3And4Extended) {
  const Bytes data = filled(300);
  Bytes raw = from_hex("00DA0000 00012C");
  raw.insert(raw.end(), data.begin(), data.end());
  const auto c3 = CommandApdu::parse(raw);
  EXPECT_EQ(c3.apdu_case(), ApduCase::three);
  EXPECT_EQ(c3.data, data);
  EXPECT_EQ(c3.encode(), raw);

  raw.push_back(0x00);
  raw.push_back(0x00);
  const auto c4 = CommandApdu::parse(raw);
  EXPECT_EQ(c4.apdu_case(), ApduCase::four);
  EXPECT_EQ(c4.ne, kMaxExtendedNe);
  EXPECT_EQ(c4.encode(), raw);
}

TEST(CommandApdu, EncodeChoosesExtendedOnlyWhenNeeded) {
  EXPECT_EQ(CommandApdu(0x00, 0xB0, 0, 0, {}, 256).encode(), from_hex("00B0000000"));
  EXPECT_EQ(CommandApdu(0x00, 0xB0, 0, 0, {}, 257).encode(), from_hex("00B00000000101"));
  EXPECT_EQ(CommandApdu(0x00, 0xB0, 0, 0, {}, 65536).encode(), from_hex("00B00000000000"));
  CommandApdu forced(0x00, 0xD6, 0, 0, from_hex("01"), 1);
  forced.extended = true;
  EXPECT_EQ(forced.encode(), from_hex("00D60000 000001 01 0001"));
  EXPECT_EQ(CommandApdu(0x00, 0xD6, 0, 0, filled(255)).encode().size(), 4u + 1u + 255u);
  EXPECT_EQ(CommandApdu(0x00, 0xD6, 0, 0, filled(256)).encode().size(), 4u + 3u + 256u);
}

TEST(CommandApdu, RoundTripsEveryCaseAndForm) {
  for (const std::size_t size : {0u, 1u, 255u, 256u, 65535u}) {
    for (const std::optional<std::size_t> ne :
         {std::optional<std::size_t>{}, std::optional<std::size_t>{1}, std::optional<std::size_t>{256},
          std::optional<std::size_t>{257}, std::optional<std::size_t>{65536}}) {
      for (const bool extended : {false, true}) {
        CommandApdu apdu(0x84, 0xE8, 0x80, 0x01, filled(size), ne);
        apdu.extended = extended;
        SCOPED_TRACE("size " + std::to_string(size) + " ne " + std::to_string(ne.value_or(0)) + " ext " +
                     std::to_string(extended));
        const Bytes raw = apdu.encode();
        const auto back = CommandApdu::parse(raw);
        EXPECT_EQ(back.data, apdu.data);
        EXPECT_EQ(back.ne, apdu.ne);
        if (apdu.apdu_case() == ApduCase::one) {
          EXPECT_EQ(raw.size(), 4u);  // case 1 has no length field, so no extended form either
        } else {
          EXPECT_EQ(back.uses_extended(), apdu.uses_extended());
        }
        EXPECT_EQ(back.encode(), raw);
      }
    }
  }
}

TEST(CommandApdu, RefusesShorterThanHeader) {
  expect_refused(from_hex(""), "shorter than the 4-byte header");
  expect_refused(from_hex("00A404"), "3 bytes is shorter than the 4-byte header");
}

TEST(CommandApdu, RefusesShortLcZero) {
  // 00 as the first body byte means extended; a lone 00 plus a data byte is a truncated extended field.
  expect_refused(from_hex("00D60000 00 AA"), "extended length field truncated");
}

TEST(CommandApdu, RefusesShortLcMismatch) {
  expect_refused(from_hex("00D60000 03 AABB"), "short Lc=3 but 2 bytes follow");
  expect_refused(from_hex("00D60000 02 AABBCCDD"), "short Lc=2 but 4 bytes follow");
}

TEST(CommandApdu, RefusesExtendedLcWithoutMarker) {
  // 01 00 would be an extended Lc of 256 but lacks the 00 marker: it reads as short Lc=1.
  Bytes raw = from_hex("00D60000 0100");
  raw.resize(raw.size() + 256, 0x5A);
  expect_refused(raw, "short Lc=1 but 257 bytes follow");
}

TEST(CommandApdu, RefusesExtendedLcZeroAndMismatch) {
  expect_refused(from_hex("00D60000 000000 AA"), "extended Lc of 0000 is not allowed");
  expect_refused(from_hex("00D60000 000003 AABB"), "extended Lc=3 but 2 bytes follow");
  // A one-byte Le after extended data is neither case 3E nor 4E.
  expect_refused(from_hex("00D60000 000002 AABB 00"), "extended Lc=2 but 3 bytes follow");
}

TEST(CommandApdu, RefusesTrailingBytes) {
  expect_refused(from_hex("00D60000 000002 AABB 000000"), "extended Lc=2 but 5 bytes follow");
  expect_refused(from_hex("00D60000 01 AA 00 00"), "short Lc=1 but 3 bytes follow");
}

TEST(CommandApdu, RefusesMalformedThreeByteLeForms) {
  // 00 xx: an extended field cut after one byte.
  expect_refused(from_hex("00B00000 0001"), "extended length field truncated");
  // 00 xxxx yy: three bytes of extended Le plus one is an Lc of xxxx with too little data.
  expect_refused(from_hex("00B00000 000100 FF"), "extended Lc=256 but 1 bytes follow");
}

TEST(CommandApdu, EncodeRefusesOversizedDataAndBadNe) {
  try {
    CommandApdu(0x00, 0xD6, 0, 0, Bytes(65536, 0x00)).encode();
    FAIL() << "encoded 65536 data bytes";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument);
    EXPECT_NE(std::string(e.what()).find("65536 bytes exceeds 65535"), std::string::npos) << e.what();
  }
  for (const std::size_t ne : {std::size_t{0}, std::size_t{65537}}) {
    try {
      CommandApdu(0x00, 0xB0, 0, 0, {}, ne).encode();
      FAIL() << "encoded Ne=" << ne;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("Ne must be 1..65536, got " + std::to_string(ne)), std::string::npos);
    }
  }
  EXPECT_NO_THROW(CommandApdu(0x00, 0xD6, 0, 0, Bytes(65535, 0x00), 65536).encode());
}

TEST(CommandApdu, ChannelAndClassHelpers) {
  EXPECT_EQ(CommandApdu(0x03, 0, 0, 0).channel(), 3);
  EXPECT_EQ(CommandApdu(0x4F, 0, 0, 0).channel(), 19);
  EXPECT_EQ(CommandApdu(0x87, 0, 0, 0).channel(), 3);
  EXPECT_TRUE(CommandApdu(0x84, 0, 0, 0).is_proprietary_class());
  EXPECT_FALSE(CommandApdu(0xFF, 0, 0, 0).is_proprietary_class());
  EXPECT_TRUE(CommandApdu(0x10, 0, 0, 0).is_chained());
  EXPECT_FALSE(CommandApdu(0x00, 0, 0, 0).is_chained());
  EXPECT_EQ(cla_for_channel(0x00, 2, true), 0x06);
  EXPECT_EQ(cla_for_channel(0x80, 5, true), 0xE1);
  EXPECT_EQ(cla_for_channel(0x00, 19, false), 0x4F);
  EXPECT_THROW(cla_for_channel(0x00, 20, false), Error);
  EXPECT_EQ(cla_without_channel(0x87), 0x80);
  EXPECT_EQ(cla_without_channel(0x6F), 0x00);
}

TEST(ResponseApdu, ParseEncodeAndStatusBytes) {
  const auto rsp = ResponseApdu::parse(from_hex("0102039000"));
  EXPECT_EQ(rsp.data, from_hex("010203"));
  EXPECT_EQ(rsp.sw, 0x9000);
  EXPECT_TRUE(rsp.ok());
  EXPECT_EQ(rsp.encode(), from_hex("0102039000"));
  const auto only_sw = ResponseApdu::parse(from_hex("6A82"));
  EXPECT_TRUE(only_sw.data.empty());
  EXPECT_EQ(only_sw.sw1(), 0x6A);
  EXPECT_EQ(only_sw.sw2(), 0x82);
  EXPECT_FALSE(only_sw.ok());
}

TEST(ResponseApdu, RefusesMissingStatusWord) {
  for (const auto& raw : {Bytes{}, Bytes{0x90}}) {
    try {
      ResponseApdu::parse(raw);
      FAIL() << "accepted " << raw.size() << " bytes";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::parse_error);
      EXPECT_NE(std::string(e.what()).find("has no status word"), std::string::npos);
    }
  }
}

TEST(StatusWords, NamesIsoAndGlobalPlatformValues) {
  EXPECT_EQ(sw::status_word_name(0x9000), "9000 success");
  EXPECT_EQ(sw::status_word_name(sw::kSecurityStatusNotSatisfied), "6982 security status not satisfied");
  EXPECT_EQ(sw::status_word_name(0x6A82), "6A82 file or application not found");
  EXPECT_EQ(sw::status_word_name(0x6884), "6884 command chaining not supported");
  EXPECT_EQ(sw::status_word_name(0x6300), "6300 warning: verification or authentication failed (GP: host cryptogram)");
  EXPECT_EQ(sw::status_word_name(0x6310), "6310 warning: more data available (GP GET STATUS)");
  EXPECT_EQ(sw::status_word_name(0x9484), "9484 algorithm not supported (GP)");
  EXPECT_EQ(sw::status_word_name(0x6110), "6110 16 more bytes available (GET RESPONSE)");
  EXPECT_EQ(sw::status_word_name(0x6100), "6100 256 more bytes available (GET RESPONSE)");
  EXPECT_EQ(sw::status_word_name(0x6C08), "6C08 wrong Le, exact length is 8");
  EXPECT_EQ(sw::status_word_name(0x63C2), "63C2 warning: counter is 2");
  EXPECT_EQ(sw::status_word_name(0x6A99), "6A99 wrong parameters P1-P2");
  EXPECT_EQ(sw::status_word_name(0x1234), "1234 unknown status word");
}

TEST(StatusWords, Classifiers) {
  EXPECT_TRUE(sw::is_bytes_remaining(0x6100));
  EXPECT_FALSE(sw::is_bytes_remaining(0x6C00));
  EXPECT_TRUE(sw::is_wrong_le(0x6C10));
  EXPECT_TRUE(sw::is_success_or_warning(0x9000));
  EXPECT_TRUE(sw::is_success_or_warning(0x6283));
  EXPECT_TRUE(sw::is_success_or_warning(0x63C1));
  EXPECT_FALSE(sw::is_success_or_warning(0x6982));
}

}  // namespace
}  // namespace sefleet::iso7816

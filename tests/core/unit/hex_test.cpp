#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet {
namespace {

TEST(Hex, RoundTripsUpperAndLowerCase) {
  EXPECT_EQ(from_hex("00ff7A"), (Bytes{0x00, 0xFF, 0x7A}));
  EXPECT_EQ(to_hex(Bytes{0x00, 0xFF, 0x7A}), "00FF7A");
  EXPECT_EQ(to_hex(Bytes{0x01, 0x02}, ' '), "01 02");
  EXPECT_TRUE(from_hex("").empty());
}

TEST(Hex, AcceptsSeparatorsBetweenBytes) {
  EXPECT_EQ(from_hex("0A 0B:0C\n0D"), (Bytes{0x0A, 0x0B, 0x0C, 0x0D}));
}

TEST(Hex, RejectsOddDigitCount) {
  try {
    from_hex("ABC");
    FAIL() << "accepted odd digits";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::parse_error);
    EXPECT_NE(std::string(e.what()).find("odd number of digits"), std::string::npos);
  }
}

TEST(Hex, NamesTheBadCharacterAndPosition) {
  try {
    from_hex("00G1");
    FAIL() << "accepted a non-hex digit";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'G' at position 2"), std::string::npos) << e.what();
  }
}

TEST(Hex, RejectsSeparatorInsideAByte) {
  EXPECT_THROW(from_hex("0 A"), Error);
}

TEST(Hex, RejectsNonPrintableInput) {
  try {
    from_hex(std::string("0\x01", 2));
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("0x01"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace sefleet

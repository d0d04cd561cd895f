// Base64 of campaign packages and PMOBs (RFC 4648 §4, standard alphabet with padding) through OpenSSL,
// with the strict checks OpenSSL's block decoder does not make.
#include <gtest/gtest.h>

#include <string>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "offcard/server/base64.hpp"

namespace sefleet::offcard::server {
namespace {

TEST(Base64, Rfc4648TestVectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(base64_encode(bytes_of(plain)), encoded) << plain;
    EXPECT_EQ(base64_decode(encoded), bytes_of(plain)) << encoded;
  }
  // All 64 characters, and bytes that are not text.
  EXPECT_EQ(base64_encode(Bytes{0xFB, 0xFF, 0xBF, 0x00}), "+/+/AA==");
  EXPECT_EQ(base64_decode("+/+/AA=="), (Bytes{0xFB, 0xFF, 0xBF, 0x00}));
}

TEST(Base64, RoundTripsEveryLengthAndLargeInputs) {
  for (std::size_t size = 0; size < 200; ++size) {
    Bytes data(size);
    for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(i * 37 + size);
    const std::string text = base64_encode(data);
    EXPECT_EQ(text.size(), (size + 2) / 3 * 4);
    EXPECT_EQ(base64_decode(text), data) << size;
  }
  // Larger than the slices OpenSSL is called with, and not a multiple of them.
  Bytes big(300'001);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::uint8_t>(i ^ (i >> 8));
  const std::string text = base64_encode(big);
  EXPECT_EQ(text.size(), (big.size() + 2) / 3 * 4);
  EXPECT_EQ(text.find('\0'), std::string::npos);
  EXPECT_EQ(base64_decode(text), big);
}

std::string refusal_of(const std::string& text) {
  try {
    base64_decode(text);
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::parse_error) << text;
    return error.what();
  }
  ADD_FAILURE() << "accepted: \"" << text << "\"";
  return {};
}

TEST(Base64, RefusesAnythingButTheCanonicalForm) {
  EXPECT_NE(refusal_of("Zm9").find("multiple of 4"), std::string::npos);
  EXPECT_NE(refusal_of("Zm9vY").find("multiple of 4"), std::string::npos);
  EXPECT_NE(refusal_of("Zm9-").find("position 3"), std::string::npos);  // base64url alphabet
  EXPECT_NE(refusal_of("Zm_v").find("position 2"), std::string::npos);
  EXPECT_NE(refusal_of(" Zm8").find("position 0"), std::string::npos);  // OpenSSL alone skips spaces
  EXPECT_NE(refusal_of("Zm8 ").find("position 3"), std::string::npos);
  EXPECT_NE(refusal_of("Zm\n8").find("position 2"), std::string::npos);
  EXPECT_NE(refusal_of("Zg==Zg==").find("position 2"), std::string::npos);  // padding in the middle
  EXPECT_NE(refusal_of("Z===").find("position 1"), std::string::npos);
  EXPECT_NE(refusal_of("====").find("position 0"), std::string::npos);
  EXPECT_NE(refusal_of("Zm=v").find("position 2"), std::string::npos);
  EXPECT_NE(refusal_of(std::string("Zm8\0", 4)).find("position 3"), std::string::npos);
  // The same bytes spelled with non-zero bits after the last byte.
  EXPECT_NE(refusal_of("Zh==").find("padding bits"), std::string::npos);
  EXPECT_NE(refusal_of("Zm9=").find("padding bits"), std::string::npos);
}

}  // namespace
}  // namespace sefleet::offcard::server

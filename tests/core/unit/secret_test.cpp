#include <gtest/gtest.h>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"

namespace sefleet {
namespace {

TEST(Secret, ConstantTimeEqualComparesContentAndLength) {
  const Bytes a{1, 2, 3};
  const Bytes b{1, 2, 3};
  const Bytes c{1, 2, 4};
  const Bytes d{1, 2};
  EXPECT_TRUE(constant_time_equal(a, b));
  EXPECT_FALSE(constant_time_equal(a, c));
  EXPECT_FALSE(constant_time_equal(a, d));
  EXPECT_TRUE(constant_time_equal(ByteView{}, ByteView{}));
}

TEST(Secret, TakeWipesTheSource) {
  Bytes plain{9, 9, 9, 9};
  const std::uint8_t* original = plain.data();
  SecretBytes secret = SecretBytes::take(plain);
  EXPECT_TRUE(plain.empty());
  EXPECT_EQ(secret.reveal(), (Bytes{9, 9, 9, 9}));
  (void)original;
}

TEST(Secret, MoveLeavesSourceEmpty) {
  SecretBytes a{Bytes{1, 2, 3}};
  SecretBytes b = std::move(a);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): checking the documented moved-from state
  EXPECT_EQ(b.size(), 3u);
  EXPECT_TRUE(b == SecretBytes(Bytes{1, 2, 3}));
  EXPECT_FALSE(b == SecretBytes(Bytes{1, 2, 4}));
}

TEST(Secret, SecureZeroClearsMemory) {
  std::uint8_t buffer[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  secure_zero(buffer, sizeof buffer);
  for (auto byte : buffer) EXPECT_EQ(byte, 0);
}

TEST(Bytes, BigEndianHelpers) {
  Bytes out;
  put_be16(out, 0x1234);
  put_be24(out, 0x56789A);
  put_be32(out, 0xBCDEF012);
  EXPECT_EQ(out, (Bytes{0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x12}));
  EXPECT_EQ(read_be16(out, 0), 0x1234);
  EXPECT_EQ(read_be32(out, 5), 0xBCDEF012u);
  EXPECT_THROW(read_be32(out, 6), Error);
  EXPECT_THROW(checked_slice(out, 8, 2, "field"), Error);
}

TEST(Bytes, AppendHandlesAliasing) {
  Bytes out{1, 2, 3};
  append(out, ByteView(out).subspan(0, 2));
  EXPECT_EQ(out, (Bytes{1, 2, 3, 1, 2}));
}

}  // namespace
}  // namespace sefleet

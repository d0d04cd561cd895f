// The Java Card checksums: the CRC catalogue's check values ("123456789") for CRC-16/GSM and
// CRC-32/POSIX (which is what ALG_ISO3309_CRC16/CRC32 compute), streaming, initial values.
#include <gtest/gtest.h>

#include <string>

#include "core/hex.hpp"
#include "crypto/crc.hpp"

namespace sefleet::crypto {
namespace {

TEST(Crc, CatalogueCheckValues) {
  EXPECT_EQ(crc_value(CrcAlgorithm::iso3309_crc16, bytes_of("123456789")), 0xCE3Cu);
  EXPECT_EQ(crc_value(CrcAlgorithm::iso3309_crc32, bytes_of("123456789")), 0x765E7680u);
  // Nothing processed: the ones' complement of the initial value 0.
  EXPECT_EQ(crc_value(CrcAlgorithm::iso3309_crc16, {}), 0xFFFFu);
  EXPECT_EQ(crc_value(CrcAlgorithm::iso3309_crc32, {}), 0xFFFFFFFFu);
}

TEST(Crc, BigEndianOutputAndStreaming) {
  Crc crc16(CrcAlgorithm::iso3309_crc16);
  EXPECT_EQ(crc16.size(), 2u);
  crc16.update(bytes_of("1234"));
  crc16.update(bytes_of("56789"));
  EXPECT_EQ(to_hex(crc16.finish()), "CE3C");
  // finish() starts again from the initial value.
  crc16.update(bytes_of("123456789"));
  EXPECT_EQ(to_hex(crc16.finish()), "CE3C");
  Crc crc32(CrcAlgorithm::iso3309_crc32);
  EXPECT_EQ(crc32.size(), 4u);
  crc32.update(bytes_of("123456789"));
  EXPECT_EQ(to_hex(crc32.finish()), "765E7680");
}

TEST(Crc, InitialValueFromInit) {
  // With the register preset to FFFF this is CRC-16/GENIBUS (check 0xD64E).
  Crc crc16(CrcAlgorithm::iso3309_crc16, 0xFFFF);
  crc16.update(bytes_of("123456789"));
  EXPECT_EQ(crc16.finish_value(), 0xD64Eu);
  crc16.restart(0);
  crc16.update(bytes_of("123456789"));
  EXPECT_EQ(crc16.finish_value(), 0xCE3Cu);
  // Only the low 16 bits of an initial value count for CRC-16.
  Crc wide(CrcAlgorithm::iso3309_crc16, 0x1234FFFF);
  wide.update(bytes_of("123456789"));
  EXPECT_EQ(wide.finish_value(), 0xD64Eu);
}

TEST(Crc, ChainingThroughTheUncomplementedValue) {
  // A CRC over a+b equals the CRC over b started from the (uncomplemented) register after a.
  Crc whole(CrcAlgorithm::iso3309_crc32);
  whole.update(bytes_of("123456789"));
  const std::uint32_t expected = whole.finish_value();
  Crc first(CrcAlgorithm::iso3309_crc32);
  first.update(bytes_of("1234"));
  const std::uint32_t register_after_first = first.register_value();
  EXPECT_EQ(register_after_first, first.finish_value() ^ 0xFFFFFFFFu);
  Crc second(CrcAlgorithm::iso3309_crc32, register_after_first);
  second.update(bytes_of("56789"));
  EXPECT_EQ(second.finish_value(), expected);
}

TEST(Crc, Crc16RegisterIsItsLow16Bits) {
  Crc crc(CrcAlgorithm::iso3309_crc16);
  crc.update(bytes_of("123456789"));
  EXPECT_EQ(crc.register_value(), 0xCE3Cu ^ 0xFFFFu);
  Crc resumed(CrcAlgorithm::iso3309_crc16, crc.register_value());
  EXPECT_EQ(resumed.finish_value(), 0xCE3Cu);
}

}  // namespace
}  // namespace sefleet::crypto

#include "card/javacard/classfile/byte_reader.hpp"

#include <fmt/format.h>

#include "card/javacard/classfile/class_file.hpp"

namespace sefleet::card::javacard::classfile {

void ByteReader::need(std::size_t length, std::string_view what) const {
  if (remaining() < length) {
    throw LoadError(fmt::format("truncated: {} at byte {} needs {} byte{}, {} left", what, offset_, length,
                                length == 1 ? "" : "s", remaining()));
  }
}

std::uint8_t ByteReader::u1(std::string_view what) {
  need(1, what);
  return data_[offset_++];
}

std::uint16_t ByteReader::u2(std::string_view what) {
  need(2, what);
  const std::uint16_t value = read_be16(data_, offset_);
  offset_ += 2;
  return value;
}

std::uint32_t ByteReader::u4(std::string_view what) {
  need(4, what);
  const std::uint32_t value = read_be32(data_, offset_);
  offset_ += 4;
  return value;
}

ByteView ByteReader::take(std::size_t length, std::string_view what) {
  need(length, what);
  const ByteView part = data_.subspan(offset_, length);
  offset_ += length;
  return part;
}

}  // namespace sefleet::card::javacard::classfile

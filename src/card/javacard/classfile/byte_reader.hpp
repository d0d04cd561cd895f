// A bounds-checked big-endian reader over a class file. Every read names what it reads, so a truncated
// file is refused with the field it stopped in ("truncated: method count at byte 812 needs 2 bytes,
// 1 left"); the caller adds the class and member.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::card::javacard::classfile {

class ByteReader {
 public:
  explicit ByteReader(ByteView data) noexcept : data_(data) {}

  // Each read throws LoadError when fewer bytes than needed remain.
  std::uint8_t u1(std::string_view what);
  std::uint16_t u2(std::string_view what);
  std::uint32_t u4(std::string_view what);
  ByteView take(std::size_t length, std::string_view what);

  std::size_t offset() const noexcept { return offset_; }
  std::size_t remaining() const noexcept { return data_.size() - offset_; }

 private:
  void need(std::size_t length, std::string_view what) const;

  ByteView data_;
  std::size_t offset_ = 0;
};

}  // namespace sefleet::card::javacard::classfile

// Byte buffers and big-endian helpers used across every layer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sefleet {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using MutableByteView = std::span<std::uint8_t>;

// Appends `tail` to `out` (works when `tail` aliases `out`).
void append(Bytes& out, ByteView tail);
inline void append(Bytes& out, std::uint8_t byte) {
  out.push_back(byte);
}

// Concatenates any number of byte views into one new buffer.
Bytes concat(std::initializer_list<ByteView> parts);

// The bytes of a string, unchanged (for ASCII/UTF-8 labels).
Bytes bytes_of(std::string_view text);

void put_be16(Bytes& out, std::uint16_t value);
void put_be24(Bytes& out, std::uint32_t value);
void put_be32(Bytes& out, std::uint32_t value);
void put_be64(Bytes& out, std::uint64_t value);

// Reads a big-endian integer of view.size() bytes (at most 8); the caller checks the length.
std::uint64_t read_be(ByteView view);
std::uint16_t read_be16(ByteView view, std::size_t offset);
std::uint32_t read_be32(ByteView view, std::size_t offset);

// Returns view[offset, offset+length) or throws Error(Errc::out_of_range) naming `what`.
ByteView checked_slice(ByteView view, std::size_t offset, std::size_t length, std::string_view what);

}  // namespace sefleet

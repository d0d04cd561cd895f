#include "card/javacard/classfile/modified_utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <fmt/format.h>

#include "card/javacard/classfile/class_file.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

[[noreturn]] void invalid(std::size_t offset, std::string_view why) {
  throw LoadError(fmt::format("invalid modified UTF-8 at byte {} of the text: {}", offset, why));
}

bool is_continuation(std::uint8_t byte) {
  return (byte & 0xC0) == 0x80;
}

void append_utf8(std::string& out, std::uint32_t code_point) {
  if (code_point < 0x80) {
    out.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

// Reads the UTF-16 code unit starting at `offset`; advances `offset` past it.
std::uint32_t read_code_unit(ByteView bytes, std::size_t& offset) {
  const std::size_t start = offset;
  const std::uint8_t lead = bytes[offset];
  if (lead == 0) invalid(start, "a zero byte (NUL is written C0 80)");
  if (lead < 0x80) {
    ++offset;
    return lead;
  }
  std::size_t continuation_count = 0;
  std::uint32_t value = 0;
  if ((lead & 0xE0) == 0xC0) {
    continuation_count = 1;
    value = lead & 0x1Fu;
  } else if ((lead & 0xF0) == 0xE0) {
    continuation_count = 2;
    value = lead & 0x0Fu;
  } else if (is_continuation(lead)) {
    invalid(start, "a continuation byte without a lead byte");
  } else {
    invalid(start, fmt::format("byte {:02X} (four-byte forms are written as surrogate pairs)", lead));
  }
  for (std::size_t i = 1; i <= continuation_count; ++i) {
    if (start + i >= bytes.size() || !is_continuation(bytes[start + i])) {
      invalid(start + i, "a missing continuation byte");
    }
    value = (value << 6) | (bytes[start + i] & 0x3Fu);
  }
  // NUL is the one character written longer than needed (C0 80); any other longer form is refused.
  const bool overlong = continuation_count == 1 ? (value < 0x80 && value != 0) : value < 0x800;
  if (overlong) invalid(start, "a longer form than the character needs");
  offset = start + 1 + continuation_count;
  return value;
}

bool is_high_surrogate(std::uint32_t unit) {
  return unit >= 0xD800 && unit <= 0xDBFF;
}
bool is_low_surrogate(std::uint32_t unit) {
  return unit >= 0xDC00 && unit <= 0xDFFF;
}

}  // namespace

std::string decode_modified_utf8(ByteView bytes) {
  std::string text;
  text.reserve(bytes.size());
  std::size_t offset = 0;
  while (offset < bytes.size()) {
    const std::uint32_t unit = read_code_unit(bytes, offset);
    if (is_high_surrogate(unit) && offset < bytes.size()) {
      std::size_t after = offset;
      const std::uint32_t next = read_code_unit(bytes, after);
      if (is_low_surrogate(next)) {
        append_utf8(text, 0x10000 + ((unit - 0xD800) << 10) + (next - 0xDC00));
        offset = after;
        continue;
      }
    }
    append_utf8(text, unit);
  }
  return text;
}

}  // namespace sefleet::card::javacard::classfile

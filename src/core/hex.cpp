#include "core/hex.hpp"

#include "core/error.hpp"

namespace sefleet {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_separator(char c) {
  return c == ' ' || c == '\t' || c == ':' || c == '\n' || c == '\r';
}

std::string describe(char c) {
  if (c >= 0x20 && c < 0x7F) {
    return std::string("'") + c + "'";
  }
  static const char* digits = "0123456789ABCDEF";
  const auto u = static_cast<unsigned char>(c);
  return std::string("byte 0x") + digits[u >> 4] + digits[u & 0xF];
}

}  // namespace

Bytes from_hex(std::string_view text) {
  Bytes out;
  out.reserve(text.size() / 2);
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_separator(text[i])) {
      ++i;
      continue;
    }
    const int high = hex_value(text[i]);
    if (high < 0) {
      throw Error(Errc::parse_error, "invalid hex: " + describe(text[i]) + " at position " + std::to_string(i));
    }
    if (i + 1 >= text.size()) {
      throw Error(Errc::parse_error,
                  "invalid hex: odd number of digits (dangling digit at position " + std::to_string(i) + ")");
    }
    const int low = hex_value(text[i + 1]);
    if (low < 0) {
      if (is_separator(text[i + 1])) {
        throw Error(Errc::parse_error, "invalid hex: separator splits a byte at position " + std::to_string(i + 1));
      }
      throw Error(Errc::parse_error, "invalid hex: " + describe(text[i + 1]) + " at position " + std::to_string(i + 1));
    }
    out.push_back(static_cast<std::uint8_t>((high << 4) | low));
    i += 2;
  }
  return out;
}

std::string to_hex(ByteView bytes) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.resize(bytes.size() * 2);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xF];
  }
  return out;
}

std::string to_hex(ByteView bytes, char separator) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i != 0) out.push_back(separator);
    out.push_back(digits[bytes[i] >> 4]);
    out.push_back(digits[bytes[i] & 0xF]);
  }
  return out;
}

}  // namespace sefleet

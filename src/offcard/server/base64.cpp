#include "offcard/server/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cstddef>

#include "core/error.hpp"

namespace sefleet::offcard::server {
namespace {

// OpenSSL's block functions take an int length: big inputs go through in slices (whole 3-byte groups
// when encoding, whole 4-character groups when decoding).
constexpr std::size_t kEncodeSlice = 3 * 16 * 1024;
constexpr std::size_t kDecodeSlice = 4 * 16 * 1024;

bool in_alphabet(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// The 6-bit value of an alphabet character (only called on checked characters).
int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  return c == '+' ? 62 : 63;
}

[[noreturn]] void refuse(const std::string& what) {
  throw Error(Errc::parse_error, "base64: " + what);
}

// EVP_DecodeBlock skips surrounding whitespace and does not check the padding, so everything the
// standard form forbids is refused here first: other characters, '=' anywhere but the last one or two
// places, a length that is not a multiple of 4, and bits after the last byte that are not zero (a
// second spelling of the same bytes). Returns the number of '=' at the end.
std::size_t check_canonical(std::string_view text) {
  if (text.size() % 4 != 0) refuse("length " + std::to_string(text.size()) + " is not a multiple of 4");
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  const std::size_t data_end = text.size() - padding;
  for (std::size_t i = 0; i < data_end; ++i) {
    if (!in_alphabet(text[i])) refuse("invalid character at position " + std::to_string(i));
  }
  if (padding > 0) {
    // Unused low bits of the last data character: 4 with "==", 2 with "=".
    const int unused_bits_mask = padding == 2 ? 0x0F : 0x03;
    if ((sextet(text[data_end - 1]) & unused_bits_mask) != 0) {
      refuse("non-zero padding bits at position " + std::to_string(data_end - 1));
    }
  }
  return padding;
}

}  // namespace

std::string base64_encode(ByteView data) {
  std::string out((data.size() + 2) / 3 * 4, '\0');
  std::size_t written = 0;
  for (std::size_t offset = 0; offset < data.size(); offset += kEncodeSlice) {
    const std::size_t length = std::min(kEncodeSlice, data.size() - offset);
    // EVP_EncodeBlock also writes a terminating NUL: slices before the last one leave it where the next
    // slice starts, and the last one's fits in the string's own terminator.
    written += static_cast<std::size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                                                        data.data() + offset, static_cast<int>(length)));
  }
  out.resize(written);
  return out;
}

Bytes base64_decode(std::string_view text) {
  const std::size_t padding = check_canonical(text);
  Bytes out(text.size() / 4 * 3);
  std::size_t written = 0;
  for (std::size_t offset = 0; offset < text.size(); offset += kDecodeSlice) {
    const std::size_t length = std::min(kDecodeSlice, text.size() - offset);
    const int decoded = EVP_DecodeBlock(
        out.data() + written, reinterpret_cast<const unsigned char*>(text.data() + offset), static_cast<int>(length));
    if (decoded < 0)
      refuse("OpenSSL refused the characters at " + std::to_string(offset) + ".." + std::to_string(offset + length));
    written += static_cast<std::size_t>(decoded);
  }
  // EVP_DecodeBlock counts each '=' as a zero byte.
  out.resize(written - padding);
  return out;
}

}  // namespace sefleet::offcard::server

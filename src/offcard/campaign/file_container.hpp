// The envelope shared by every sefleet campaign file (docs/formats.md): a fixed header, a body of
// length-prefixed fields, and a SHA-256 trailer over everything before it.
//
//   offset  size  field
//   0       4     magic "SFCF" (53 46 43 46)
//   4       1     format version (01)
//   5       1     kind (01 campaign package, 02 PSE, 03 PAUT, 04 campaign terms)
//   6       4     body length L (big-endian)
//   10      L     body (kind-specific)
//   10+L    32    SHA-256 of bytes 0 .. 10+L-1
//
// The header and trailer layout is the same in every format version, so a reader can always tell a
// truncated, padded or altered file from one of a version it does not know.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::offcard {

enum class FileKind : std::uint8_t { campaign_package = 0x01, pse = 0x02, paut = 0x03, campaign_terms = 0x04 };

inline constexpr std::uint8_t kFileFormatVersion = 0x01;
inline constexpr std::size_t kFileHeaderSize = 10;
inline constexpr std::size_t kFileTrailerSize = 32;
// No campaign file is larger: readers refuse a bigger length before allocating anything. 1 GiB holds
// the largest stream a 32-bit C6 and 65 280-byte blocks allow in practice (docs/formats.md).
inline constexpr std::size_t kMaxFileSize = std::size_t{1} << 30;

std::string file_kind_text(FileKind kind);

// header ‖ body ‖ SHA-256. Throws Error(Errc::invalid_argument) when the file would exceed kMaxFileSize.
Bytes seal_file(FileKind kind, ByteView body);

// Checks the whole frame and returns a view of the body. Throws Error(Errc::parse_error) for a file
// too short to hold the header and trailer, a wrong magic, an unknown format version, a kind other
// than `expected`, a body length that disagrees with the file size (truncated file or trailing bytes),
// and Error(Errc::integrity_error) when the SHA-256 trailer does not match (an altered byte).
ByteView open_file(ByteView file, FileKind expected);

// The kind of a framed file, after the checks of open_file (for tools that accept any kind).
FileKind peek_file_kind(ByteView file);

// Writes `bytes` to a temporary file next to `path`, flushes it to disk, then renames it over `path`:
// a reader sees the old file or the new one, never a partial one. Error(Errc::io_error) on failure.
void write_file_atomically(const std::filesystem::path& path, ByteView bytes);
// Reads a whole file of at most kMaxFileSize bytes. Error(Errc::io_error) when it cannot be read,
// Error(Errc::parse_error) when it is larger.
Bytes read_campaign_file(const std::filesystem::path& path);

// Builds a body: fixed-size big-endian integers and byte strings with a 1-, 2- or 4-byte length prefix.
class FieldWriter {
 public:
  void u8(std::uint8_t value) { out_.push_back(value); }
  void u16(std::uint16_t value) { put_be16(out_, value); }
  void u32(std::uint32_t value) { put_be32(out_, value); }
  void fixed(ByteView value) { append(out_, value); }
  // Throws Error(Errc::invalid_argument) naming `what` when the value is too long for its prefix.
  void bytes8(ByteView value, std::string_view what);
  void bytes16(ByteView value, std::string_view what);
  void bytes32(ByteView value, std::string_view what);
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads a body; every failure is Error(Errc::parse_error) "<context>: <field> ..." naming the field
// and what is wrong. Lengths are checked against the bytes left before anything is copied, so a
// length field can never cause a large allocation.
class FieldReader {
 public:
  FieldReader(ByteView body, std::string context) : data_(body), context_(std::move(context)) {}

  std::uint8_t u8(std::string_view what);
  std::uint16_t u16(std::string_view what);
  std::uint32_t u32(std::string_view what);
  ByteView fixed(std::size_t size, std::string_view what);
  ByteView bytes8(std::string_view what);
  ByteView bytes16(std::string_view what);
  ByteView bytes32(std::string_view what);
  std::size_t remaining() const noexcept { return data_.size() - offset_; }
  // Throws unless every byte of the body was consumed.
  void finish();
  [[noreturn]] void refuse(std::string_view what, const std::string& problem) const;

 private:
  ByteView take(std::size_t size, std::string_view what);

  ByteView data_;
  std::size_t offset_ = 0;
  std::string context_;
};

}  // namespace sefleet::offcard

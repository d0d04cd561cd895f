#include "offcard/campaign/file_container.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"

namespace sefleet::offcard {
namespace {

constexpr std::array<std::uint8_t, 4> kMagic{'S', 'F', 'C', 'F'};

std::string hex2(std::uint8_t byte) {
  return to_hex(ByteView(&byte, 1));
}

bool is_known_kind(std::uint8_t kind) noexcept {
  return kind >= 0x01 && kind <= 0x04;
}

[[noreturn]] void io_failure(const std::string& what, const std::filesystem::path& path, int error) {
  throw Error(Errc::io_error, what + " " + path.string() + ": " + std::strerror(error));
}

// The frame checks common to open_file and peek_file_kind; returns the body length.
std::size_t check_frame(ByteView file) {
  if (file.size() < kFileHeaderSize + kFileTrailerSize) {
    throw Error(Errc::parse_error, "campaign file: truncated: " + std::to_string(file.size()) +
                                       " bytes, shorter than the " +
                                       std::to_string(kFileHeaderSize + kFileTrailerSize) + "-byte header and trailer");
  }
  if (!std::equal(kMagic.begin(), kMagic.end(), file.begin())) {
    throw Error(Errc::parse_error, "campaign file: not a sefleet campaign file (magic " + to_hex(file.first(4)) +
                                       ", expected 53464346 \"SFCF\")");
  }
  if (file[4] != kFileFormatVersion) {
    throw Error(Errc::parse_error, "campaign file: unknown format version " + hex2(file[4]) +
                                       " (this build reads version " + hex2(kFileFormatVersion) + ")");
  }
  if (!is_known_kind(file[5])) throw Error(Errc::parse_error, "campaign file: unknown kind " + hex2(file[5]));
  const std::size_t body = read_be32(file, 6);
  const std::size_t expected = kFileHeaderSize + body + kFileTrailerSize;
  if (file.size() < expected) {
    throw Error(Errc::parse_error, "campaign file: truncated: the header announces " + std::to_string(expected) +
                                       " bytes, the file has " + std::to_string(file.size()));
  }
  if (file.size() > expected) {
    throw Error(Errc::parse_error, "campaign file: " + std::to_string(file.size() - expected) +
                                       " trailing bytes after the " + std::to_string(expected) +
                                       " the header announces");
  }
  const crypto::Digest256 digest = crypto::sha256(file.first(kFileHeaderSize + body));
  if (!constant_time_equal(digest, file.subspan(kFileHeaderSize + body))) {
    throw Error(Errc::integrity_error,
                "campaign file: SHA-256 trailer mismatch: the file was altered or damaged after it was written");
  }
  return body;
}

}  // namespace

std::string file_kind_text(FileKind kind) {
  switch (kind) {
    case FileKind::campaign_package:
      return "campaign package";
    case FileKind::pse:
      return "PSE";
    case FileKind::paut:
      return "PAUT";
    case FileKind::campaign_terms:
      return "campaign terms";
  }
  return "unknown kind " + hex2(static_cast<std::uint8_t>(kind));
}

Bytes seal_file(FileKind kind, ByteView body) {
  if (body.size() > kMaxFileSize - kFileHeaderSize - kFileTrailerSize) {
    throw Error(Errc::invalid_argument, file_kind_text(kind) + " file: a body of " + std::to_string(body.size()) +
                                            " bytes exceeds the " + std::to_string(kMaxFileSize) + "-byte file limit");
  }
  Bytes file;
  file.reserve(kFileHeaderSize + body.size() + kFileTrailerSize);
  append(file, kMagic);
  file.push_back(kFileFormatVersion);
  file.push_back(static_cast<std::uint8_t>(kind));
  put_be32(file, static_cast<std::uint32_t>(body.size()));
  append(file, body);
  const crypto::Digest256 digest = crypto::sha256(file);
  append(file, digest);
  return file;
}

FileKind peek_file_kind(ByteView file) {
  check_frame(file);
  return static_cast<FileKind>(file[5]);
}

ByteView open_file(ByteView file, FileKind expected) {
  const std::size_t body = check_frame(file);
  const auto kind = static_cast<FileKind>(file[5]);
  if (kind != expected) {
    throw Error(Errc::parse_error, "campaign file: this is a " + file_kind_text(kind) + " file, expected a " +
                                       file_kind_text(expected) + " file");
  }
  return file.subspan(kFileHeaderSize, body);
}

void write_file_atomically(const std::filesystem::path& path, ByteView bytes) {
  const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  const std::filesystem::path temporary =
      directory / ("." + path.filename().string() + ".tmp-" + to_hex(crypto::system_random().bytes(6)));
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) io_failure("cannot create", temporary, errno);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int error = n < 0 ? errno : EIO;
      ::close(fd);
      ::unlink(temporary.c_str());
      io_failure("cannot write", temporary, error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int error = errno;
    ::close(fd);
    ::unlink(temporary.c_str());
    io_failure("cannot flush", temporary, error);
  }
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    io_failure("cannot close", temporary, error);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    io_failure("cannot rename into", path, error);
  }
  // Make the rename itself durable.
  const int dir_fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

Bytes read_campaign_file(const std::filesystem::path& path) {
  std::error_code error;
  const std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) throw Error(Errc::io_error, "cannot read " + path.string() + ": " + error.message());
  if (size > kMaxFileSize) {
    throw Error(Errc::parse_error, path.string() + ": " + std::to_string(size) +
                                       " bytes, larger than any campaign file (" + std::to_string(kMaxFileSize) + ")");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io_error, "cannot open " + path.string());
  Bytes bytes(static_cast<std::size_t>(size));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (in.gcount() != static_cast<std::streamsize>(bytes.size()) || in.peek() != std::char_traits<char>::eof()) {
    throw Error(Errc::io_error, "cannot read " + path.string() + ": the file changed while it was read");
  }
  return bytes;
}

// --- fields ------------------------------------------------------------------------------------------

void FieldWriter::bytes8(ByteView value, std::string_view what) {
  if (value.size() > 0xFF) throw Error(Errc::invalid_argument, std::string(what) + ": longer than 255 bytes");
  u8(static_cast<std::uint8_t>(value.size()));
  fixed(value);
}

void FieldWriter::bytes16(ByteView value, std::string_view what) {
  if (value.size() > 0xFFFF) throw Error(Errc::invalid_argument, std::string(what) + ": longer than 65535 bytes");
  u16(static_cast<std::uint16_t>(value.size()));
  fixed(value);
}

void FieldWriter::bytes32(ByteView value, std::string_view what) {
  if (value.size() > kMaxFileSize) {
    throw Error(Errc::invalid_argument, std::string(what) + ": larger than the file size limit");
  }
  u32(static_cast<std::uint32_t>(value.size()));
  fixed(value);
}

void FieldReader::refuse(std::string_view what, const std::string& problem) const {
  throw Error(Errc::parse_error, context_ + ": " + std::string(what) + ": " + problem);
}

ByteView FieldReader::take(std::size_t size, std::string_view what) {
  if (size > remaining()) {
    refuse(what, "needs " + std::to_string(size) + " bytes, only " + std::to_string(remaining()) +
                     " left in the body (truncated field)");
  }
  const ByteView view = data_.subspan(offset_, size);
  offset_ += size;
  return view;
}

std::uint8_t FieldReader::u8(std::string_view what) {
  return take(1, what)[0];
}
std::uint16_t FieldReader::u16(std::string_view what) {
  return read_be16(take(2, what), 0);
}
std::uint32_t FieldReader::u32(std::string_view what) {
  return read_be32(take(4, what), 0);
}
ByteView FieldReader::fixed(std::size_t size, std::string_view what) {
  return take(size, what);
}
ByteView FieldReader::bytes8(std::string_view what) {
  return take(u8(what), what);
}
ByteView FieldReader::bytes16(std::string_view what) {
  return take(u16(what), what);
}
ByteView FieldReader::bytes32(std::string_view what) {
  return take(u32(what), what);
}

void FieldReader::finish() {
  if (remaining() != 0) {
    throw Error(Errc::parse_error,
                context_ + ": " + std::to_string(remaining()) + " unexpected bytes after the last field of the body");
  }
}

}  // namespace sefleet::offcard

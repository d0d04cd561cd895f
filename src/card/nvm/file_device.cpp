#include "card/nvm/file_device.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace sefleet::card::nvm {

namespace {

[[noreturn]] void io_failure(const std::string& path, const char* operation, int error_number) {
  throw Error(Errc::io_error, std::string(operation) + " " + path + ": " + std::strerror(error_number));
}

}  // namespace

FileDevice::FileDevice(const std::filesystem::path& path, Mode mode) : path_(path.string()) {
  // O_EXCL on creation: formatting must never clobber an existing card state by accident.
  const int flags = mode == Mode::create_new ? (O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC) : (O_RDWR | O_CLOEXEC);
  fd_ = ::open(path_.c_str(), flags, S_IRUSR | S_IWUSR);
  if (fd_ < 0) fail("open", errno);
}

FileDevice::~FileDevice() {
  if (fd_ >= 0) ::close(fd_);
}

void FileDevice::fail(const char* operation, int error_number) const {
  io_failure(path_, operation, error_number);
}

void FileDevice::read(std::uint64_t offset, MutableByteView out) {
  std::size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      fail("read", errno);
    }
    if (got == 0) {
      throw Error(Errc::io_error,
                  "read " + path_ + ": unexpected end of file at offset " + std::to_string(offset + done));
    }
    done += static_cast<std::size_t>(got);
  }
}

void FileDevice::write(std::uint64_t offset, ByteView data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t put = ::pwrite(fd_, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
    if (put < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    done += static_cast<std::size_t>(put);
  }
}

void FileDevice::write_gather(std::uint64_t offset, std::span<const ByteView> pieces) {
  std::vector<iovec> vectors;
  vectors.reserve(std::min<std::size_t>(pieces.size(), IOV_MAX));
  std::size_t next = 0;  // first piece not yet in `vectors`
  while (next < pieces.size() || !vectors.empty()) {
    while (next < pieces.size() && vectors.size() < IOV_MAX) {
      const ByteView piece = pieces[next++];
      if (!piece.empty()) vectors.push_back(iovec{const_cast<std::uint8_t*>(piece.data()), piece.size()});
    }
    if (vectors.empty()) break;
    const ssize_t put = ::pwritev(fd_, vectors.data(), static_cast<int>(vectors.size()), static_cast<off_t>(offset));
    if (put < 0) {
      if (errno == EINTR) continue;
      fail("write", errno);
    }
    // Drop what was written: whole vectors, then the written part of the first remaining one.
    offset += static_cast<std::uint64_t>(put);
    auto done = static_cast<std::size_t>(put);
    std::size_t whole = 0;
    while (whole < vectors.size() && done >= vectors[whole].iov_len) done -= vectors[whole++].iov_len;
    vectors.erase(vectors.begin(), vectors.begin() + static_cast<std::ptrdiff_t>(whole));
    if (!vectors.empty()) {
      vectors.front().iov_base = static_cast<std::uint8_t*>(vectors.front().iov_base) + done;
      vectors.front().iov_len -= done;
    }
  }
}

void FileDevice::sync() {
  // fdatasync also flushes the file size when it changed, which is all recovery needs to read the
  // data back; timestamps are irrelevant.
  if (::fdatasync(fd_) != 0) fail("fdatasync", errno);
}

std::uint64_t FileDevice::size() {
  struct stat info {};
  if (::fstat(fd_, &info) != 0) fail("stat", errno);
  return static_cast<std::uint64_t>(info.st_size);
}

void FileDevice::truncate(std::uint64_t size) {
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("truncate", errno);
}

void sync_directory(const std::filesystem::path& directory) {
  const std::string dir = directory.empty() ? std::string(".") : directory.string();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) io_failure(dir, "open directory", errno);
  const int result = ::fsync(fd);
  const int error_number = errno;
  ::close(fd);
  if (result != 0) io_failure(dir, "fsync directory", error_number);
}

}  // namespace sefleet::card::nvm

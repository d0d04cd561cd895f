#include "offcard/keystore/private_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"

namespace sefleet::offcard {
namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path, int error) {
  throw Error(Errc::io_error, what + " " + path.string() + ": " + errno_text(error));
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777u);
  return text;
}

// Owns a file descriptor; closes it once.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports the error (close can report a deferred write error).
  int close_checked() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

void write_all(int fd, ByteView data, const std::filesystem::path& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write", path, errno);
    }
    done += static_cast<std::size_t>(n);
  }
}

void fsync_directory(const std::filesystem::path& file) {
  std::filesystem::path dir = file.parent_path();
  if (dir.empty()) dir = ".";
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("cannot open directory", dir, errno);
  if (::fsync(fd.get()) != 0) throw_errno("cannot fsync directory", dir, errno);
}

// Writes `data` to a fresh temporary file next to `path` and returns its name (fsynced, closed).
std::filesystem::path write_temporary(const std::filesystem::path& path, ByteView data) {
  const std::string suffix = ".tmp-" + std::to_string(::getpid()) + "-" + to_hex(crypto::system_random().bytes(6));
  std::filesystem::path temp = path;
  temp += suffix;
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) throw_errno("cannot create temporary file", temp, errno);
  try {
    // The umask cannot widen 0600, but a pre-set ACL default could: make the mode exact.
    if (::fchmod(fd.get(), 0600) != 0) throw_errno("cannot chmod", temp, errno);
    write_all(fd.get(), data, temp);
    if (::fsync(fd.get()) != 0) throw_errno("cannot fsync", temp, errno);
    if (fd.close_checked() != 0) throw_errno("cannot close", temp, errno);
  } catch (...) {
    ::unlink(temp.c_str());
    throw;
  }
  return temp;
}

}  // namespace

// The checks of check_private_file on an already obtained stat (so a file opened for reading is the
// one that was checked: no window between check and open).
static void check_private_stat(const struct stat& st, const std::filesystem::path& path) {
  if (!S_ISREG(st.st_mode)) {
    throw Error(Errc::io_error, path.string() + " is not a regular file");
  }
  if ((st.st_mode & 077) != 0) {
    throw Error(Errc::io_error, "refusing " + path.string() + ": its mode " + octal_mode(st.st_mode) +
                                    " lets group or other users read or write it; fix with: chmod 600 " +
                                    path.string());
  }
}

void check_private_file(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      throw Error(Errc::not_found, "keystore file " + path.string() + " does not exist");
    }
    throw_errno("cannot stat", path, errno);
  }
  check_private_stat(st, path);
}

Bytes read_private_file(const std::filesystem::path& path, std::size_t max_size) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) throw Error(Errc::not_found, "keystore file " + path.string() + " does not exist");
    throw_errno("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("cannot stat", path, errno);
  check_private_stat(st, path);
  Bytes out;
  std::uint8_t buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot read", path, errno);
    }
    if (n == 0) break;
    if (out.size() + static_cast<std::size_t>(n) > max_size) {
      throw Error(Errc::parse_error,
                  path.string() + " is larger than " + std::to_string(max_size) + " bytes: not a keystore file");
    }
    out.insert(out.end(), buffer, buffer + n);
  }
  return out;
}

void write_private_file_atomically(const std::filesystem::path& path, ByteView data) {
  const std::filesystem::path temp = write_temporary(path, data);
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    throw_errno("cannot replace", path, error);
  }
  fsync_directory(path);
}

void create_private_file(const std::filesystem::path& path, ByteView data) {
  const std::filesystem::path temp = write_temporary(path, data);
  // link(2) fails with EEXIST instead of replacing: no window where an existing keystore is lost.
  if (::link(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    if (error == EEXIST) {
      throw Error(Errc::state_error, path.string() + " already exists; refusing to overwrite a keystore");
    }
    throw_errno("cannot create", path, error);
  }
  ::unlink(temp.c_str());
  fsync_directory(path);
}

FileLock::FileLock(const std::filesystem::path& lock_path, std::chrono::milliseconds timeout) {
  fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd_ < 0) throw_errno("cannot open lock file", lock_path, errno);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    const int error = errno;
    if (error != EWOULDBLOCK && error != EINTR) {
      ::close(fd_);
      throw_errno("cannot lock", lock_path, error);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      throw Error(Errc::state_error, lock_path.string() + " is locked by another process (waited " +
                                         std::to_string(timeout.count()) + " ms); try again");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace sefleet::offcard

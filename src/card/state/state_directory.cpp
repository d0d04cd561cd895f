#include "card/state/state_directory.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "core/error.hpp"

namespace sefleet::card {
namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::filesystem::path& path, int error) {
  throw Error(Errc::io_error, "card: " + what + " " + path.string() + ": " + std::strerror(error));
}

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", mode & 07777u);
  return text;
}

void check_private_directory(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      throw Error(Errc::io_error, "card: no state directory " + dir.string() + " (run `sefleet card init` first)");
    }
    fail_errno("cannot stat", dir, errno);
  }
  if (!S_ISDIR(st.st_mode)) throw Error(Errc::io_error, "card: " + dir.string() + " is not a directory");
  if ((st.st_mode & 077) != 0) {
    throw Error(Errc::io_error,
                "card: refusing state directory " + dir.string() + ": its mode " + octal_mode(st.st_mode) +
                    " lets group or other users in (the card's keys live there); fix with: chmod 700 " + dir.string());
  }
}

// The PID the holder wrote into the lock file. The holder writes it right after taking the lock, so
// a reader that lost the race by microseconds may find the file still empty: it looks again briefly.
std::string holder_pid(int fd) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    char text[32] = {};
    const ssize_t got = ::pread(fd, text, sizeof text - 1, 0);
    if (got > 0) {
      std::string pid(text, static_cast<std::size_t>(got));
      while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
      if (!pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos) return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return "unknown";
}

}  // namespace

StateDirectory StateDirectory::create(const std::filesystem::path& dir) {
  if (dir.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(dir.parent_path(), ec);
    if (ec) throw Error(Errc::io_error, "card init: cannot create " + dir.parent_path().string() + ": " + ec.message());
  }
  if (::mkdir(dir.c_str(), 0700) == 0) {
    // The umask can only narrow 0700, but a default ACL could widen it: make the mode exact.
    if (::chmod(dir.c_str(), 0700) != 0) fail_errno("cannot chmod", dir, errno);
  } else if (errno != EEXIST) {
    fail_errno("cannot create state directory", dir, errno);
  }
  return lock(dir);
}

StateDirectory StateDirectory::open(const std::filesystem::path& dir) {
  return lock(dir);
}

StateDirectory StateDirectory::lock(const std::filesystem::path& dir) {
  check_private_directory(dir);
  // The lock file is never deleted: a process that deleted it while another waited to open it would
  // let two processes lock two different inodes.
  const std::filesystem::path lock_path = dir / kLockFileName;
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) fail_errno("cannot open lock file", lock_path, errno);
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    const int error = errno;
    if (error == EINTR) continue;
    if (error == EWOULDBLOCK) {
      const std::string pid = holder_pid(fd);
      ::close(fd);
      throw Error(Errc::state_error, "card: state " + dir.string() + " is in use by process " + pid +
                                         " (one process per card state: two would reuse SCP03 sequence counters); "
                                         "stop that process first");
    }
    ::close(fd);
    fail_errno("cannot lock", lock_path, error);
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int error = errno;
    ::close(fd);
    fail_errno("cannot write lock file", lock_path, error);
  }
  return StateDirectory(dir, fd);
}

StateDirectory::StateDirectory(StateDirectory&& other) noexcept
    : dir_(std::move(other.dir_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

StateDirectory& StateDirectory::operator=(StateDirectory&& other) noexcept {
  if (this != &other) {
    if (lock_fd_ >= 0) ::close(lock_fd_);
    dir_ = std::move(other.dir_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

StateDirectory::~StateDirectory() {
  // Closing the only descriptor of the open file description releases the flock.
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

std::filesystem::path StateDirectory::state_file() const {
  return dir_ / kStateFileName;
}

void StateDirectory::check_state_file() const {
  const std::filesystem::path file = state_file();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      throw Error(Errc::io_error, "card: no state file " + file.string() + " (run `sefleet card init` first)");
    }
    fail_errno("cannot stat", file, errno);
  }
  if (!S_ISREG(st.st_mode)) throw Error(Errc::io_error, "card: " + file.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    throw Error(Errc::io_error, "card: refusing state file " + file.string() + ": its mode " + octal_mode(st.st_mode) +
                                    " lets group or other users read or write the card's keys; fix with: chmod 600 " +
                                    file.string());
  }
}

}  // namespace sefleet::card

#include "offcard/terminal/token_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"

namespace sefleet::offcard::terminal {
namespace {

constexpr std::size_t kMaxTokenFileSize = 4096;

std::string trimmed_first_line(std::string text) {
  text = text.substr(0, text.find('\n'));
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

std::string read_token_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Errc::io_error, "cannot read the token file " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  const bool stated = ::fstat(fd, &st) == 0;
  const auto fail = [&](const std::string& message) {
    ::close(fd);
    throw Error(Errc::io_error, message);
  };
  if (!stated) fail("cannot stat the token file " + path.string() + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) fail("the token file " + path.string() + " is not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777u);
    fail("refusing the token file " + path.string() + ": its mode " + mode +
         " lets group or other users read the token; fix with: chmod 600 " + path.string());
  }
  std::string text(kMaxTokenFileSize, '\0');
  const ssize_t got = ::read(fd, text.data(), text.size());
  if (got < 0) fail("cannot read the token file " + path.string() + ": " + std::strerror(errno));
  ::close(fd);
  text.resize(static_cast<std::size_t>(got));
  std::string token = trimmed_first_line(text);
  if (token.empty()) throw Error(Errc::invalid_argument, "the token file " + path.string() + " is empty");
  return token;
}

std::string terminal_token(const std::optional<std::filesystem::path>& file) {
  if (file) return read_token_file(*file);
  const char* value = std::getenv(kTokenEnvironmentVariable);
  if (value != nullptr) {
    std::string token = trimmed_first_line(value);
    if (!token.empty()) return token;
  }
  throw Error(Errc::invalid_argument, std::string("no terminal token: give --token-file FILE (mode 0600) or set $") +
                                          kTokenEnvironmentVariable);
}

}  // namespace sefleet::offcard::terminal

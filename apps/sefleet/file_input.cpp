#include "file_input.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include "core/error.hpp"

namespace sefleet::cli {
namespace {

[[noreturn]] void refuse(const std::string& path, std::string_view what, std::string_view reason) {
  std::string message = "cannot read ";
  if (!what.empty()) message.append(what).append(" ");
  message.append(path).append(": ").append(reason);
  throw Error(Errc::io_error, message);
}

// Opened, and not a directory: a directory opens for reading on Linux and then reads as empty, which
// would turn a wrong path into an empty file instead of a refusal.
std::ifstream open_for_reading(const std::string& path, std::string_view what) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) refuse(path, what, "it is a directory");
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) refuse(path, what, errno != 0 ? std::strerror(errno) : "it cannot be opened");
  return in;
}

}  // namespace

Bytes read_whole_file(const std::string& path, std::string_view what) {
  std::ifstream in = open_for_reading(path, what);
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) refuse(path, what, "read error");
  return bytes;
}

std::string read_whole_text_file(const std::string& path, std::string_view what) {
  std::ifstream in = open_for_reading(path, what);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) refuse(path, what, "read error");
  return text;
}

}  // namespace sefleet::cli

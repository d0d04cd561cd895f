#include "load_file_io.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/error.hpp"

namespace sefleet::cli {

Bytes read_binary_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io_error, "cannot read " + path);
  Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(Errc::io_error, "cannot read " + path);
  return bytes;
}

std::string dotted_class_name(std::string_view internal_name) {
  std::string name(internal_name);
  std::ranges::replace(name, '/', '.');
  return name;
}

}  // namespace sefleet::cli

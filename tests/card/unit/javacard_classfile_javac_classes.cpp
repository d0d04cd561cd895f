#include "javacard_classfile_javac_classes.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sefleet::test {
namespace {

std::filesystem::path classes_root() {
  return SEFLEET_JAVACARD_CLASSFILE_TEST_CLASSES;
}

}  // namespace

Bytes javac_class(std::string_view internal_name) {
  const std::filesystem::path path = classes_root() / (std::string(internal_name) + ".class");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("missing compiled test class " + path.string());
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> javac_classes_of(std::string_view package) {
  const std::filesystem::path folder = classes_root() / package;
  if (!std::filesystem::is_directory(folder)) throw std::runtime_error("missing folder " + folder.string());
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() == ".class") {
      names.push_back(std::string(package) + "/" + entry.path().stem().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace sefleet::test

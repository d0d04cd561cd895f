#include "support/vectors.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "core/hex.hpp"

namespace sefleet::test {

std::string vectors_dir() {
  // The environment wins (to test another copy); otherwise the directory CMake chose at configure time.
  const char* dir = std::getenv("SEFLEET_VECTORS_DIR");
  if (dir != nullptr && *dir != '\0') {
    return dir;
  }
#ifdef SEFLEET_TEST_VECTORS_DIR
  return SEFLEET_TEST_VECTORS_DIR;
#else
  throw std::runtime_error("no vectors directory: set SEFLEET_VECTORS_DIR");
#endif
}

std::string source_dir() {
#ifdef SEFLEET_TEST_SOURCE_DIR
  return SEFLEET_TEST_SOURCE_DIR;
#else
  const char* dir = std::getenv("SEFLEET_SOURCE_DIR");
  if (dir == nullptr) throw std::runtime_error("SEFLEET_SOURCE_DIR is not set");
  return dir;
#endif
}

std::string sefleet_binary() {
  const char* bin = std::getenv("SEFLEET_BIN");
  if (bin != nullptr && *bin != '\0') return bin;
#ifdef SEFLEET_TEST_BINARY_DIR
  return std::string(SEFLEET_TEST_BINARY_DIR) + "/apps/sefleet/sefleet";
#else
  throw std::runtime_error("SEFLEET_BIN is not set");
#endif
}

nlohmann::json load_vectors(const std::string& file) {
  const std::string path = vectors_dir() + "/" + file;
  std::ifstream in(path);
  if (!in) {
    throw std::runtime_error("cannot open test vector file " + path);
  }
  return nlohmann::json::parse(in);
}

Bytes hex_field(const nlohmann::json& object, const std::string& field) {
  if (!object.contains(field) || !object.at(field).is_string()) {
    throw std::runtime_error("vector field '" + field + "' missing or not a string");
  }
  return from_hex(object.at(field).get<std::string>());
}

}  // namespace sefleet::test

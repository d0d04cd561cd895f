// The Java Card API jar (javacard/api compiled by the build, public packages only), embedded in the
// sefleet binary for `sefleet javacard api` (cmake/SefleetJavaCard.cmake generates the table).
#pragma once

#include <cstddef>
#include <string_view>

namespace sefleet::cli::detail {

struct EmbeddedFile {
  std::string_view name;  // "api.jar"
  const unsigned char* data;
  std::size_t size;
};
extern const EmbeddedFile kApiJarFiles[];
extern const std::size_t kApiJarFileCount;

}  // namespace sefleet::cli::detail

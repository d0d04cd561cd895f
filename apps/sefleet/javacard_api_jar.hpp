// The Java Card API jar (javacard/api compiled by the build, public packages only), embedded in the
// sefleet binary for `sefleet javacard api` (cmake/SefleetJavaCard.cmake generates the table).
#pragma once

#include <cstddef>

#include "embedded_file.hpp"

namespace sefleet::cli::detail {

extern const EmbeddedFile kApiJarFiles[];
extern const std::size_t kApiJarFileCount;

}  // namespace sefleet::cli::detail

// The public SCP03 and SCP11 vector files (tests/vectors), compiled into the binary for `sefleet selftest`.
#pragma once

#include <string_view>

namespace sefleet::cli {

extern const std::string_view kEmbeddedScp03Vectors;
extern const std::string_view kEmbeddedScp03Checkpoints;
extern const std::string_view kEmbeddedScp11Vectors;

}  // namespace sefleet::cli

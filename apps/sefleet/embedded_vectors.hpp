// The public SCP03 vector files (tests/vectors), compiled into the binary for `sefleet selftest`.
#pragma once

namespace sefleet::cli {

extern const char* const kEmbeddedScp03Vectors;
extern const char* const kEmbeddedScp03Checkpoints;

}  // namespace sefleet::cli

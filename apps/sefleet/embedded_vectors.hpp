// The public SCP03 and SCP11 vector files (tests/vectors/scp03.json, scp03_checkpoints.json, scp11.json), compiled into
// the binary for `sefleet selftest` (sefleet_embed_files in apps/sefleet/CMakeLists.txt).
#pragma once

#include <cstddef>
#include <string_view>

#include "embedded_file.hpp"

namespace sefleet::cli {

namespace detail {
extern const EmbeddedFile kVectorFiles[];
extern const std::size_t kVectorFileCount;
}  // namespace detail

// The bytes of the embedded vector file `name` ("scp03.json"); throws Error(Errc::state_error) if this
// build does not embed it.
std::string_view embedded_vector_file(std::string_view name);

}  // namespace sefleet::cli

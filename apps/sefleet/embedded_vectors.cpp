#include "embedded_vectors.hpp"

#include <string>

#include "core/error.hpp"

namespace sefleet::cli {

std::string_view embedded_vector_file(std::string_view name) {
  for (std::size_t i = 0; i < detail::kVectorFileCount; ++i) {
    const detail::EmbeddedFile& file = detail::kVectorFiles[i];
    if (file.name == name) return {reinterpret_cast<const char*>(file.data), file.size};
  }
  throw Error(Errc::state_error, "this build embeds no vector file " + std::string(name));
}

}  // namespace sefleet::cli

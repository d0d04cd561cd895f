// One file compiled into the sefleet binary: the entry of the tables that sefleet_embed_files
// (cmake/SefleetEmbedAssets.cmake) generates for the CLI (the Java Card API jar, the SCP03 vectors).
#pragma once

#include <cstddef>
#include <string_view>

namespace sefleet::cli::detail {

// Plain pointers and sizes, so a table is constant-initialized (usable before main, no init order).
struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "api.jar"
  const unsigned char* data;
  std::size_t size;
};

}  // namespace sefleet::cli::detail

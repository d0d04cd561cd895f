// The files of profiles/ (at the repository root) as the build compiles them into sefleet_sim
// (sefleet_embed_files in src/sim/CMakeLists.txt): a table sorted by path relative to profiles/
// ("se/jcop4.json"). Read through embedded_profiles() (embedded_profiles.hpp), not directly.
#pragma once

#include <cstddef>
#include <string_view>

namespace sefleet::sim::detail {

// Plain pointers and sizes, so the table is constant-initialized (usable before main, no init order).
struct EmbeddedFile {
  std::string_view name;  // path relative to profiles/, e.g. "se/jcop4.json"
  const unsigned char* data;
  std::size_t size;
};

extern const EmbeddedFile kProfileFiles[];
extern const std::size_t kProfileFileCount;

}  // namespace sefleet::sim::detail

// The table of embedded dashboard files, defined in a .cpp that CMake generates from
// src/offcard/server/dashboard/ (cmake/SefleetEmbedAssets.cmake). Internal to dashboard_assets.cpp.
#pragma once

#include <cstddef>
#include <string_view>

namespace sefleet::offcard::server::detail {

// Plain pointers and sizes, so the table is constant-initialized (usable before main, no init order).
struct EmbeddedFile {
  std::string_view name;  // file name, e.g. "index.html"
  const unsigned char* data;
  std::size_t size;
};

extern const EmbeddedFile kDashboardFiles[];
extern const std::size_t kDashboardFileCount;

}  // namespace sefleet::offcard::server::detail

// The ROM of the Java Card VM: every class file compiled from javacard/api/src and javacard/rom/src
// (the public API stubs and the VM's internal implementation classes), embedded in the card library
// by the build (cmake/SefleetJavaCard.cmake). The VM loads them at start; they are never stored.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace sefleet::card::javacard::vm {

namespace detail {
// Plain pointers and sizes, so the table is constant-initialized (usable before main, no init order).
struct EmbeddedFile {
  std::string_view name;  // path relative to the class output, e.g. "javacard/framework/APDU.class"
  const unsigned char* data;
  std::size_t size;
};
extern const EmbeddedFile kRomClassFiles[];
extern const std::size_t kRomClassFileCount;
}  // namespace detail

// The ROM class files, sorted by path.
inline std::span<const detail::EmbeddedFile> rom_class_files() noexcept {
  return {detail::kRomClassFiles, detail::kRomClassFileCount};
}

}  // namespace sefleet::card::javacard::vm

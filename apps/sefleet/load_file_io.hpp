// What `gp load`, `javacard check` and `javacard pack` share: a file read whole, and Java class and
// package names as users write them.
#pragma once

#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::cli {

// The whole content of the file at `path`; Error(io_error) "cannot read <path>" if it cannot be read.
Bytes read_binary_file(const std::string& path);

// A class or package name in the dotted form ("com.example.Applet") from its internal form
// ("com/example/Applet"), as load files hold it.
std::string dotted_class_name(std::string_view internal_name);

}  // namespace sefleet::cli

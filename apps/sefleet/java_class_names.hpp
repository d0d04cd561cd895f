// Java class and package names as users write them, from the internal form load files hold (what
// `gp load`, `javacard check` and `javacard pack` print).
#pragma once

#include <string>
#include <string_view>

namespace sefleet::cli {

// A class or package name in the dotted form ("com.example.Applet") from its internal form
// ("com/example/Applet"), as load files hold it.
std::string dotted_class_name(std::string_view internal_name);

}  // namespace sefleet::cli

#include "java_class_names.hpp"

#include <algorithm>

namespace sefleet::cli {

std::string dotted_class_name(std::string_view internal_name) {
  std::string name(internal_name);
  std::ranges::replace(name, '/', '.');
  return name;
}

}  // namespace sefleet::cli

// Which combinations of access flags a class, field or method may carry (JVM specification 4.1, 4.5,
// 4.6). Each check returns what is wrong, or an empty string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sefleet::card::javacard::classfile {

std::string class_access_problem(std::uint16_t flags);
std::string field_access_problem(std::uint16_t flags, bool in_interface);
std::string method_access_problem(std::uint16_t flags, std::string_view name, bool in_interface,
                                  std::uint16_t major_version);

}  // namespace sefleet::card::javacard::classfile

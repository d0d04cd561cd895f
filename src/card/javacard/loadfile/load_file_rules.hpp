// The container rules of a `.sfjc` load file, shared by the writer (encode_load_file, `sefleet
// javacard pack`) and the reader (decode_load_file): AID sizes, names in the internal form of one
// package, no duplicate class or AID, every applet among the classes. Whether the classes may run
// is not a container rule (the verifier and the VM decide that).
#pragma once

#include <string>
#include <string_view>

#include "card/javacard/loadfile/load_file.hpp"

namespace sefleet::card::javacard {

// AIDs of GlobalPlatform and Java Card: 5..16 bytes.
inline constexpr std::size_t kMinAidSize = 5;
inline constexpr std::size_t kMaxAidSize = 16;

// Throws LoadError("load file: ...") naming the first rule `load_file` breaks:
//  - package AID and applet AIDs of 5..16 bytes, all distinct (an applet AID is not the package AID);
//  - a package name in internal form ("com/example/oath": '/'-separated identifiers, no '.', ';',
//    '[', control characters or empty segment); a load file without package name is refused;
//  - at least one class; class names strictly ascending (sorted, hence no duplicate: a repeated name
//    is reported as "duplicate class"); every class directly in the package ("<package>/<Simple>");
//  - every applet class among the classes, no class declared as an applet twice.
void check_load_file_rules(const LoadFile& load_file);

// "com.example.Hello" -> "com/example/Hello" (the command line's dotted form to the internal form).
std::string internal_class_name(std::string_view dotted);
// "com/example/Hello" -> "com/example"; "" for a class of the unnamed package.
std::string_view package_of(std::string_view internal_class);

}  // namespace sefleet::card::javacard

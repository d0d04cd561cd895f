// Builds the LoadFile of one Java package from its javac class files (what `sefleet javacard pack`
// writes, and what tests load): each class file is read for its name, all must be classes of one
// named package, applets must have the static install(byte[], short, byte) method INSTALL calls.
// Whether the classes verify and link is not decided here (sefleet javacard check, the VM at LOAD).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "card/javacard/loadfile/load_file.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::javacard {

// One class file and where it came from (a path, for messages).
struct ClassFileSource {
  std::string origin;
  Bytes bytes;
};

struct PackageSpec {
  Bytes package_aid;
  std::uint8_t major_version = 1;
  std::uint8_t minor_version = 0;
  std::vector<AppletDeclaration> applets;  // class names in internal form
};

// Throws LoadError naming the problem: a class file that does not parse (its origin is named), two
// class files of one class, classes of the unnamed package or of several packages,
// an applet class without a static install([BSB)V, and whatever encode_load_file refuses.
LoadFile build_load_file(const std::vector<ClassFileSource>& class_files, const PackageSpec& spec);

}  // namespace sefleet::card::javacard

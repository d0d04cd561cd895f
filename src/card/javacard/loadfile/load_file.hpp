// The `.sfjc` load file: one Java package as `sefleet javacard pack` writes it and the ISD's LOAD
// receives it (the value of tag C4 of the load file data block). It carries the package AID, name and
// version, the applets (class -> AID) and the javac class files, and is integrity-checked as a whole
// (format byte by byte in docs/formats.md). Reading checks only the container; whether the classes
// may run is the VM's decision (JavaCardVm::check).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::javacard {

struct AppletDeclaration {
  std::string class_name;  // internal form, e.g. "com/example/oath/OathApplet"
  Bytes aid;               // the applet class AID (the executable module AID of GP), 5..16 bytes
};

struct ClassBytes {
  std::string name;  // internal form
  Bytes bytes;       // the class file as javac wrote it
};

struct LoadFile {
  Bytes package_aid;         // 5..16 bytes (the executable load file AID of GP)
  std::string package_name;  // internal form, e.g. "com/example/oath"
  std::uint8_t major_version = 1;
  std::uint8_t minor_version = 0;
  std::vector<AppletDeclaration> applets;  // may be empty (a library package)
  std::vector<ClassBytes> classes;         // sorted by name, each in package_name, at least one
};

// The largest load file this card accepts (the LOAD data, C4 value): 1 MiB, the VM's default
// persistent capacity. Writers refuse to produce a larger file and readers refuse it before parsing.
inline constexpr std::size_t kMaxLoadFileSize = 1024 * 1024;
// The format version this build writes and reads (docs/formats.md "Java Card load file").
inline constexpr std::uint8_t kLoadFileFormatVersion = 1;

// Throws LoadError for a structurally invalid LoadFile (AID sizes, names outside the package,
// duplicate classes or AIDs, an applet class that is not among the classes).
Bytes encode_load_file(const LoadFile& load_file);
// Throws LoadError naming what is wrong: bad magic or version, truncation, trailing bytes, a failed
// integrity check, and everything encode_load_file refuses.
LoadFile decode_load_file(ByteView bytes);

}  // namespace sefleet::card::javacard

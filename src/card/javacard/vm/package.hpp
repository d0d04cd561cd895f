// A Java package loaded on the card: its classes (linked against the ROM and the packages loaded
// before it), its firewall context, its applets, and the load file it came from (kept so that the
// package can be linked again when the card is opened).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "card/javacard/loadfile/load_file.hpp"
#include "card/javacard/vm/runtime_class.hpp"
#include "card/javacard/vm/vm_types.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::javacard::vm {

struct Package {
  std::string name;  // internal form, e.g. "com/example/oath"
  Bytes aid;
  std::uint8_t major_version = 1;
  std::uint8_t minor_version = 0;
  ContextId context = kJcreContext;
  std::uint32_t sequence = 0;  // load order; the key of its NVM record
  std::vector<AppletDeclaration> applets;
  std::vector<std::unique_ptr<RtClass>> classes;
  LoadFile load_file;  // as loaded (stored in NVM, linked again at card open)

  const RtClass* find_class(std::string_view class_name) const noexcept {
    for (const auto& cls : classes) {
      if (cls->name == class_name) return cls.get();
    }
    return nullptr;
  }
};

// The package part of an internal class name: "javacard/framework" for "javacard/framework/APDU".
inline std::string_view package_of(std::string_view class_name) noexcept {
  const auto slash = class_name.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : class_name.substr(0, slash);
}

}  // namespace sefleet::card::javacard::vm

// The linker: verified class files in, linked classes out (runtime_class.hpp). Linking is eager:
// every class, field and method a class refers to resolves now, to a class of the same set, the ROM
// or a package already on the card, or the whole set is refused with a LoadError naming class,
// method, pc and instruction. It also lays out fields (instance and static slots), builds vtables
// and interface tables, binds the ROM's native methods, and applies the rules an applet package
// must follow beyond the verifier: only the public API packages of the ROM are visible, access
// modifiers hold, instructions use fields and methods of the right kind (static or not), `new` names
// a concrete class.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/vm/native_call.hpp"
#include "card/javacard/vm/runtime_class.hpp"

namespace sefleet::card::javacard::vm {

struct Package;

struct LinkEnvironment {
  // Classes outside the set being linked (the ROM, loaded packages); nullptr when unknown.
  std::function<const RtClass*(std::string_view internal_name)> find_class;
  // Linking the ROM: native methods are bound from `natives` (every one must have a binding), every
  // ROM package is visible. Otherwise native methods are refused and only public packages are visible.
  bool rom = false;
  const std::unordered_map<std::string_view, NativeFunction>* natives = nullptr;
  Package* package = nullptr;  // the package the classes belong to (null for the ROM)
};

// The packages of the ROM that applets may use (what the API jar holds).
bool is_public_api_package(std::string_view package_name) noexcept;

// A process-wide number for an interface method's name + descriptor (invokeinterface dispatch).
std::uint32_t interface_selector(std::string_view name, std::string_view descriptor);

// Links `files` (each already verified). Throws LoadError.
std::vector<std::unique_ptr<RtClass>> link_classes(std::vector<classfile::ClassFile> files, const LinkEnvironment& env);

}  // namespace sefleet::card::javacard::vm

// The ROM: every class of the Java Card API and of the VM's implementation (javacard/api/src and
// javacard/rom/src, embedded by the build), parsed, verified and linked once per process and shared
// by every VM (linked classes are immutable; each VM keeps its own static fields).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "card/javacard/vm/class_initialisation.hpp"
#include "card/javacard/vm/runtime_class.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::javacard::vm {

class Rom {
 public:
  // The process's ROM, built on first use. Throws LoadError when an embedded class does not verify
  // or link (a build defect).
  static const Rom& instance();

  const RtClass* find(std::string_view name) const noexcept;
  // Every ROM class, superclasses before subclasses.
  const std::vector<std::unique_ptr<RtClass>>& classes() const noexcept { return classes_; }
  // Native methods of the ROM without a C++ binding (their call ends the entry with 6F00), and
  // bindings that name no ROM native. Both are empty in a consistent build (a unit test checks).
  const std::vector<std::string>& unbound_natives() const noexcept { return unbound_; }
  const std::vector<std::string>& unused_bindings() const noexcept { return unused_; }
  // SHA-256 over every ROM class (name and bytes): stored state records which ROM wrote it.
  const Bytes& fingerprint() const noexcept { return fingerprint_; }
  // The ROM classes' static initialisers in the order every VM start runs them.
  const std::vector<ClassInitialiser>& initialisers() const noexcept { return initialisers_; }

 private:
  Rom();
  std::vector<std::unique_ptr<RtClass>> classes_;
  std::unordered_map<std::string_view, const RtClass*> by_name_;
  std::vector<std::string> unbound_;
  std::vector<std::string> unused_;
  Bytes fingerprint_;
  std::vector<ClassInitialiser> initialisers_;
};

}  // namespace sefleet::card::javacard::vm

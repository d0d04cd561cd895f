#include "card/javacard/vm/rom.hpp"

#include <algorithm>
#include <iterator>
#include <set>
#include <string_view>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/verifier.hpp"
#include "card/javacard/natives/native_tables.hpp"
#include "card/javacard/vm/linker.hpp"
#include "card/javacard/vm/rom_image.hpp"
#include "core/log.hpp"
#include "crypto/hash.hpp"

namespace sefleet::card::javacard::vm {

namespace {

// ROM classes whose instances, made by ROM static initialisers, are permanent JCRE entry point objects
// (javacard/rom/NATIVES.md): GlobalPlatform hands the secure channel and registry entries to applets
// as Shareable objects of the Security Domain, which applets commonly keep in fields, and the OneShot
// engine caches must allocate in the JCRE context when an applet calls them.
constexpr std::string_view kPermanentEntryPointClasses[] = {
    "org/sefleet/jcre/gp/SecureChannelImpl",
    "org/sefleet/jcre/gp/RegistryEntryImpl",
    "org/sefleet/jcre/security/OneShotCache",
};

// Called for a ROM native without a C++ binding: the entry ends with 6F00 and the log names it.
void unbound_native(NativeCall& call) {
  (void)call;
  throw VmAbort("a native method of the ROM has no C++ implementation in this build");
}

}  // namespace

const Rom& Rom::instance() {
  static const Rom rom;
  return rom;
}

Rom::Rom() {
  std::vector<classfile::ClassFile> files;
  crypto::Sha256 hash;
  for (const auto& file : rom_class_files()) {
    hash.update(bytes_of(file.name));
    hash.update(ByteView(file.data, file.size));
    auto cls = classfile::parse_class_file(ByteView(file.data, file.size));
    classfile::VerifyOptions options;
    options.allow_native = true;
    classfile::require_verified(cls, options);
    files.push_back(std::move(cls));
  }
  const auto digest = hash.finish();
  fingerprint_.assign(digest.begin(), digest.end());
  // Bindings by key; natives of the ROM that have none are bound to unbound_native.
  std::unordered_map<std::string_view, NativeFunction> natives;
  for (const auto table : natives::all_native_tables()) {
    for (const auto& method : table) natives.emplace(method.key, method.function);
  }
  std::set<std::string> declared;
  for (const auto& file : files) {
    for (const auto& method : file.methods) {
      if ((method.access & classfile::access::kNative) == 0) continue;
      std::string key = file.name + "." + method.name + method.descriptor;
      declared.insert(key);
      if (!natives.contains(key)) unbound_.push_back(key);
    }
  }
  std::unordered_map<std::string_view, NativeFunction> bindings = natives;
  for (const auto& key : unbound_) bindings.emplace(key, unbound_native);
  for (const auto& [key, function] : natives) {
    if (!declared.contains(std::string(key))) unused_.emplace_back(key);
  }
  std::ranges::sort(unused_);
  for (const auto& key : unbound_) spdlog::warn("Java Card ROM: native {} has no C++ implementation", key);
  for (const auto& key : unused_) spdlog::warn("Java Card ROM: native binding {} names no ROM method", key);

  LinkEnvironment env;
  env.rom = true;
  env.natives = &bindings;
  env.find_class = [](std::string_view) -> const RtClass* { return nullptr; };
  classes_ = link_classes(std::move(files), env);
  // Superclasses first, so that VM start can create statics and run initialisers in order.
  std::ranges::stable_sort(classes_,
                           [](const auto& a, const auto& b) { return a->ancestors.size() < b->ancestors.size(); });
  std::uint32_t id = 0;
  for (auto& cls : classes_) {
    cls->id = id++;
    cls->permanent_entry_point =
        std::ranges::find(kPermanentEntryPointClasses, cls->name) != std::end(kPermanentEntryPointClasses);
    by_name_.emplace(cls->name, cls.get());
  }
  std::vector<const RtClass*> all;
  for (const auto& cls : classes_) all.push_back(cls.get());
  initialisers_ = initialisation_order(all);
}

const RtClass* Rom::find(std::string_view name) const noexcept {
  const auto it = by_name_.find(name);
  return it != by_name_.end() ? it->second : nullptr;
}

}  // namespace sefleet::card::javacard::vm

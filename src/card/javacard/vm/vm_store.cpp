// The VM's own NVM records beside the heap's objects (heap_store.cpp):
//   "jc/p/<sequence, 8 hex>"  a loaded package: version(1)=1 context(1) load-file (the .sfjc bytes)
//   "jc/i/<instance id, 4 hex>"  an applet instance: version(1)=1 id(2) applet(4) aid-object(4)
//                                aid-length(1) aid package-aid-length(1) package-aid
//                                class-name-length(2) class-name
//   "jc/rom"  the ROM that wrote the state: its fingerprint (32) and the end of its handles (4); a
//             stored field may refer to an object of the ROM's static initialisation, whose handle
//             is the same at every start of the same ROM only
// At card open the packages are linked again in load order, then the heap is reloaded (the objects
// keep their handles), the statics objects are attached to their classes, and the instances are
// registered again. References to objects that do not exist are refused as corruption.
#include <algorithm>
#include <cstdio>

#include "card/javacard/loadfile/load_file.hpp"
#include "card/javacard/vm/rom.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"

namespace sefleet::card::javacard::vm {

namespace {

constexpr std::string_view kPackagePrefix = "jc/p/";
constexpr std::string_view kInstancePrefix = "jc/i/";
constexpr std::string_view kRomKey = "jc/rom";
constexpr std::uint8_t kRecordVersion = 1;
constexpr std::string_view kAppletClass = "javacard/framework/Applet";

std::string package_key(std::uint32_t sequence) {
  char key[16];
  std::snprintf(key, sizeof key, "%08x", sequence);
  return std::string(kPackagePrefix) + key;
}

std::string instance_key(InstanceId id) {
  char key[8];
  std::snprintf(key, sizeof key, "%04x", id);
  return std::string(kInstancePrefix) + key;
}

[[noreturn]] void corrupt(std::string_view key, const std::string& what) {
  throw Error(Errc::integrity_error, "Java Card VM record " + std::string(key) + ": " + what);
}

// A cursor over a record that refuses to read past its end.
class Reader {
 public:
  Reader(std::string_view key, ByteView bytes) : key_(key), bytes_(bytes) {}
  std::uint8_t u8() { return take(1)[0]; }
  std::uint16_t u16() { return read_be16(take(2), 0); }
  std::uint32_t u32() { return read_be32(take(4), 0); }
  ByteView take(std::size_t size) {
    if (bytes_.size() - offset_ < size) corrupt(key_, "truncated");
    const ByteView part = bytes_.subspan(offset_, size);
    offset_ += size;
    return part;
  }
  ByteView rest() { return take(bytes_.size() - offset_); }
  void end() const {
    if (offset_ != bytes_.size()) corrupt(key_, "trailing bytes");
  }

 private:
  std::string_view key_;
  ByteView bytes_;
  std::size_t offset_ = 0;
};

}  // namespace

bool Vm::store_in_transaction() const {
  return services_.store->in_transaction();
}
void Vm::store_begin() {
  services_.store->begin();
}
void Vm::store_commit() {
  services_.store->commit();
}
void Vm::store_abort() noexcept {
  try {
    if (services_.store->in_transaction()) services_.store->abort();
  } catch (...) {  // a store broken by a power loss refuses everything until it is reopened
  }
}

Bytes Vm::rom_record() const {
  Bytes record = rom_->fingerprint();
  put_be32(record, rom_handle_limit_);
  return record;
}

void Vm::write_package_record(const Package& package) {
  if (services_.store == nullptr) return;
  services_.store->write(kRomKey, rom_record());
  Bytes record{kRecordVersion, package.context};
  append(record, encode_load_file(package.load_file));
  services_.store->write(package_key(package.sequence), record);
}

void Vm::erase_package_record(const Package& package) {
  if (services_.store == nullptr) return;
  services_.store->erase(package_key(package.sequence));
  if (packages_.size() == 1) services_.store->erase(kRomKey);  // the last package goes
}

void Vm::write_instance_record(const Instance& instance) {
  if (services_.store == nullptr) return;
  Bytes record{kRecordVersion};
  put_be16(record, instance.id);
  put_be32(record, instance.applet);
  put_be32(record, instance.aid_object);
  record.push_back(static_cast<std::uint8_t>(instance.aid.size()));
  append(record, instance.aid);
  record.push_back(static_cast<std::uint8_t>(instance.package->aid.size()));
  append(record, instance.package->aid);
  put_be16(record, static_cast<std::uint16_t>(instance.cls->name.size()));
  append(record, bytes_of(instance.cls->name));
  services_.store->write(instance_key(instance.id), record);
}

void Vm::erase_instance_record(const Instance& instance) {
  if (services_.store != nullptr) services_.store->erase(instance_key(instance.id));
}

void Vm::load_stored_state() {
  if (services_.store == nullptr) return;
  const auto& state = services_.store->committed();
  if (const auto rom = state.find(kRomKey); rom != state.end() && rom->second != rom_record()) {
    throw Error(Errc::integrity_error,
                "the Java Card state on this card was written by another ROM (another sefleet build); it cannot be "
                "reloaded");
  }
  for (auto it = state.lower_bound(kPackagePrefix); it != state.end() && it->first.starts_with(kPackagePrefix); ++it) {
    const std::string& key = it->first;
    unsigned sequence = 0;
    if (key.size() != kPackagePrefix.size() + 8 ||
        std::sscanf(key.c_str() + kPackagePrefix.size(), "%8x", &sequence) != 1) {
      corrupt(key, "malformed key");
    }
    Reader reader(key, it->second);
    if (reader.u8() != kRecordVersion) corrupt(key, "unknown version");
    const ContextId context = reader.u8();
    LoadFile load_file;
    std::unique_ptr<Package> package;
    try {
      load_file = decode_load_file(reader.rest());
      package = link_package(load_file);
    } catch (const LoadError& e) {
      corrupt(key, std::string("the stored package no longer loads: ") + e.what());
    }
    if (context == kJcreContext ||
        std::ranges::any_of(packages_, [&](const auto& p) { return p->context == context; })) {
      corrupt(key, "context used twice");
    }
    package->sequence = sequence;
    add_package(std::move(package), context, false);
  }
  heap_->load([this](std::string_view name) { return find_class(name); });

  // Statics objects back to their classes; references checked.
  for (const Ref ref : heap_->live_refs()) {
    const heap::Object& object = *heap_->find(ref);
    if ((object.flags & heap::flag::kPersistent) == 0) continue;  // the ROM's RAM-only objects
    if (object.kind == heap::ObjectKind::statics) {
      if (object.cls->rom || statics_[object.cls->id] != kNull) {
        throw Error(Errc::integrity_error, "Java Card heap: a second statics object for " + object.cls->name);
      }
      attach_statics(*object.cls, ref);
    }
    auto check = [&](std::int32_t value) {
      if (value != 0 && heap_->find(static_cast<Ref>(value)) == nullptr) {
        throw Error(Errc::integrity_error, "Java Card heap: object " + std::to_string(ref) +
                                               " refers to a missing object " + std::to_string(value));
      }
    };
    for (std::int32_t i = 0; i < object.length; ++i) {
      const bool reference = object.kind == heap::ObjectKind::array_reference ||
                             (object.kind == heap::ObjectKind::instance && object.cls->reference_slots[i]) ||
                             (object.kind == heap::ObjectKind::statics && object.cls->static_reference_slots[i]);
      if (reference && object.persistent_data()) check(object.slot(i));
    }
  }
  for (const auto& package : packages_) {
    for (const auto& cls : package->classes) {
      if (cls->static_slots > 0 && statics_[cls->id] == kNull) {
        throw Error(Errc::integrity_error, "Java Card heap: the static fields of " + cls->name + " are missing");
      }
    }
  }

  const RtClass& applet = rom_class(kAppletClass);
  for (auto it = state.lower_bound(kInstancePrefix); it != state.end() && it->first.starts_with(kInstancePrefix);
       ++it) {
    const std::string& key = it->first;
    Reader reader(key, it->second);
    if (reader.u8() != kRecordVersion) corrupt(key, "unknown version");
    auto instance = std::make_unique<Instance>();
    instance->id = reader.u16();
    instance->applet = reader.u32();
    instance->aid_object = reader.u32();
    const ByteView aid = reader.take(reader.u8());
    instance->aid.assign(aid.begin(), aid.end());
    const ByteView package_aid = reader.take(reader.u8());
    const ByteView class_name = reader.take(reader.u16());
    reader.end();
    if (instance_key(instance->id) != key) corrupt(key, "id does not match the key");
    instance->package = find_package(package_aid);
    if (instance->package == nullptr) corrupt(key, "its package is not on the card");
    instance->cls = instance->package->find_class(
        std::string_view(reinterpret_cast<const char*>(class_name.data()), class_name.size()));
    if (instance->cls == nullptr || !instance->cls->is_assignable_to(applet))
      corrupt(key, "its class is not an applet class");
    const heap::Object* object = heap_->find(instance->applet);
    if (object == nullptr || object->kind != heap::ObjectKind::instance || object->cls != instance->cls) {
      corrupt(key, "its applet object is missing");
    }
    if (instance->aid_object != kNull && heap_->find(instance->aid_object) == nullptr)
      corrupt(key, "its AID object is missing");
    if (find_instance(instance->aid) != nullptr) corrupt(key, "AID registered twice");
    instance->multi_selectable = instance->cls->is_assignable_to(rom_class("javacard/framework/MultiSelectable"));
    instance->extended_length = instance->cls->is_assignable_to(rom_class("javacardx/apdu/ExtendedLength"));
    instances_.push_back(std::move(instance));
  }
}

}  // namespace sefleet::card::javacard::vm

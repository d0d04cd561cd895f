#include "card/javacard/vm/native_call.hpp"

#include <cstring>

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/vm/firewall.hpp"
#include "card/javacard/vm/rom.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/applet.hpp"

namespace sefleet::card::javacard::vm {

std::int32_t NativeCall::arg_int(std::size_t index) const {
  if (index >= arg_count_) throw VmAbort("native argument " + std::to_string(index) + " out of range");
  return args_[index];
}

heap::Object& NativeCall::checked_object(Ref ref) {
  heap::Object* object = vm_.heap().find(ref);
  if (object == nullptr) vm_.throw_vm(VmException::null_pointer);
  if (!privileged_) firewall::check_access(vm_, *object, context_);
  return *object;
}

heap::Object& NativeCall::checked_array(Ref ref, std::int32_t offset, std::int32_t length) {
  heap::Object& array = checked_object(ref);
  if (!array.is_array()) throw VmAbort("a native expected an array");
  if (offset < 0 || length < 0 || static_cast<std::int64_t>(offset) + length > array.length) {
    vm_.throw_vm(VmException::array_index_out_of_bounds);
  }
  return array;
}

std::int32_t NativeCall::array_length(Ref array) {
  heap::Object& object = checked_object(array);
  if (!object.is_array()) throw VmAbort("a native expected an array");
  return object.length;
}

ByteView NativeCall::bytes(Ref array, std::int32_t offset, std::int32_t length) {
  heap::Object& object = checked_array(array, offset, length);
  if (object.kind != heap::ObjectKind::array_byte) throw VmAbort("a native expected a byte array");
  return ByteView(object.bytes() + offset, static_cast<std::size_t>(length));
}

ByteView NativeCall::bytes(Ref array) {
  heap::Object& object = checked_object(array);
  if (object.kind != heap::ObjectKind::array_byte) throw VmAbort("a native expected a byte array");
  return ByteView(object.bytes(), static_cast<std::size_t>(object.length));
}

void NativeCall::write_bytes(Ref array, std::int32_t offset, ByteView data, Atomicity atomicity) {
  heap::Object& object = checked_array(array, offset, static_cast<std::int32_t>(data.size()));
  if (object.kind != heap::ObjectKind::array_byte) throw VmAbort("a native expected a byte array");
  vm_.heap().write_bytes(array, object, offset, data, atomicity);
}

void NativeCall::fill_bytes(Ref array, std::int32_t offset, std::int32_t length, std::uint8_t value,
                            Atomicity atomicity) {
  heap::Object& object = checked_array(array, offset, length);
  if (object.kind != heap::ObjectKind::array_byte) throw VmAbort("a native expected a byte array");
  vm_.heap().fill_bytes(array, object, offset, length, value, atomicity);
}

std::int32_t NativeCall::element(Ref array, std::int32_t index) {
  const heap::Object& object = checked_array(array, index, 1);
  switch (object.kind) {
    case heap::ObjectKind::array_boolean:
      return object.bytes()[index];
    case heap::ObjectKind::array_byte:
      return static_cast<std::int8_t>(object.bytes()[index]);
    case heap::ObjectKind::array_short:
      return object.short_at(index);
    default:
      return object.slot(index);
  }
}

void NativeCall::set_element(Ref array, std::int32_t index, std::int32_t value, Atomicity atomicity) {
  heap::Object& object = checked_array(array, index, 1);
  switch (object.kind) {
    case heap::ObjectKind::array_boolean:
      vm_.heap().write_byte(array, object, index, static_cast<std::uint8_t>(value & 1), atomicity);
      break;
    case heap::ObjectKind::array_byte:
      vm_.heap().write_byte(array, object, index, static_cast<std::uint8_t>(value), atomicity);
      break;
    case heap::ObjectKind::array_short:
      vm_.heap().write_short(array, object, index, static_cast<std::int16_t>(value), atomicity);
      break;
    case heap::ObjectKind::array_reference:
      if (value != 0) {
        heap::Object& element = checked_object(static_cast<Ref>(value));
        if (!privileged_) firewall::check_storable(vm_, element);
        if (object.cls != nullptr && !firewall::is_instance_of(element, *object.cls)) {
          vm_.throw_vm(VmException::array_store);
        }
      }
      vm_.heap().write_slot(array, object, index, value, atomicity);
      break;
    default:
      vm_.heap().write_slot(array, object, index, value, atomicity);
      break;
  }
}

// ---- fields by name ----

std::int32_t NativeCall::resolve(const FieldName& field) const {
  std::int32_t slot = field.slot_.load(std::memory_order_acquire);
  if (slot >= 0) return slot;
  const RtClass* cls = vm_.rom().find(field.class_name());
  const RtField* found = nullptr;
  for (const RtClass* c = cls; c != nullptr && found == nullptr; c = c->super)
    found = c->find_field(field.field_name());
  if (found == nullptr || found->descriptor != field.descriptor()) {
    throw VmAbort("the ROM has no field " + std::string(field.class_name()) + "." + std::string(field.field_name()) +
                  " " + std::string(field.descriptor()));
  }
  field.is_static_.store(found->is_static, std::memory_order_relaxed);
  field.slot_.store(found->slot, std::memory_order_release);
  return found->slot;
}

namespace {
const RtClass& field_class(const Vm& vm, const FieldName& field) {
  const RtClass* cls = vm.rom().find(field.class_name());
  if (cls == nullptr) throw VmAbort("the ROM has no class " + std::string(field.class_name()));
  return *cls;
}
}  // namespace

std::int32_t NativeCall::get_field(Ref object, const FieldName& field) {
  const std::int32_t slot = resolve(field);
  heap::Object* target = vm_.heap().find(object);
  if (target == nullptr) vm_.throw_vm(VmException::null_pointer);
  if (field.is_static_.load(std::memory_order_relaxed) || target->kind != heap::ObjectKind::instance ||
      !target->cls->is_assignable_to(field_class(vm_, field))) {
    throw VmAbort("native field access to " + std::string(field.field_name()) + " on an object of another class");
  }
  return target->slot(slot);
}

void NativeCall::set_field(Ref object, const FieldName& field, std::int32_t value) {
  const std::int32_t slot = resolve(field);
  heap::Object* target = vm_.heap().find(object);
  if (target == nullptr) vm_.throw_vm(VmException::null_pointer);
  if (field.is_static_.load(std::memory_order_relaxed) || target->kind != heap::ObjectKind::instance ||
      !target->cls->is_assignable_to(field_class(vm_, field))) {
    throw VmAbort("native field access to " + std::string(field.field_name()) + " on an object of another class");
  }
  vm_.heap().write_slot(object, *target, slot, value, Atomicity::atomic);
}

std::int32_t NativeCall::get_static(const FieldName& field) {
  const std::int32_t slot = resolve(field);
  if (!field.is_static_.load(std::memory_order_relaxed)) throw VmAbort("get_static of an instance field");
  return vm_.statics(field_class(vm_, field)).slot(slot);
}

void NativeCall::set_static(const FieldName& field, std::int32_t value) {
  const std::int32_t slot = resolve(field);
  if (!field.is_static_.load(std::memory_order_relaxed)) throw VmAbort("set_static of an instance field");
  const RtClass& cls = field_class(vm_, field);
  vm_.heap().write_slot(vm_.statics_ref(cls), vm_.statics(cls), slot, value, Atomicity::atomic);
}

// ---- allocation and types ----

Ref NativeCall::new_array(ArrayType type, std::int32_t length, Transience transience) {
  return vm_.new_array(type, length, context_, instance_, transience);
}

Ref NativeCall::new_object(std::string_view class_name) {
  const RtClass& cls = vm_.rom_class(class_name);
  return vm_.new_instance(cls, context_, instance_);
}

std::string_view NativeCall::class_name_of(Ref object) {
  const heap::Object& target = checked_object(object);
  switch (target.kind) {
    case heap::ObjectKind::array_boolean:
      return "[Z";
    case heap::ObjectKind::array_byte:
      return "[B";
    case heap::ObjectKind::array_short:
      return "[S";
    case heap::ObjectKind::array_int:
      return "[I";
    case heap::ObjectKind::array_reference:
      return "[Ljava/lang/Object;";
    default:
      return target.cls->name;
  }
}

bool NativeCall::instance_of(Ref object, std::string_view class_name) {
  const heap::Object* target = vm_.heap().find(object);
  if (target == nullptr) return false;
  const RtClass* cls = vm_.find_class(class_name);
  return cls != nullptr && firewall::is_instance_of(*target, *cls);
}

// ---- exceptions ----

void NativeCall::throw_exception(std::string_view class_name, std::int16_t reason) {
  vm_.throw_api(class_name, reason);
}

void NativeCall::throw_vm_exception(VmException kind) {
  vm_.throw_vm(kind);
}

// ---- who is running ----

ByteView NativeCall::instance_aid() const {
  const Instance* instance = vm_.find_instance(instance_);
  return instance != nullptr ? ByteView(instance->aid) : ByteView();
}

AppletContext* NativeCall::applet_context() const noexcept {
  return vm_.entry().applet_context;
}

crypto::Random& NativeCall::random() const {
  return *vm_.services().random;
}

VirtualClock& NativeCall::clock() const {
  return vm_.clock();
}

void NativeCall::charge(SeOperation op, std::size_t bytes) const {
  vm_.clock().charge(op, bytes);
}

// ---- side table ----

NativeCacheEntry* NativeCall::find_cache(Ref object, const void* type) const {
  return vm_.find_cache(object, type);
}

void NativeCall::store_cache(Ref object, const void* type, std::unique_ptr<NativeCacheEntry> entry) {
  vm_.store_cache(object, type, std::move(entry));
}

void NativeCall::drop_cache(Ref object) {
  vm_.drop_cache(object);
}

}  // namespace sefleet::card::javacard::vm

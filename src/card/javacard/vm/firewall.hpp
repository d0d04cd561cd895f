// The applet firewall (JCRE chapter 6) as the interpreter and the natives apply it to code of applet
// packages (ROM code is the JCRE's and is not checked). An access the firewall forbids throws the
// JCRE's SecurityException.
//  - fields and array elements: the object's context, or a global array (APDU buffer, install
//    parameters, JCSystem.makeGlobalArray); CLEAR_ON_DESELECT arrays only while their context is the
//    selected applet's;
//  - instance methods: the object's context, JCRE entry point objects (temporary or permanent), and
//    Shareable interface methods of objects whose class implements a Shareable interface;
//  - checkcast/instanceof: also entry point objects, global arrays and Shareable objects;
//  - athrow: the context's own exceptions and the JCRE's;
//  - storing a reference to a temporary entry point object or a global array anywhere: never.
#pragma once

#include "card/javacard/heap/object.hpp"
#include "card/javacard/vm/runtime_class.hpp"
#include "card/javacard/vm/vm.hpp"

namespace sefleet::card::javacard::vm::firewall {

inline constexpr std::uint8_t kEntryPoint = heap::flag::kTemporaryEntryPoint | heap::flag::kPermanentEntryPoint;

inline void check_access(Vm& vm, const heap::Object& object, ContextId context) {
  if ((object.flags & heap::flag::kGlobal) != 0 || context == kJcreContext) return;
  if (object.context != context) vm.throw_vm(VmException::security);
  if ((object.flags & heap::flag::kClearOnDeselect) != 0) {
    const Instance* selected = vm.entry().instance;
    if (selected != nullptr && selected->package != nullptr && selected->package->context != object.context) {
      vm.throw_vm(VmException::security);
    }
  }
}

inline void check_storable(Vm& vm, const heap::Object& value) {
  if ((value.flags & (heap::flag::kTemporaryEntryPoint | heap::flag::kGlobal)) != 0) vm.throw_vm(VmException::security);
}

inline void check_type_test(Vm& vm, const heap::Object& object, ContextId context) {
  if (object.context == context || (object.flags & (kEntryPoint | heap::flag::kGlobal)) != 0) return;
  if (object.kind == heap::ObjectKind::instance && object.cls->is_shareable) return;
  vm.throw_vm(VmException::security);
}

inline void check_throwable(Vm& vm, const heap::Object& object, ContextId context) {
  if (object.context == context || (object.flags & kEntryPoint) != 0) return;
  vm.throw_vm(VmException::security);
}

inline void check_invoke(Vm& vm, const heap::Object& receiver, ContextId context, bool interface_call,
                         const RtMethod& method) {
  if (receiver.context == context || (receiver.flags & (kEntryPoint | heap::flag::kGlobal)) != 0) return;
  if (interface_call && receiver.kind == heap::ObjectKind::instance && receiver.cls->is_shareable &&
      method.owner->is_interface() && method.owner->is_shareable) {
    return;
  }
  vm.throw_vm(VmException::security);
}

// Is `object` an instance of class or interface `cls`? (Arrays are instances of java/lang/Object only.)
inline bool is_instance_of(const heap::Object& object, const RtClass& cls) {
  if (object.kind == heap::ObjectKind::instance) return object.cls->is_assignable_to(cls);
  return cls.super == nullptr && !cls.is_interface();  // java/lang/Object
}

inline bool is_instance_of(const heap::Object& object, const TypeRef& type) {
  if (!type.is_array()) return is_instance_of(object, *type.cls);
  switch (object.kind) {
    case heap::ObjectKind::array_boolean:
      return type.element == ArrayType::boolean_;
    case heap::ObjectKind::array_byte:
      return type.element == ArrayType::byte_;
    case heap::ObjectKind::array_short:
      return type.element == ArrayType::short_;
    case heap::ObjectKind::array_int:
      return type.element == ArrayType::int_;
    case heap::ObjectKind::array_reference:
      return type.element == ArrayType::reference && object.cls != nullptr && type.cls != nullptr &&
             object.cls->is_assignable_to(*type.cls);
    default:
      return false;
  }
}

}  // namespace sefleet::card::javacard::vm::firewall

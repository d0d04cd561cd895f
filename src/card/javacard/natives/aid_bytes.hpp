// The bytes of an AID object, read by the JCRE's natives (AID, JCSystem) without the firewall: the
// JCRE compares AIDs of every context.
#pragma once

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/vm/native_call.hpp"
#include "card/javacard/vm/vm.hpp"

namespace sefleet::card::javacard::natives {

inline const vm::FieldName kAidBytesField{"javacard/framework/AID", "aid", "[B"};

// Empty when `aid` is null or not an AID object with its bytes.
inline ByteView aid_bytes(vm::NativeCall& call, vm::Ref aid) {
  const heap::Object* object = call.vm().heap().find(aid);
  if (object == nullptr || object->kind != heap::ObjectKind::instance ||
      !object->cls->is_assignable_to(call.vm().rom_class(kAidBytesField.class_name()))) {
    return {};
  }
  const heap::Object* bytes = call.vm().heap().find(call.get_ref_field(aid, kAidBytesField));
  if (bytes == nullptr || bytes->kind != heap::ObjectKind::array_byte) return {};
  return ByteView(bytes->bytes(), static_cast<std::size_t>(bytes->length));
}

}  // namespace sefleet::card::javacard::natives

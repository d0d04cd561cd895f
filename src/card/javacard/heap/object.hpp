// One object of the Java Card heap: a class instance, the static fields of one class, or an array.
// Its data lives in RAM in one typed block (slots of 32 bits for instances, statics, int[] and
// reference arrays; 16 bits for short[]; 8 bits for byte[] and boolean[]). Persistent objects are
// also stored in the NVM store (heap_store.hpp); the RAM copy is the one the interpreter reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

#include "card/javacard/vm/vm_types.hpp"

namespace sefleet::card::javacard::vm {
struct RtClass;
}

namespace sefleet::card::javacard::heap {

using vm::ContextId;
using vm::InstanceId;
using vm::Ref;

enum class ObjectKind : std::uint8_t {
  instance = 1,
  statics = 2,  // the static fields of one class
  array_boolean = 3,
  array_byte = 4,
  array_short = 5,
  array_int = 6,
  array_reference = 7,
};

namespace flag {
inline constexpr std::uint8_t kPersistent = 0x01;           // has an NVM record (else RAM only)
inline constexpr std::uint8_t kClearOnReset = 0x02;         // transient data, cleared at reset
inline constexpr std::uint8_t kClearOnDeselect = 0x04;      // transient data, cleared at deselect
inline constexpr std::uint8_t kGlobal = 0x08;               // global array (any context may access)
inline constexpr std::uint8_t kTemporaryEntryPoint = 0x10;  // JCRE temporary entry point object
inline constexpr std::uint8_t kPermanentEntryPoint = 0x20;  // JCRE permanent entry point object
inline constexpr std::uint8_t kTransient = kClearOnReset | kClearOnDeselect;
}  // namespace flag

// Bytes per element of each kind (slots for instances and statics).
constexpr std::size_t element_size(ObjectKind kind) noexcept {
  switch (kind) {
    case ObjectKind::array_boolean:
    case ObjectKind::array_byte:
      return 1;
    case ObjectKind::array_short:
      return 2;
    default:
      return 4;
  }
}

struct Object {
  ObjectKind kind = ObjectKind::instance;
  std::uint8_t flags = 0;
  ContextId context = vm::kJcreContext;
  InstanceId owner = vm::kNoInstance;
  std::int32_t length = 0;  // elements, or slots of an instance / statics object
  // Instance and statics: the class. Reference arrays: the element class (Java Card has no arrays
  // of arrays). Primitive arrays: null.
  const vm::RtClass* cls = nullptr;
  std::unique_ptr<std::uint8_t[]> data;  // length * element_size(kind) bytes, zeroed at creation

  // Data that takes part in persistence and transactions (persistent and not transient).
  bool persistent_data() const noexcept { return (flags & flag::kPersistent) != 0 && (flags & flag::kTransient) == 0; }
  bool is_array() const noexcept { return kind >= ObjectKind::array_boolean; }
  bool holds_references() const noexcept { return kind == ObjectKind::array_reference; }
  std::size_t byte_size() const noexcept { return static_cast<std::size_t>(length) * element_size(kind); }

  // Typed element access in host order (memcpy: the block is untyped storage).
  std::int32_t slot(std::int32_t index) const noexcept {
    std::int32_t value;
    std::memcpy(&value, data.get() + static_cast<std::size_t>(index) * 4, 4);
    return value;
  }
  void set_slot(std::int32_t index, std::int32_t value) noexcept {
    std::memcpy(data.get() + static_cast<std::size_t>(index) * 4, &value, 4);
  }
  std::int16_t short_at(std::int32_t index) const noexcept {
    std::int16_t value;
    std::memcpy(&value, data.get() + static_cast<std::size_t>(index) * 2, 2);
    return value;
  }
  void set_short(std::int32_t index, std::int16_t value) noexcept {
    std::memcpy(data.get() + static_cast<std::size_t>(index) * 2, &value, 2);
  }
  std::uint8_t* bytes() noexcept { return data.get(); }
  const std::uint8_t* bytes() const noexcept { return data.get(); }
};

}  // namespace sefleet::card::javacard::heap

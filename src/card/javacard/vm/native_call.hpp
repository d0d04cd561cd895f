// The interface every native method of the Java Card VM is written against.
//
// A method of the ROM (javacard/api/src or javacard/rom/src) declared `native` in Java is implemented
// by one C++ function `void f(vm::NativeCall& call)`. The VM binds it at start by the key
// "<internal class name>.<method name><descriptor>", e.g.
//   "javacard/framework/Util.arrayCopy([BS[BSS)S"
// Every ROM native must have a binding and every binding a ROM native (a unit test checks both).
//
// Writing a natives file (one per Java package or class group, in src/card/javacard/natives/):
//
//   // natives/security_message_digest.cpp
//   #include "card/javacard/natives/native_tables.hpp"
//   namespace sefleet::card::javacard::natives {
//   namespace {
//   const vm::FieldName kAlgorithm{"org/sefleet/jcre/security/MessageDigestImpl", "algorithm", "B"};
//
//   // byte[] doFinal(byte[] in, short inOff, short inLen, byte[] out, short outOff) -> short
//   void do_final(vm::NativeCall& call) {
//     const vm::Ref self = call.arg_ref(0);                      // slot 0 is `this`
//     const ByteView in = call.bytes(call.arg_ref(1), call.arg_short(2), call.arg_short(3));
//     const Bytes digest = sha256(in);                            // copy before writing: may overlap
//     call.write_bytes(call.arg_ref(4), call.arg_short(5), digest, vm::Atomicity::non_atomic);
//     call.charge(SeOperation::sha256, in.size());
//     if (call.get_field(self, kAlgorithm) != 4) call.throw_exception("javacard/security/CryptoException", 3);
//     call.return_short(static_cast<std::int16_t>(digest.size()));
//   }
//   constexpr vm::NativeMethod kMethods[] = {
//       {"org/sefleet/jcre/security/MessageDigestImpl.doFinal([BSS[BS)S", do_final},
//   };
//   }  // namespace
//   vm::NativeTable security_message_digest_natives() { return kMethods; }
//   }  // namespace sefleet::card::javacard::natives
//
// then declare `security_message_digest_natives()` in natives/native_tables.hpp and list it in
// natives/all_natives.cpp (an explicit list: a static library drops self-registering objects).
//
// Rules a native follows:
//  - Arguments are 32-bit slots in declaration order; for an instance method slot 0 is `this`. Use
//    the typed getters (arg_short narrows exactly as the JVM would see a short). A native that
//    returns a value calls exactly one return_*() (a void native calls none).
//  - Every array and object access goes through NativeCall: it checks null (NullPointerException),
//    the firewall (SecurityException), bounds (ArrayIndexOutOfBoundsException) and the element type
//    the way the bytecodes do, so a native cannot do what the applet itself could not.
//  - bytes() returns a view that stays valid until the next call that may allocate, write or run Java
//    code (write_*, fill_*, new_*, set_*, throw_*); copy it first when input and output may overlap.
//  - Writes go through the heap's write barrier: Atomicity::atomic writes are journalled in an open
//    transaction (TransactionException BUFFER_FULL when the commit capacity is exceeded) and are one
//    atomic NVM update otherwise; Atomicity::non_atomic writes are never journalled (as
//    arrayCopyNonAtomic). Writes to transient arrays never touch NVM. Crypto outputs use non_atomic.
//  - Allocation (new_array, new_object) creates objects owned by the context and applet instance the
//    native runs for; they are persistent unless a transient kind is asked for.
//  - Java exceptions: throw_exception(class, reason) throws the JCRE-owned instance of that exception
//    class (a temporary entry point object) with its reason set; throw_vm_exception() throws the VM's
//    own java.lang exceptions. Both are [[noreturn]] (they throw JavaThrow). Any other C++ exception a
//    native lets escape ends the VM entry with 6F00 (logged) - use it only for what cannot happen.
//  - Time: charge(op, bytes) advances the card's virtual clock, as AppletCrypto does for C++ applets.
//  - Side tables: state derived from Java fields that is expensive to rebuild (an OpenSSL context, a
//    running digest) may be cached per object with cache()/cached(). The cache is RAM only: it is
//    dropped when the object is deleted, and on card reset (unless the entry is kept_on_reset());
//    rebuild from the Java fields when absent.
//    The natives that change the fields the cache derives from must drop_cache() the object.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "card/javacard/vm/vm_types.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/bytes.hpp"

namespace sefleet::crypto {
class Random;
}

namespace sefleet::card {
class AppletContext;
}

namespace sefleet::card::javacard::heap {
struct Object;
}

namespace sefleet::card::javacard::vm {

class Vm;
class NativeCall;

using NativeFunction = void (*)(NativeCall& call);

// One binding: key "<internal class name>.<method name><descriptor>".
struct NativeMethod {
  std::string_view key;
  NativeFunction function;
};
using NativeTable = std::span<const NativeMethod>;

// A field of a ROM class, named for natives. Resolved against the ROM on first use and cached (the
// ROM is the same for every VM of the process, so is the field's slot). Define it as a namespace-
// scope constant in the natives file. Using a name the ROM does not have is a VmAbort (a bug).
class FieldName {
 public:
  constexpr FieldName(std::string_view class_name, std::string_view field_name, std::string_view descriptor) noexcept
      : class_name_(class_name), field_name_(field_name), descriptor_(descriptor) {}
  FieldName(const FieldName&) = delete;
  FieldName& operator=(const FieldName&) = delete;

  std::string_view class_name() const noexcept { return class_name_; }
  std::string_view field_name() const noexcept { return field_name_; }
  std::string_view descriptor() const noexcept { return descriptor_; }

 private:
  friend class NativeCall;
  std::string_view class_name_;
  std::string_view field_name_;
  std::string_view descriptor_;
  // Slot of the field in its object (instance fields) or in its class's statics; -1 until resolved.
  mutable std::atomic<std::int32_t> slot_{-1};
  mutable std::atomic<bool> is_static_{false};
};

// The java.lang exceptions the VM itself throws (JCRE-owned singletons, like the API's).
enum class VmException : std::uint8_t {
  arithmetic,  // java/lang/ArithmeticException
  array_index_out_of_bounds,
  array_store,
  class_cast,
  negative_array_size,
  null_pointer,
  security,
};

// Base of cached side-table entries (see cache()).
class NativeCacheEntry {
 public:
  virtual ~NativeCacheEntry() = default;
  // True for an entry that is not derived state but binds the object to something of the card that
  // lives on across a reset (a DeferredTask object's task in the runtime's executor): a card reset
  // keeps it; the object's deletion still drops it.
  virtual bool kept_on_reset() const noexcept { return false; }

 protected:
  NativeCacheEntry() = default;
  NativeCacheEntry(const NativeCacheEntry&) = default;
  NativeCacheEntry& operator=(const NativeCacheEntry&) = default;
};

class NativeCall {
 public:
  // Built by the interpreter for one native invocation; natives never construct one. `privileged`:
  // the caller is ROM code (the JCRE's own implementation), whose accesses the firewall does not
  // check; a native called directly from applet code checks every object against `context`.
  NativeCall(Vm& vm, std::int32_t* args, std::uint16_t arg_count, ContextId context, InstanceId instance,
             bool privileged) noexcept
      : vm_(vm), args_(args), arg_count_(arg_count), context_(context), instance_(instance), privileged_(privileged) {}
  NativeCall(const NativeCall&) = delete;
  NativeCall& operator=(const NativeCall&) = delete;

  // ---- arguments: one 32-bit slot each, `this` first for instance methods ----
  std::uint16_t arg_count() const noexcept { return arg_count_; }
  std::int32_t arg_int(std::size_t index) const;
  std::int16_t arg_short(std::size_t index) const { return static_cast<std::int16_t>(arg_int(index)); }
  std::int8_t arg_byte(std::size_t index) const { return static_cast<std::int8_t>(arg_int(index)); }
  bool arg_boolean(std::size_t index) const { return arg_int(index) != 0; }
  Ref arg_ref(std::size_t index) const { return static_cast<Ref>(arg_int(index)); }

  // ---- the return value (exactly one call for a non-void native) ----
  void return_int(std::int32_t value) noexcept {
    result_ = value;
    has_result_ = true;
  }
  void return_short(std::int16_t value) noexcept { return_int(value); }
  void return_byte(std::int8_t value) noexcept { return_int(value); }
  void return_boolean(bool value) noexcept { return_int(value ? 1 : 0); }
  void return_ref(Ref value) noexcept { return_int(static_cast<std::int32_t>(value)); }

  // ---- arrays (null, firewall, type and bounds checked as the bytecodes are) ----
  std::int32_t array_length(Ref array);
  // `length` bytes of a byte[] from `offset`.
  ByteView bytes(Ref array, std::int32_t offset, std::int32_t length);
  // The whole byte[].
  ByteView bytes(Ref array);
  void write_bytes(Ref array, std::int32_t offset, ByteView data, Atomicity atomicity);
  void fill_bytes(Ref array, std::int32_t offset, std::int32_t length, std::uint8_t value, Atomicity atomicity);
  // One element of any array (boolean/byte/short/int as int, references as their handle).
  std::int32_t element(Ref array, std::int32_t index);
  void set_element(Ref array, std::int32_t index, std::int32_t value, Atomicity atomicity = Atomicity::atomic);

  // ---- fields of ROM objects (instance fields) and ROM classes (static fields), by name ----
  // Instance fields check null and the object's class; the firewall is not applied (natives are the
  // implementation of the object's own methods). Int-like fields read as int.
  std::int32_t get_field(Ref object, const FieldName& field);
  Ref get_ref_field(Ref object, const FieldName& field) { return static_cast<Ref>(get_field(object, field)); }
  void set_field(Ref object, const FieldName& field, std::int32_t value);
  void set_ref_field(Ref object, const FieldName& field, Ref value) {
    set_field(object, field, static_cast<std::int32_t>(value));
  }
  std::int32_t get_static(const FieldName& field);
  void set_static(const FieldName& field, std::int32_t value);

  // ---- allocation, owned by the context and applet instance the native runs for ----
  Ref new_array(ArrayType type, std::int32_t length, Transience transience = Transience::persistent);
  // An instance of a ROM class with every field zero/null; no constructor runs.
  Ref new_object(std::string_view class_name);
  // The class of an object (internal name, e.g. "javacard/framework/AID"; arrays: "[B", "[S", ...).
  std::string_view class_name_of(Ref object);
  // True when `object` is an instance of `class_name` or of a subclass/implementation of it.
  bool instance_of(Ref object, std::string_view class_name);

  // ---- exceptions ----
  [[noreturn]] void throw_exception(std::string_view class_name, std::int16_t reason);
  [[noreturn]] void throw_vm_exception(VmException kind);

  // ---- who is running ----
  // The context the native runs in: the caller's, or the object's owner after a context switch.
  ContextId context() const noexcept { return context_; }
  // The active applet instance (kNoInstance while the JCRE runs a package's static initialisers).
  InstanceId instance() const noexcept { return instance_; }
  // The AID of the active applet instance (empty when there is none).
  ByteView instance_aid() const;
  // What the runtime gave this VM entry (APDU, channel, secure channel, registry, clock, random,
  // deferred executor); nullptr when the VM runs outside an entry from the runtime (loading a package).
  AppletContext* applet_context() const noexcept;
  crypto::Random& random() const;
  VirtualClock& clock() const;
  void charge(SeOperation op, std::size_t bytes = 0) const;

  // ---- side table: RAM-only derived state per object ----
  template <typename T>
  T* cached(Ref object) const {
    static_assert(std::is_base_of_v<NativeCacheEntry, T>);
    return dynamic_cast<T*>(find_cache(object, type_key<T>()));
  }
  template <typename T, typename... Args>
  T& cache(Ref object, Args&&... args) {
    static_assert(std::is_base_of_v<NativeCacheEntry, T>);
    auto entry = std::make_unique<T>(std::forward<Args>(args)...);
    T& stored = *entry;
    store_cache(object, type_key<T>(), std::move(entry));
    return stored;
  }
  void drop_cache(Ref object);

  // ---- VM side ----
  Vm& vm() const noexcept { return vm_; }
  bool privileged() const noexcept { return privileged_; }
  bool has_result() const noexcept { return has_result_; }
  std::int32_t result() const noexcept { return result_; }

 private:
  template <typename T>
  static const void* type_key() noexcept {
    static const char key = 0;
    return &key;
  }
  NativeCacheEntry* find_cache(Ref object, const void* type) const;
  void store_cache(Ref object, const void* type, std::unique_ptr<NativeCacheEntry> entry);
  std::int32_t resolve(const FieldName& field) const;
  // The object `ref` names, checked for null and (for unprivileged calls) the firewall.
  heap::Object& checked_object(Ref ref);
  heap::Object& checked_array(Ref ref, std::int32_t offset, std::int32_t length);

  Vm& vm_;
  std::int32_t* args_;
  std::uint16_t arg_count_;
  ContextId context_;
  InstanceId instance_;
  bool privileged_;
  std::int32_t result_ = 0;
  bool has_result_ = false;
};

}  // namespace sefleet::card::javacard::vm

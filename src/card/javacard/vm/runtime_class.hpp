// Linked classes: what the linker makes of a verified class file and the interpreter runs. Every
// constant pool entry an instruction uses is resolved once, at load (fields to slots, methods to
// their code or vtable index, classes to their runtime structure), so the interpreter never looks a
// name up. ROM classes are linked once per process and shared by every VM; the classes of loaded
// packages belong to one VM.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/vm/native_call.hpp"
#include "card/javacard/vm/vm_types.hpp"

namespace sefleet::card::javacard::vm {

struct RtClass;
struct RtMethod;
struct Package;

// A type an instruction names (new, anewarray, checkcast, instanceof): a class, or a one-dimensional
// array type (Java Card has no arrays of arrays).
struct TypeRef {
  const RtClass* cls = nullptr;              // the class; for an array type: the element class (reference arrays)
  std::uint8_t dimensions = 0;               // 0: a class; 1: an array type
  ArrayType element = ArrayType::reference;  // for arrays: the element type
  std::string descriptor;                    // "Lcom/x/A;" / "[B" / "[Lcom/x/A;" (diagnostics)

  bool is_array() const noexcept { return dimensions > 0; }
};

struct RtField {
  std::string name;
  std::string descriptor;
  std::uint16_t access = 0;
  const RtClass* owner = nullptr;
  bool is_static = false;
  bool is_reference = false;
  std::uint16_t slot = 0;  // index in the object's slots (instance) or the class's statics object (static)
  std::optional<std::int32_t> constant;  // ConstantValue of a static final int-like field
};

struct ExceptionEntry {
  std::uint16_t start_pc = 0;
  std::uint16_t end_pc = 0;
  std::uint16_t handler_pc = 0;
  const RtClass* catch_type = nullptr;  // null: any (finally)
};

struct RtMethod {
  std::string name;
  std::string descriptor;
  std::uint16_t access = 0;
  const RtClass* owner = nullptr;
  std::uint16_t arg_slots = 0;  // parameters, `this` included for instance methods
  std::uint16_t max_locals = 0;
  std::uint16_t max_stack = 0;
  bool returns_value = false;
  bool is_static = false;
  const std::uint8_t* code = nullptr;  // into the class file's code (kept alive by the RtClass)
  std::uint32_t code_length = 0;
  std::vector<ExceptionEntry> handlers;
  NativeFunction native = nullptr;  // ROM native methods
  std::int32_t vtable_index = -1;   // instance methods that take part in virtual dispatch
  const std::vector<classfile::LineNumber>* lines = nullptr;

  bool is_native() const noexcept { return (access & classfile::access::kNative) != 0; }
  bool is_abstract() const noexcept { return (access & classfile::access::kAbstract) != 0; }
  // "com/x/A.process(Ljavacard/framework/APDU;)V"
  std::string qualified_name() const;
};

// What an instruction's constant pool operand resolved to.
struct Resolved {
  enum class Kind : std::uint8_t {
    none,
    integer,
    type,
    static_field,
    instance_field,
    static_method,
    special_method,
    virtual_method,
    interface_method
  };
  Kind kind = Kind::none;
  std::int32_t integer = 0;          // integer: ldc
  const TypeRef* type = nullptr;     // type: new / anewarray / checkcast / instanceof
  const RtField* field = nullptr;    // *_field
  const RtMethod* method = nullptr;  // *_method: the resolved method (virtual: the one named)
  std::uint32_t selector = 0;        // interface_method: global selector of name+descriptor
};

struct RtClass {
  std::string name;  // internal form
  std::uint16_t access = 0;
  const RtClass* super = nullptr;
  std::vector<const RtClass*> direct_interfaces;
  std::vector<const RtClass*> all_interfaces;  // transitively, sorted by address (binary search)
  std::vector<const RtClass*> ancestors;       // java/lang/Object first, this class last
  Package* package = nullptr;                  // null for ROM classes
  std::uint32_t id = 0;                        // index in the VM's class table (statics lookup)
  bool rom = false;
  bool is_shareable = false;  // implements javacard/framework/Shareable
  bool is_throwable = false;  // java/lang/Throwable or a subclass
  // ROM: the instances ROM static initialisers create are permanent JCRE entry point objects (applets
  // may keep them in fields); instances of other ROM classes made there are temporary ones.
  bool permanent_entry_point = false;

  std::vector<RtField> fields;        // declared by this class
  std::vector<RtMethod> methods;      // declared by this class
  std::uint16_t instance_slots = 0;   // including the superclasses' fields
  std::vector<bool> reference_slots;  // per instance slot: holds a reference
  std::uint16_t static_slots = 0;
  std::vector<bool> static_reference_slots;  // per static slot: holds a reference
  std::vector<const RtMethod*> vtable;
  // Interface selector -> implementation, for invokeinterface (filled for non-abstract classes).
  std::unordered_map<std::uint32_t, const RtMethod*> itable;

  std::vector<Resolved> constants;                    // by constant pool index
  std::vector<std::unique_ptr<TypeRef>> owned_types;  // what `constants` points to
  std::unique_ptr<classfile::ClassFile> file;
  TypeRef self_type;  // this class as a TypeRef

  bool is_interface() const noexcept { return (access & classfile::access::kInterface) != 0; }
  bool is_abstract() const noexcept { return (access & classfile::access::kAbstract) != 0; }
  // Subclass (or the class itself) of `other`, or implementation of the interface `other`.
  bool is_assignable_to(const RtClass& other) const noexcept;
  const RtMethod* find_method(std::string_view method_name, std::string_view method_descriptor) const noexcept;
  const RtField* find_field(std::string_view field_name) const noexcept;
};

}  // namespace sefleet::card::javacard::vm

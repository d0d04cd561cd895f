#include "card/javacard/vm/linker.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "card/javacard/classfile/code_decoder.hpp"
#include "card/javacard/classfile/descriptors.hpp"
#include "card/javacard/classfile/opcodes.hpp"
#include "card/javacard/vm/package.hpp"

namespace sefleet::card::javacard::vm {

namespace {

namespace acc = classfile::access;
namespace op = classfile::op;

constexpr std::string_view kObject = "java/lang/Object";
constexpr std::string_view kThrowable = "java/lang/Throwable";
constexpr std::string_view kShareable = "javacard/framework/Shareable";

std::string mnemonic(std::uint8_t opcode) {
  const auto* info = classfile::opcode_info(opcode);
  return info != nullptr ? std::string(info->mnemonic) : "opcode " + std::to_string(opcode);
}

class Linker {
 public:
  Linker(std::vector<classfile::ClassFile> files, const LinkEnvironment& env) : env_(env) {
    for (auto& file : files) {
      auto cls = std::make_unique<RtClass>();
      cls->name = file.name;
      cls->access = file.access;
      cls->rom = env.rom;
      cls->package = env.package;
      cls->file = std::make_unique<classfile::ClassFile>(std::move(file));
      cls->self_type.cls = cls.get();
      cls->self_type.descriptor = "L" + cls->name + ";";
      if (!local_.emplace(cls->name, cls.get()).second) fail_class(*cls, "class defined twice");
      classes_.push_back(std::move(cls));
    }
  }

  std::vector<std::unique_ptr<RtClass>> run() {
    for (auto& cls : classes_) link_hierarchy(*cls);
    for (auto& cls : classes_) create_members(*cls);
    for (auto& cls : classes_) build_vtable(*cls);
    for (auto& cls : classes_) build_itable(*cls);
    for (auto& cls : classes_) {
      for (auto& method : cls->methods) resolve_code(*cls, method);
    }
    // Every operand an instruction uses is now resolved in `constants`, and nothing reads the class
    // file's constant pool again: drop it (about a fifth of the ROM's memory, which every card process
    // keeps). The methods' code and line tables, which RtMethod points into, stay.
    for (auto& cls : classes_) cls->file->constants = classfile::ConstantPool{};
    return std::move(classes_);
  }

 private:
  enum class State : std::uint8_t { fresh, linking, linked };

  [[noreturn]] static void fail_class(const RtClass& cls, const std::string& what) {
    throw LoadError(cls.name + ": " + what);
  }
  [[noreturn]] static void fail_at(const RtClass& cls, const RtMethod& method, std::uint16_t pc, std::uint8_t opcode,
                                   const std::string& what) {
    throw LoadError(cls.name + "." + method.name + method.descriptor + " pc " + std::to_string(pc) + " (" +
                    mnemonic(opcode) + "): " + what);
  }

  // A class by name as `from` sees it: the set being linked, then the ROM and loaded packages. For
  // applet packages the ROM's internal packages do not exist and non-public ROM classes of other
  // packages are not accessible.
  const RtClass* lookup(std::string_view name, const RtClass& from, std::string* why) const {
    if (auto it = local_.find(std::string(name)); it != local_.end()) return it->second;
    const RtClass* found = env_.find_class ? env_.find_class(name) : nullptr;
    if (found == nullptr) {
      if (why != nullptr) *why = "class " + std::string(name) + " is not on the card";
      return nullptr;
    }
    if (!env_.rom && found->rom && !is_public_api_package(package_of(found->name))) {
      if (why != nullptr) *why = "class " + std::string(name) + " is internal to the VM";
      return nullptr;
    }
    if ((found->access & acc::kPublic) == 0 && package_of(found->name) != package_of(from.name)) {
      if (why != nullptr) *why = "class " + std::string(name) + " is not public";
      return nullptr;
    }
    return found;
  }

  const RtClass& require(std::string_view name, const RtClass& from) const {
    std::string why;
    const RtClass* found = lookup(name, from, &why);
    if (found == nullptr) fail_class(from, why);
    return *found;
  }

  void link_hierarchy(RtClass& cls) {
    State& state = states_[&cls];
    if (state == State::linked) return;
    if (state == State::linking) fail_class(cls, "circular class hierarchy");
    state = State::linking;
    const classfile::ClassFile& file = *cls.file;
    if (file.super_name.empty()) {
      if (cls.name != kObject) fail_class(cls, "no superclass");
    } else {
      const RtClass& super = require(file.super_name, cls);
      if (auto it = local_.find(file.super_name); it != local_.end()) link_hierarchy(*it->second);
      if (super.is_interface()) fail_class(cls, "superclass " + super.name + " is an interface");
      if ((super.access & acc::kFinal) != 0) fail_class(cls, "superclass " + super.name + " is final");
      if (cls.is_interface() && super.name != kObject) fail_class(cls, "an interface must extend java/lang/Object");
      cls.super = &super;
    }
    for (const auto& name : file.interfaces) {
      const RtClass& iface = require(name, cls);
      if (auto it = local_.find(name); it != local_.end()) link_hierarchy(*it->second);
      if (!iface.is_interface()) fail_class(cls, name + " is not an interface");
      cls.direct_interfaces.push_back(&iface);
    }
    // Interfaces sit below java/lang/Object in `ancestors` only for the depth arithmetic of
    // is_assignable_to; they have no superclass chain otherwise.
    if (cls.super != nullptr) cls.ancestors = cls.super->ancestors;
    cls.ancestors.push_back(&cls);
    std::set<const RtClass*> interfaces;
    if (cls.super != nullptr) interfaces.insert(cls.super->all_interfaces.begin(), cls.super->all_interfaces.end());
    for (const RtClass* iface : cls.direct_interfaces) {
      interfaces.insert(iface);
      interfaces.insert(iface->all_interfaces.begin(), iface->all_interfaces.end());
    }
    cls.all_interfaces.assign(interfaces.begin(), interfaces.end());
    cls.is_shareable = std::ranges::any_of(cls.all_interfaces, [](const RtClass* c) { return c->name == kShareable; });
    cls.is_throwable = std::ranges::any_of(cls.ancestors, [](const RtClass* c) { return c->name == kThrowable; });
    state = State::linked;
  }

  void create_members(RtClass& cls) {
    if (members_done_.contains(&cls)) return;
    if (cls.super != nullptr) {
      if (auto it = local_.find(cls.super->name); it != local_.end()) create_members(*it->second);
    }
    members_done_.insert(&cls);
    const classfile::ClassFile& file = *cls.file;
    cls.instance_slots = cls.super != nullptr ? cls.super->instance_slots : 0;
    cls.reference_slots = cls.super != nullptr ? cls.super->reference_slots : std::vector<bool>{};
    cls.fields.reserve(file.fields.size());
    for (const auto& field : file.fields) {
      const auto type = classfile::parse_field_descriptor(field.descriptor);
      if (!type) fail_class(cls, "field " + field.name + " has a malformed descriptor");
      RtField rt;
      rt.name = field.name;
      rt.descriptor = field.descriptor;
      rt.access = field.access;
      rt.owner = &cls;
      rt.is_static = (field.access & acc::kStatic) != 0;
      rt.is_reference = type->is_reference();
      if (rt.is_static) {
        rt.slot = cls.static_slots++;
        cls.static_reference_slots.push_back(rt.is_reference);
        if (field.constant_value && !rt.is_reference) {
          const auto& constant = file.constants.at(*field.constant_value, classfile::ConstantKind::integer);
          rt.constant = constant.integer;
        }
      } else {
        if (cls.is_interface()) fail_class(cls, "interface field " + field.name + " is not static");
        rt.slot = cls.instance_slots++;
        cls.reference_slots.push_back(rt.is_reference);
      }
      cls.fields.push_back(std::move(rt));
    }
    cls.methods.reserve(file.methods.size());
    for (const auto& method : file.methods) {
      const auto type = classfile::parse_method_descriptor(method.descriptor);
      if (!type) fail_class(cls, "method " + method.name + " has a malformed descriptor");
      RtMethod rt;
      rt.name = method.name;
      rt.descriptor = method.descriptor;
      rt.access = method.access;
      rt.owner = &cls;
      rt.is_static = (method.access & acc::kStatic) != 0;
      rt.arg_slots = static_cast<std::uint16_t>(type->parameter_slots() + (rt.is_static ? 0 : 1));
      rt.returns_value = type->result.has_value();
      if (method.code) {
        rt.code = method.code->bytecode.data();
        rt.code_length = static_cast<std::uint32_t>(method.code->bytecode.size());
        rt.max_locals = method.code->max_locals;
        rt.max_stack = method.code->max_stack;
        rt.lines = &method.code->lines;
        if (rt.max_locals < rt.arg_slots) fail_class(cls, "method " + method.name + ": max_locals below its arguments");
      }
      if (rt.is_native()) {
        if (!env_.rom) fail_class(cls, "native method " + method.name + method.descriptor + " outside the ROM");
        const std::string key = cls.name + "." + method.name + method.descriptor;
        const auto bound = env_.natives != nullptr ? env_.natives->find(key) : decltype(env_.natives->end()){};
        if (env_.natives == nullptr || bound == env_.natives->end()) {
          fail_class(cls, "native method " + method.name + method.descriptor + " has no C++ binding");
        }
        rt.native = bound->second;
      }
      cls.methods.push_back(std::move(rt));
    }
  }

  static bool overrides(const RtMethod& mine, const RtMethod& theirs) {
    if (mine.name != theirs.name || mine.descriptor != theirs.descriptor) return false;
    if ((theirs.access & acc::kPrivate) != 0) return false;
    const bool package_private = (theirs.access & (acc::kPublic | acc::kProtected)) == 0;
    return !package_private || package_of(mine.owner->name) == package_of(theirs.owner->name);
  }

  void build_vtable(RtClass& cls) {
    if (vtable_done_.contains(&cls)) return;
    if (cls.super != nullptr) {
      if (auto it = local_.find(cls.super->name); it != local_.end()) build_vtable(*it->second);
    }
    vtable_done_.insert(&cls);
    if (cls.is_interface()) return;
    cls.vtable = cls.super != nullptr ? cls.super->vtable : std::vector<const RtMethod*>{};
    for (auto& method : cls.methods) {
      if (method.is_static || method.name == classfile::kConstructorName || (method.access & acc::kPrivate) != 0) {
        continue;
      }
      bool replaced = false;
      for (std::size_t i = 0; i < cls.vtable.size(); ++i) {
        if (overrides(method, *cls.vtable[i])) {
          if ((cls.vtable[i]->access & acc::kFinal) != 0) {
            fail_class(cls, "method " + method.name + method.descriptor + " overrides a final method");
          }
          cls.vtable[i] = &method;
          method.vtable_index = static_cast<std::int32_t>(i);
          replaced = true;
        }
      }
      if (!replaced) {
        method.vtable_index = static_cast<std::int32_t>(cls.vtable.size());
        cls.vtable.push_back(&method);
      }
    }
  }

  // The method an invokevirtual of `name descriptor` on an instance of `cls` runs (JVMS 5.4.6),
  // falling back to a default method of the interfaces.
  static const RtMethod* find_virtual(const RtClass& cls, std::string_view name, std::string_view descriptor) {
    for (const RtClass* c = &cls; c != nullptr; c = c->super) {
      const RtMethod* method = c->find_method(name, descriptor);
      if (method != nullptr && !method->is_static && (method->access & acc::kPrivate) == 0) return method;
    }
    for (const RtClass* iface : cls.all_interfaces) {
      const RtMethod* method = iface->find_method(name, descriptor);
      if (method != nullptr && !method->is_static && !method->is_abstract()) return method;
    }
    return nullptr;
  }

  void build_itable(RtClass& cls) {
    if (cls.is_interface()) return;
    for (const RtClass* iface : cls.all_interfaces) {
      for (const auto& method : iface->methods) {
        if (method.is_static || method.name == classfile::kClassInitializerName) continue;
        const RtMethod* impl = find_virtual(cls, method.name, method.descriptor);
        if (impl == nullptr || impl->is_abstract()) {
          if (!cls.is_abstract()) {
            fail_class(cls, "does not implement " + iface->name + "." + method.name + method.descriptor);
          }
          continue;
        }
        cls.itable.emplace(interface_selector(method.name, method.descriptor), impl);
      }
    }
  }

  // JVMS 5.4.3.2: the class, its superinterfaces, then its superclasses.
  static const RtField* resolve_field(const RtClass& cls, std::string_view name) {
    if (const RtField* field = cls.find_field(name)) return field;
    for (const RtClass* iface : cls.direct_interfaces) {
      if (const RtField* field = resolve_field(*iface, name)) return field;
    }
    return cls.super != nullptr ? resolve_field(*cls.super, name) : nullptr;
  }

  // JVMS 5.4.3.3/4: the class and its superclasses, then the superinterfaces.
  static const RtMethod* resolve_method(const RtClass& cls, std::string_view name, std::string_view descriptor) {
    for (const RtClass* c = &cls; c != nullptr; c = c->super) {
      if (const RtMethod* method = c->find_method(name, descriptor)) return method;
    }
    const RtMethod* abstract_match = nullptr;
    for (const RtClass* iface : cls.all_interfaces) {
      const RtMethod* method = iface->find_method(name, descriptor);
      if (method == nullptr || method->is_static || (method->access & acc::kPrivate) != 0) continue;
      if (!method->is_abstract()) return method;
      if (abstract_match == nullptr) abstract_match = method;
    }
    return abstract_match;
  }

  // May code of `from` use a member with `access` declared by `owner`? (JVMS 5.4.4, without the
  // protected receiver rule, which the firewall makes moot for applets.)
  static bool accessible(const RtClass& from, const RtClass& owner, std::uint16_t access) {
    if ((access & acc::kPublic) != 0) return true;
    if ((access & acc::kPrivate) != 0) return &from == &owner;
    if (package_of(from.name) == package_of(owner.name)) return true;
    return (access & acc::kProtected) != 0 && from.is_assignable_to(owner);
  }

  const TypeRef& resolve_type(RtClass& cls, const RtMethod& method, const classfile::Instruction& in) {
    const std::string_view name = cls.file->constants.class_name(in.index);
    auto& slot = cls.constants[in.index];
    if (slot.kind == Resolved::Kind::type) return *slot.type;
    auto type = std::make_unique<TypeRef>();
    if (name.starts_with('[') && in.opcode == op::anewarray) {
      fail_at(cls, method, in.pc, in.opcode, "arrays of arrays are not Java Card");
    }
    if (name.starts_with('[')) {
      const auto parsed = classfile::parse_field_descriptor(name);
      if (!parsed) fail_at(cls, method, in.pc, in.opcode, "malformed array type " + std::string(name));
      type->dimensions = parsed->dimensions;
      type->descriptor = std::string(name);
      if (parsed->base == 'L') {
        std::string why;
        type->cls = lookup(parsed->class_name, cls, &why);
        if (type->cls == nullptr) fail_at(cls, method, in.pc, in.opcode, why);
      } else {
        switch (parsed->base) {
          case 'Z':
            type->element = ArrayType::boolean_;
            break;
          case 'B':
            type->element = ArrayType::byte_;
            break;
          case 'S':
            type->element = ArrayType::short_;
            break;
          case 'I':
            type->element = ArrayType::int_;
            break;
          default:
            fail_at(cls, method, in.pc, in.opcode, "array type " + std::string(name) + " is not Java Card");
        }
      }
    } else {
      std::string why;
      type->cls = lookup(name, cls, &why);
      if (type->cls == nullptr) fail_at(cls, method, in.pc, in.opcode, why);
      type->descriptor = "L" + std::string(name) + ";";
    }
    slot.kind = Resolved::Kind::type;
    slot.type = type.get();
    cls.owned_types.push_back(std::move(type));
    return *slot.type;
  }

  void resolve_field_ref(RtClass& cls, const RtMethod& method, const classfile::Instruction& in) {
    const auto ref = cls.file->constants.member(in.index);
    std::string why;
    const RtClass* owner = lookup(ref.class_name, cls, &why);
    if (owner == nullptr) fail_at(cls, method, in.pc, in.opcode, why);
    const RtField* field = resolve_field(*owner, ref.name);
    if (field == nullptr || field->descriptor != ref.descriptor) {
      fail_at(cls, method, in.pc, in.opcode,
              "no field " + std::string(ref.name) + " " + std::string(ref.descriptor) + " in " + owner->name);
    }
    if (!accessible(cls, *field->owner, field->access)) {
      fail_at(cls, method, in.pc, in.opcode, "field " + field->owner->name + "." + field->name + " is not accessible");
    }
    const bool wants_static = in.opcode == op::getstatic || in.opcode == op::putstatic;
    if (field->is_static != wants_static) {
      fail_at(cls, method, in.pc, in.opcode,
              "field " + field->owner->name + "." + field->name + (field->is_static ? " is static" : " is not static"));
    }
    auto& slot = cls.constants[in.index];
    slot.kind = field->is_static ? Resolved::Kind::static_field : Resolved::Kind::instance_field;
    slot.field = field;
  }

  void resolve_method_ref(RtClass& cls, const RtMethod& method, const classfile::Instruction& in) {
    const auto ref = cls.file->constants.member(in.index);
    const std::string what = std::string(ref.class_name) + "." + std::string(ref.name) + std::string(ref.descriptor);
    std::string why;
    const RtClass* owner = nullptr;
    if (ref.class_name.starts_with('[')) {
      // A method of an array type is a method of java/lang/Object (equals).
      owner = lookup(kObject, cls, &why);
    } else {
      owner = lookup(ref.class_name, cls, &why);
    }
    if (owner == nullptr) fail_at(cls, method, in.pc, in.opcode, why);
    const RtMethod* target = resolve_method(*owner, ref.name, ref.descriptor);
    if (target == nullptr) fail_at(cls, method, in.pc, in.opcode, "no method " + what);
    if (!accessible(cls, *target->owner, target->access)) {
      fail_at(cls, method, in.pc, in.opcode, "method " + target->qualified_name() + " is not accessible");
    }
    if ((in.opcode == op::invokestatic) != target->is_static) {
      fail_at(cls, method, in.pc, in.opcode,
              "method " + target->qualified_name() + (target->is_static ? " is static" : " is not static"));
    }
    if (target->name == classfile::kConstructorName && in.opcode != op::invokespecial) {
      fail_at(cls, method, in.pc, in.opcode, "a constructor is called only by invokespecial");
    }
    auto& slot = cls.constants[in.index];
    slot.method = target;
    if (in.opcode == op::invokestatic) {
      slot.kind = Resolved::Kind::static_method;
    } else if (in.opcode == op::invokespecial) {
      slot.kind = Resolved::Kind::special_method;
    } else if (in.opcode == op::invokeinterface || target->owner->is_interface()) {
      // invokevirtual of a method only an interface declares (an abstract class's "miranda" method)
      // dispatches like invokeinterface.
      slot.kind = Resolved::Kind::interface_method;
      slot.selector = interface_selector(target->name, target->descriptor);
    } else {
      slot.kind = Resolved::Kind::virtual_method;
    }
  }

  void resolve_code(RtClass& cls, RtMethod& method) {
    if (method.code == nullptr) return;
    cls.constants.resize(cls.file->constants.size());
    std::optional<classfile::DecodeError> error;
    const auto decoded =
        classfile::decode_code(ByteView(method.code, method.code_length), cls.file->major_version, error);
    if (error) {
      throw LoadError(cls.name + "." + method.name + method.descriptor + " pc " + std::to_string(error->pc) + " (" +
                      error->instruction + "): " + error->message);
    }
    try {
      for (const auto& in : decoded.instructions) {
        switch (in.opcode) {
          case op::ldc:
          case op::ldc_w: {
            const auto& constant = cls.file->constants.entries.at(in.index);
            if (constant.kind != classfile::ConstantKind::integer) {
              fail_at(cls, method, in.pc, in.opcode, "only int constants are Java Card");
            }
            cls.constants[in.index].kind = Resolved::Kind::integer;
            cls.constants[in.index].integer = constant.integer;
            break;
          }
          case op::new_: {
            const TypeRef& type = resolve_type(cls, method, in);
            if (type.is_array() || type.cls->is_interface() || type.cls->is_abstract()) {
              fail_at(cls, method, in.pc, in.opcode, type.descriptor + " cannot be instantiated");
            }
            break;
          }
          case op::anewarray:
          case op::checkcast:
          case op:: instanceof:
            resolve_type(cls, method, in);
            break;
          case op::multianewarray:
            fail_at(cls, method, in.pc, in.opcode, "multi-dimensional arrays are not Java Card");
          case op::getstatic:
          case op::putstatic:
          case op::getfield:
          case op::putfield:
            resolve_field_ref(cls, method, in);
            break;
          case op::invokevirtual:
          case op::invokespecial:
          case op::invokestatic:
          case op::invokeinterface:
            resolve_method_ref(cls, method, in);
            break;
          default:
            break;
        }
      }
    } catch (const std::out_of_range&) {
      throw LoadError(cls.name + "." + method.name + method.descriptor + ": constant pool index out of range");
    }
    const auto& handlers = cls.file->find_method(method.name, method.descriptor)->code->handlers;
    for (const auto& handler : handlers) {
      ExceptionEntry entry{handler.start_pc, handler.end_pc, handler.handler_pc, nullptr};
      if (handler.catch_type != 0) {
        const RtClass& type = require(cls.file->constants.class_name(handler.catch_type), cls);
        if (!type.is_throwable) fail_class(cls, "catch type " + type.name + " is not a Throwable");
        entry.catch_type = &type;
      }
      method.handlers.push_back(entry);
    }
  }

  const LinkEnvironment& env_;
  std::vector<std::unique_ptr<RtClass>> classes_;
  std::map<std::string, RtClass*, std::less<>> local_;
  std::map<const RtClass*, State> states_;
  std::set<const RtClass*> members_done_;
  std::set<const RtClass*> vtable_done_;
};

}  // namespace

bool is_public_api_package(std::string_view package_name) noexcept {
  static constexpr std::string_view kPublic[] = {"java/lang",          "javacard/framework",  "javacard/security",
                                                 "javacardx/crypto",   "javacardx/apdu",      "javacardx/apdu/util",
                                                 "org/globalplatform", "org/sefleet/deferred"};
  return std::ranges::find(kPublic, package_name) != std::end(kPublic);
}

std::uint32_t interface_selector(std::string_view name, std::string_view descriptor) {
  static std::mutex mutex;
  static std::map<std::string, std::uint32_t, std::less<>> selectors;
  std::string key;
  key.reserve(name.size() + descriptor.size());
  key.append(name).append(descriptor);
  const std::lock_guard lock(mutex);
  const auto [it, inserted] = selectors.emplace(std::move(key), static_cast<std::uint32_t>(selectors.size() + 1));
  return it->second;
}

std::vector<std::unique_ptr<RtClass>> link_classes(std::vector<classfile::ClassFile> files,
                                                   const LinkEnvironment& env) {
  Linker linker(std::move(files), env);
  auto classes = linker.run();
  return classes;
}

}  // namespace sefleet::card::javacard::vm

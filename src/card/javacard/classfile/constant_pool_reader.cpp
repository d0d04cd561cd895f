#include "card/javacard/classfile/constant_pool_reader.hpp"

#include <string>

#include <fmt/format.h>

#include "card/javacard/classfile/descriptors.hpp"
#include "card/javacard/classfile/modified_utf8.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

// The first class-file major version that allows MethodHandle, MethodType and InvokeDynamic entries;
// Dynamic, Module and Package need versions above the accepted 52.
constexpr std::uint16_t kMethodHandleVersion = 51;

// MethodHandle reference kinds (JVM specification 5.4.3.5).
enum ReferenceKind : std::uint16_t {
  kGetField = 1,
  kGetStatic = 2,
  kPutField = 3,
  kPutStatic = 4,
  kInvokeVirtual = 5,
  kInvokeStatic = 6,
  kInvokeSpecial = 7,
  kNewInvokeSpecial = 8,
  kInvokeInterface = 9,
};

// Reads the entry with tag `tag` at index `index` into `constant`.
void read_entry(ByteReader& in, std::uint8_t tag, std::uint16_t major_version, Constant& constant) {
  const auto kind = static_cast<ConstantKind>(tag);
  constant.kind = kind;
  switch (kind) {
    case ConstantKind::utf8: {
      const std::uint16_t length = in.u2("Utf8 length");
      constant.text = decode_modified_utf8(in.take(length, "Utf8 bytes"));
      return;
    }
    case ConstantKind::integer:
    case ConstantKind::float_:
      constant.integer = static_cast<std::int32_t>(in.u4("Integer/Float value"));
      return;
    case ConstantKind::long_:
    case ConstantKind::double_:
      // The VM keeps no 64-bit values (Java Card has none); the entry is read and kept as its kind.
      in.take(8, "Long/Double value");
      return;
    case ConstantKind::class_:
    case ConstantKind::string:
      constant.first = in.u2("name index");
      return;
    case ConstantKind::fieldref:
    case ConstantKind::methodref:
    case ConstantKind::interface_methodref:
      constant.first = in.u2("class index");
      constant.second = in.u2("NameAndType index");
      return;
    case ConstantKind::name_and_type:
      constant.first = in.u2("name index");
      constant.second = in.u2("descriptor index");
      return;
    case ConstantKind::method_handle:
    case ConstantKind::method_type:
    case ConstantKind::invoke_dynamic:
      if (major_version < kMethodHandleVersion) {
        throw LoadError(fmt::format("a {} entry needs class-file version 51 or above, this one is {}",
                                    constant_kind_name(kind), major_version));
      }
      if (kind == ConstantKind::method_handle) {
        constant.second = in.u1("reference kind");
        constant.first = in.u2("reference index");
      } else if (kind == ConstantKind::method_type) {
        constant.first = in.u2("descriptor index");
      } else {
        constant.first = in.u2("bootstrap method index");
        constant.second = in.u2("NameAndType index");
      }
      return;
    case ConstantKind::dynamic:
    case ConstantKind::module:
    case ConstantKind::package:
      throw LoadError(fmt::format("a {} entry is not allowed in a class file of version {} (at most {})",
                                  constant_kind_name(kind), major_version, kMaxMajorVersion));
    case ConstantKind::unused:
      break;
  }
  throw LoadError(fmt::format("unknown tag {}", tag));
}

// Checks of one entry's references; each throws LoadError with the problem (the caller adds the entry).
class EntryChecker {
 public:
  EntryChecker(const ConstantPool& pool, std::uint16_t major_version) : pool_(pool), major_version_(major_version) {}

  void check(const Constant& constant) const {
    switch (constant.kind) {
      case ConstantKind::class_: {
        const std::string_view name = pool_.utf8(constant.first);
        if (!is_valid_class_reference(name)) throw LoadError(fmt::format("invalid class name \"{}\"", name));
        return;
      }
      case ConstantKind::string:
        pool_.utf8(constant.first);
        return;
      case ConstantKind::method_type:
        if (!parse_method_descriptor(pool_.utf8(constant.first))) {
          throw LoadError(fmt::format("invalid method descriptor \"{}\"", pool_.utf8(constant.first)));
        }
        return;
      case ConstantKind::fieldref:
      case ConstantKind::methodref:
      case ConstantKind::interface_methodref:
        check_member(constant);
        return;
      case ConstantKind::name_and_type:
        pool_.utf8(constant.first);
        pool_.utf8(constant.second);
        return;
      case ConstantKind::method_handle:
        check_method_handle(constant);
        return;
      case ConstantKind::invoke_dynamic:
        check_name_and_type(pool_.at(constant.second, ConstantKind::name_and_type), /*method=*/true);
        return;
      default:
        return;  // utf8, integer, float, long, double, unused: nothing referenced
    }
  }

 private:
  // Checks the name and descriptor of a NameAndType used by a field (method == false) or a method.
  void check_name_and_type(const Constant& name_and_type, bool method) const {
    const std::string_view name = pool_.utf8(name_and_type.first);
    const std::string_view descriptor = pool_.utf8(name_and_type.second);
    if (method) {
      if (!is_valid_method_name(name)) throw LoadError(fmt::format("invalid method name \"{}\"", name));
      if (!parse_method_descriptor(descriptor)) {
        throw LoadError(fmt::format("invalid method descriptor \"{}\"", descriptor));
      }
    } else {
      if (!is_valid_field_name(name)) throw LoadError(fmt::format("invalid field name \"{}\"", name));
      if (!parse_field_descriptor(descriptor)) {
        throw LoadError(fmt::format("invalid field descriptor \"{}\"", descriptor));
      }
    }
  }

  void check_member(const Constant& constant) const {
    const std::string_view owner = pool_.class_name(constant.first);
    const bool method = constant.kind != ConstantKind::fieldref;
    // Class entries were checked in the first pass: `owner` is a valid, non-empty class reference.
    if (!method && owner.front() == '[') throw LoadError(fmt::format("a field of the array type {}", owner));
    if (constant.kind == ConstantKind::interface_methodref && owner.front() == '[') {
      throw LoadError(fmt::format("an interface method of the array type {}", owner));
    }
    const Constant& name_and_type = pool_.at(constant.second, ConstantKind::name_and_type);
    check_name_and_type(name_and_type, method);
    if (!method) return;
    const std::string_view name = pool_.utf8(name_and_type.first);
    if (name == kClassInitializerName) throw LoadError("a reference to <clinit>");
    if (name == kConstructorName) {
      if (constant.kind == ConstantKind::interface_methodref) throw LoadError("an interface method named <init>");
      if (pool_.utf8(name_and_type.second).back() != 'V') throw LoadError("<init> must return void");
    }
  }

  void check_method_handle(const Constant& constant) const {
    const std::uint16_t reference_kind = constant.second;
    if (reference_kind < kGetField || reference_kind > kInvokeInterface) {
      throw LoadError(fmt::format("reference kind {} is outside 1..9", reference_kind));
    }
    const MemberRef target = pool_.member(constant.first);
    bool kind_matches = false;
    if (reference_kind <= kPutStatic) {
      kind_matches = target.kind == ConstantKind::fieldref;
    } else if (reference_kind == kInvokeInterface) {
      kind_matches = target.kind == ConstantKind::interface_methodref;
    } else if (reference_kind == kInvokeStatic || reference_kind == kInvokeSpecial) {
      kind_matches = target.kind == ConstantKind::methodref ||
                     (target.kind == ConstantKind::interface_methodref && major_version_ >= 52);
    } else {
      kind_matches = target.kind == ConstantKind::methodref;
    }
    if (!kind_matches) {
      throw LoadError(
          fmt::format("reference kind {} cannot refer to a {}", reference_kind, constant_kind_name(target.kind)));
    }
    const bool constructor = target.name == kConstructorName;
    if (reference_kind == kNewInvokeSpecial ? !constructor : constructor) {
      throw LoadError(fmt::format("reference kind {} cannot refer to the method {}", reference_kind, target.name));
    }
  }

  const ConstantPool& pool_;
  std::uint16_t major_version_;
};

}  // namespace

std::string_view constant_kind_name(ConstantKind kind) {
  switch (kind) {
    case ConstantKind::unused:
      return "unused slot";
    case ConstantKind::utf8:
      return "Utf8";
    case ConstantKind::integer:
      return "Integer";
    case ConstantKind::float_:
      return "Float";
    case ConstantKind::long_:
      return "Long";
    case ConstantKind::double_:
      return "Double";
    case ConstantKind::class_:
      return "Class";
    case ConstantKind::string:
      return "String";
    case ConstantKind::fieldref:
      return "Fieldref";
    case ConstantKind::methodref:
      return "Methodref";
    case ConstantKind::interface_methodref:
      return "InterfaceMethodref";
    case ConstantKind::name_and_type:
      return "NameAndType";
    case ConstantKind::method_handle:
      return "MethodHandle";
    case ConstantKind::method_type:
      return "MethodType";
    case ConstantKind::dynamic:
      return "Dynamic";
    case ConstantKind::invoke_dynamic:
      return "InvokeDynamic";
    case ConstantKind::module:
      return "Module";
    case ConstantKind::package:
      return "Package";
  }
  return "unknown";
}

ConstantPool read_constant_pool(ByteReader& in, std::uint16_t major_version) {
  const std::uint16_t count = in.u2("constant pool count");
  if (count == 0) throw LoadError("constant pool count 0 (it counts the unused entry 0, so at least 1)");
  ConstantPool pool;
  pool.entries.resize(count);
  for (std::uint16_t index = 1; index < count; ++index) {
    try {
      const std::uint8_t tag = in.u1("tag");
      read_entry(in, tag, major_version, pool.entries[index]);
      const ConstantKind kind = pool.entries[index].kind;
      if (kind == ConstantKind::long_ || kind == ConstantKind::double_) {
        if (index + 1 >= count) throw LoadError("a Long or Double in the last entry (it takes two)");
        ++index;  // the next slot stays unused
      }
    } catch (const LoadError& error) {
      throw LoadError(fmt::format("constant #{}: {}", index, error.what()));
    }
  }
  return pool;
}

void check_constant_pool(const ConstantPool& pool, std::uint16_t major_version) {
  // Entries are checked in the order of their dependencies, so that a reference is only followed to an
  // entry that was itself checked: names first, then member references, then method handles.
  const auto pass_of = [](ConstantKind kind) {
    switch (kind) {
      case ConstantKind::fieldref:
      case ConstantKind::methodref:
      case ConstantKind::interface_methodref:
      case ConstantKind::invoke_dynamic:
        return 2;
      case ConstantKind::method_handle:
        return 3;
      default:
        return 1;
    }
  };
  const EntryChecker checker(pool, major_version);
  for (int pass = 1; pass <= 3; ++pass) {
    for (std::size_t index = 1; index < pool.size(); ++index) {
      if (pass_of(pool.entries[index].kind) != pass) continue;
      try {
        checker.check(pool.entries[index]);
      } catch (const LoadError& error) {
        throw LoadError(
            fmt::format("constant #{} ({}): {}", index, constant_kind_name(pool.entries[index].kind), error.what()));
      }
    }
  }
}

}  // namespace sefleet::card::javacard::classfile

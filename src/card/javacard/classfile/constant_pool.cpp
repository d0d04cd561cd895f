// The ConstantPool accessors declared in class_file.hpp.
#include <fmt/format.h>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/constant_pool_reader.hpp"

namespace sefleet::card::javacard::classfile {
std::string with_article(ConstantKind kind) {
  const std::string_view name = constant_kind_name(kind);
  // "an Integer", "an InterfaceMethodref", "an unused slot"; "a Utf8" is read "a you-tee-eff".
  const bool an = name.front() == 'I' || name.front() == 'u';
  return fmt::format("{} {}", an ? "an" : "a", name);
}

const Constant& ConstantPool::at(std::uint16_t index, ConstantKind expected) const {
  if (index == 0 || index >= entries.size()) {
    throw LoadError(
        fmt::format("constant pool index {} is outside 1..{}", index, entries.empty() ? 0 : entries.size() - 1));
  }
  const Constant& constant = entries[index];
  if (constant.kind != expected) {
    throw LoadError(
        fmt::format("constant #{} is {}, expected {}", index, with_article(constant.kind), with_article(expected)));
  }
  return constant;
}

std::string_view ConstantPool::utf8(std::uint16_t index) const {
  return at(index, ConstantKind::utf8).text;
}

std::string_view ConstantPool::class_name(std::uint16_t index) const {
  return utf8(at(index, ConstantKind::class_).first);
}

MemberRef ConstantPool::member(std::uint16_t index) const {
  if (index == 0 || index >= entries.size()) {
    throw LoadError(
        fmt::format("constant pool index {} is outside 1..{}", index, entries.empty() ? 0 : entries.size() - 1));
  }
  const Constant& ref = entries[index];
  if (ref.kind != ConstantKind::fieldref && ref.kind != ConstantKind::methodref &&
      ref.kind != ConstantKind::interface_methodref) {
    throw LoadError(fmt::format("constant #{} is {}, expected a Fieldref, Methodref or InterfaceMethodref", index,
                                with_article(ref.kind)));
  }
  const Constant& name_and_type = at(ref.second, ConstantKind::name_and_type);
  return MemberRef{ref.kind, class_name(ref.first), utf8(name_and_type.first), utf8(name_and_type.second)};
}

}  // namespace sefleet::card::javacard::classfile

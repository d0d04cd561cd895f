#include "card/javacard/classfile/access_rules.hpp"

#include <bit>

#include <fmt/format.h>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/descriptors.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

constexpr std::uint16_t kModule = 0x8000;
constexpr std::uint16_t kVisibility = access::kPublic | access::kPrivate | access::kProtected;

bool has(std::uint16_t flags, std::uint16_t flag) {
  return (flags & flag) != 0;
}

bool more_than_one_visibility(std::uint16_t flags) {
  return std::popcount(static_cast<unsigned>(flags & kVisibility)) > 1;
}

}  // namespace

std::string class_access_problem(std::uint16_t flags) {
  if (has(flags, kModule)) return "a module-info class (ACC_MODULE) is not a class";
  if (has(flags, access::kInterface)) {
    if (!has(flags, access::kAbstract)) return "an interface without ACC_ABSTRACT";
    if (has(flags, access::kFinal | access::kSuper | access::kEnum)) {
      return "an interface with ACC_FINAL, ACC_SUPER or ACC_ENUM";
    }
  } else if (has(flags, access::kAnnotation)) {
    return "ACC_ANNOTATION on a class that is not an interface";
  }
  if (has(flags, access::kFinal) && has(flags, access::kAbstract)) return "both ACC_FINAL and ACC_ABSTRACT";
  return {};
}

std::string field_access_problem(std::uint16_t flags, bool in_interface) {
  if (more_than_one_visibility(flags)) return "more than one of ACC_PUBLIC, ACC_PRIVATE and ACC_PROTECTED";
  if (has(flags, access::kFinal) && has(flags, access::kVolatile)) return "both ACC_FINAL and ACC_VOLATILE";
  if (in_interface) {
    const std::uint16_t required = access::kPublic | access::kStatic | access::kFinal;
    const std::uint16_t allowed = required | access::kSynthetic;
    if ((flags & required) != required || (flags & ~allowed) != 0) {
      return "an interface field must be public static final (and nothing else)";
    }
  }
  return {};
}

std::string method_access_problem(std::uint16_t flags, std::string_view name, bool in_interface,
                                  std::uint16_t major_version) {
  if (name == kClassInitializerName) {
    // Only ACC_STATIC matters for a class initialiser (ACC_STRICT aside); other flags are ignored by the JVM.
    if (!has(flags, access::kStatic)) return "<clinit> must be static";
    return {};
  }
  if (more_than_one_visibility(flags)) return "more than one of ACC_PUBLIC, ACC_PRIVATE and ACC_PROTECTED";
  if (name == kConstructorName) {
    if (in_interface) return "an interface cannot declare <init>";
    const std::uint16_t allowed = kVisibility | access::kVarargs | access::kStrict | access::kSynthetic;
    if ((flags & ~allowed) != 0) {
      return "<init> may only be public, private or protected (and varargs, strictfp, synthetic)";
    }
  }
  if (has(flags, access::kAbstract)) {
    const std::uint16_t excluded =
        access::kPrivate | access::kStatic | access::kFinal | access::kSynchronized | access::kNative | access::kStrict;
    if (has(flags, excluded)) {
      return "an abstract method cannot be private, static, final, synchronized, native or strictfp";
    }
  }
  if (in_interface) {
    if (has(flags, access::kProtected | access::kFinal | access::kSynchronized | access::kNative)) {
      return "an interface method cannot be protected, final, synchronized or native";
    }
    if (major_version < 52) {
      const std::uint16_t required = access::kPublic | access::kAbstract;
      if ((flags & required) != required) {
        return fmt::format("an interface method must be public abstract in a class file of version {}", major_version);
      }
    } else if (std::popcount(static_cast<unsigned>(flags & (access::kPublic | access::kPrivate))) != 1) {
      return "an interface method must be either public or private";
    }
  }
  return {};
}

}  // namespace sefleet::card::javacard::classfile

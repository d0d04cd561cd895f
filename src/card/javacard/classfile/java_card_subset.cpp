#include "card/javacard/classfile/java_card_subset.hpp"

#include <array>
#include <optional>

#include <fmt/format.h>

#include "card/javacard/classfile/opcodes.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

constexpr std::array<std::string_view, 15> kJavaCardPlatformClasses = {
    "java/lang/Object",
    "java/lang/Throwable",
    "java/lang/Exception",
    "java/lang/RuntimeException",
    "java/lang/ArithmeticException",
    "java/lang/ArrayIndexOutOfBoundsException",
    "java/lang/ArrayStoreException",
    "java/lang/ClassCastException",
    "java/lang/IndexOutOfBoundsException",
    "java/lang/NegativeArraySizeException",
    "java/lang/NullPointerException",
    "java/lang/SecurityException",
    "java/io/IOException",
    "java/rmi/Remote",
    "java/rmi/RemoteException",
};

constexpr std::string_view kLongAdvice = " (use short, or int when 32 bits are needed)";

bool starts_with_any(std::string_view name, std::initializer_list<std::string_view> prefixes) {
  for (const std::string_view prefix : prefixes) {
    if (name.starts_with(prefix)) return true;
  }
  return false;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  for (const std::string_view candidate : names) {
    if (name == candidate) return true;
  }
  return false;
}

// The element class of an array type, or the name itself; empty for an array of a primitive type.
std::string_view element_class(std::string_view name) {
  if (name.empty() || name.front() != '[') return name;
  const std::optional<FieldType> type = parse_field_descriptor(name);
  return type && type->base == 'L' ? type->class_name : std::string_view{};
}

std::string primitive_reason(char base) {
  switch (base) {
    case 'J':
      return fmt::format("long is not part of Java Card{}", kLongAdvice);
    case 'F':
      return "float is not part of Java Card (no floating point)";
    case 'D':
      return "double is not part of Java Card (no floating point)";
    default:
      return {};
  }
}

// The kind of value a long/float/double instruction handles, from its mnemonic.
std::string wide_value_reason(std::string_view mnemonic) {
  char type = mnemonic.front();
  if (type == 'i') type = mnemonic.back();  // i2l, i2f, i2d: the type converted to
  const bool is_long = type == 'l';
  const std::string_view value = is_long ? "long" : "floating-point";
  std::string_view what = "values";
  if (mnemonic.size() == 3 && mnemonic[1] == '2') {  // i2l, l2i, f2d, ...
    what = "conversion";
  } else {
    const std::string_view operation = mnemonic.substr(1);
    if (is_one_of(operation, {"add", "sub", "mul", "div", "rem", "neg", "shl", "shr", "ushr", "and", "or", "xor", "cmp",
                              "cmpl", "cmpg"})) {
      what = "arithmetic";
    }
  }
  return fmt::format("{} {} {} not part of Java Card{}", value, what, what == "values" ? "are" : "is",
                     is_long ? kLongAdvice : std::string_view(" (no floating point)"));
}

bool handles_wide_values(std::string_view mnemonic) {
  if (mnemonic.starts_with("lookupswitch") || mnemonic.starts_with("ldc") || mnemonic.starts_with("dup")) {
    return false;
  }
  const char first = mnemonic.front();
  return first == 'l' || first == 'f' || first == 'd' || mnemonic == "i2l" || mnemonic == "i2f" || mnemonic == "i2d";
}

std::string constant_reason(const ConstantPool& constants, std::uint16_t index) {
  switch (constants.entries[index].kind) {
    case ConstantKind::string:
      return "run-time String use is not part of Java Card (string literals: use byte arrays)";
    case ConstantKind::class_:
      return "class literals (reflection) are not part of Java Card";
    case ConstantKind::float_:
    case ConstantKind::double_:
      return "floating-point values are not part of Java Card (no floating point)";
    case ConstantKind::long_:
      return fmt::format("long values are not part of Java Card{}", kLongAdvice);
    case ConstantKind::method_handle:
    case ConstantKind::method_type:
      return "method handles are not part of Java Card";
    default:
      return {};
  }
}

std::string member_reason(const ConstantPool& constants, std::uint16_t index) {
  const MemberRef member = constants.member(index);
  std::string reason = refused_class_reason(member.class_name);
  if (reason.empty()) reason = refused_descriptor_reason(member.descriptor);
  return reason;
}

}  // namespace

std::string refused_class_reason(std::string_view name) {
  const std::string_view cls = element_class(name);
  if (!starts_with_any(cls, {"java/", "javax/"})) return {};
  for (const std::string_view allowed : kJavaCardPlatformClasses) {
    if (cls == allowed) return {};
  }
  if (is_one_of(cls, {"java/lang/String", "java/lang/CharSequence"})) {
    return "run-time String use is not part of Java Card (string literals: use byte arrays)";
  }
  if (is_one_of(cls, {"java/lang/StringBuilder", "java/lang/StringBuffer", "java/lang/AbstractStringBuilder"})) {
    return fmt::format("string building ({}) is not part of Java Card", cls);
  }
  if (is_one_of(cls, {"java/lang/Thread", "java/lang/Runnable", "java/lang/ThreadLocal", "java/lang/ThreadGroup"}) ||
      cls.starts_with("java/util/concurrent/")) {
    return fmt::format("threads ({}) are not part of Java Card", cls);
  }
  if (is_one_of(cls, {"java/lang/Class", "java/lang/ClassLoader"}) ||
      starts_with_any(cls, {"java/lang/reflect/", "java/lang/invoke/"})) {
    return fmt::format("reflection ({}) is not part of Java Card", cls);
  }
  if (is_one_of(cls, {"java/lang/Enum"})) return "enums are not part of Java Card";
  if (is_one_of(cls, {"java/lang/System", "java/lang/Runtime"})) {
    return fmt::format("{} is not part of Java Card (javacard.framework.JCSystem and Util offer what a card has)", cls);
  }
  if (is_one_of(cls, {"java/lang/Math", "java/lang/StrictMath"})) {
    return fmt::format("{} is not part of Java Card", cls);
  }
  if (is_one_of(cls, {"java/lang/Integer", "java/lang/Long", "java/lang/Short", "java/lang/Byte", "java/lang/Character",
                      "java/lang/Boolean", "java/lang/Float", "java/lang/Double", "java/lang/Number"})) {
    return fmt::format("boxed values ({}) are not part of Java Card", cls);
  }
  if (is_one_of(cls, {"java/lang/AssertionError"})) {
    return "assert statements (java/lang/AssertionError) are not part of Java Card";
  }
  return fmt::format(
      "{} is not part of Java Card (its java.lang has Object, Throwable, Exception, RuntimeException and the "
      "exceptions the VM throws)",
      cls);
}

std::string refused_type_reason(const FieldType& type) {
  if (type.base == 'L') return refused_class_reason(type.class_name);
  return primitive_reason(type.base);
}

std::string refused_descriptor_reason(std::string_view descriptor) {
  if (!descriptor.empty() && descriptor.front() == '(') {
    const std::optional<MethodType> method = parse_method_descriptor(descriptor);
    if (!method) return {};
    for (const FieldType& parameter : method->parameters) {
      if (std::string reason = refused_type_reason(parameter); !reason.empty()) return reason;
    }
    return method->result ? refused_type_reason(*method->result) : std::string{};
  }
  const std::optional<FieldType> type = parse_field_descriptor(descriptor);
  return type ? refused_type_reason(*type) : std::string{};
}

std::string refused_instruction_reason(const Instruction& instruction, const ConstantPool& constants) {
  const std::string_view mnemonic = opcode_info(instruction.opcode)->mnemonic;
  switch (instruction.opcode) {
    case op::ldc:
    case op::ldc_w:
    case op::ldc2_w:
      return constant_reason(constants, instruction.index);
    case op::monitorenter:
    case op::monitorexit:
      return "synchronized blocks are not part of Java Card (a card runs one thread)";
    case op::jsr:
    case op::jsr_w:
    case op::ret:
      return "subroutines (jsr/ret) are not part of Java Card (compile with javac --release 8)";
    case op::invokedynamic:
      return "invokedynamic (lambdas, method references, string concatenation) is not part of Java Card";
    case op::multianewarray:
      return "multi-dimensional arrays are not part of Java Card";
    case op::newarray:
      if (instruction.value == 6 || instruction.value == 7)
        return "arrays of float or double are not part of Java Card";
      if (instruction.value == 11) return fmt::format("arrays of long are not part of Java Card{}", kLongAdvice);
      return {};
    case op::getstatic:
    case op::putstatic:
    case op::getfield:
    case op::putfield:
    case op::invokevirtual:
    case op::invokespecial:
    case op::invokestatic:
    case op::invokeinterface:
      return member_reason(constants, instruction.index);
    case op::new_:
    case op::anewarray:
    case op::checkcast:
    case op:: instanceof:
      return refused_class_reason(constants.class_name(instruction.index));
    default:
      break;
  }
  if (handles_wide_values(mnemonic)) return wide_value_reason(mnemonic);
  return {};
}

}  // namespace sefleet::card::javacard::classfile

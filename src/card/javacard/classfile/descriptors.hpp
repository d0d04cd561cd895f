// The syntax of names and descriptors in a class file (JVM specification 4.2 and 4.3): which strings
// are valid class, field and method names, and the types a field or method descriptor spells.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sefleet::card::javacard::classfile {

// One type of a descriptor: a primitive, a class, or an array of either.
struct FieldType {
  char base = 'I';              // B C D F I J S Z, or L for a class (the element type of an array)
  std::uint8_t dimensions = 0;  // array dimensions, 0..255
  std::string_view class_name;  // for base 'L': the internal name, a view into the descriptor

  bool is_reference() const noexcept { return dimensions > 0 || base == 'L'; }
  // Local variable / operand stack slots of a value of this type: long and double take two.
  int slots() const noexcept { return !is_reference() && (base == 'J' || base == 'D') ? 2 : 1; }
};

struct MethodType {
  std::vector<FieldType> parameters;
  std::optional<FieldType> result;  // empty for void

  int parameter_slots() const noexcept;  // without `this`
};

// A field descriptor such as "S", "[B" or "Ljavacard/framework/APDU;" (nothing before or after).
std::optional<FieldType> parse_field_descriptor(std::string_view descriptor);
// A method descriptor such as "([BSB)V"; refused when its parameters need more than 255 slots.
std::optional<MethodType> parse_method_descriptor(std::string_view descriptor);

// A class or interface in internal form: identifiers separated by '/', e.g. "java/lang/Object".
bool is_valid_class_name(std::string_view name);
// The name of a CONSTANT_Class: a class name, or an array type descriptor such as "[B".
bool is_valid_class_reference(std::string_view name);
// A field name: not empty, without '.', ';', '[' or '/'.
bool is_valid_field_name(std::string_view name);
// A method name: a field name without '<' or '>', or exactly "<init>" or "<clinit>".
bool is_valid_method_name(std::string_view name);

inline constexpr std::string_view kConstructorName = "<init>";
inline constexpr std::string_view kClassInitializerName = "<clinit>";

}  // namespace sefleet::card::javacard::classfile

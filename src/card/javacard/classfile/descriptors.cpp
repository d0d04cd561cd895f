#include "card/javacard/classfile/descriptors.hpp"

#include <cstddef>

namespace sefleet::card::javacard::classfile {
namespace {

constexpr std::size_t kMaxArrayDimensions = 255;
constexpr int kMaxParameterSlots = 255;

bool is_unqualified_name(std::string_view name) {
  return !name.empty() && name.find_first_of(".;[/") == std::string_view::npos;
}

// Parses one field type at `text[pos]`; advances `pos` past it.
std::optional<FieldType> parse_field_type(std::string_view text, std::size_t& pos) {
  FieldType type;
  std::size_t dimensions = 0;
  while (pos < text.size() && text[pos] == '[') {
    ++dimensions;
    ++pos;
  }
  if (dimensions > kMaxArrayDimensions || pos >= text.size()) return std::nullopt;
  type.dimensions = static_cast<std::uint8_t>(dimensions);
  type.base = text[pos++];
  switch (type.base) {
    case 'B':
    case 'C':
    case 'D':
    case 'F':
    case 'I':
    case 'J':
    case 'S':
    case 'Z':
      return type;
    case 'L': {
      const std::size_t end = text.find(';', pos);
      if (end == std::string_view::npos) return std::nullopt;
      type.class_name = text.substr(pos, end - pos);
      if (!is_valid_class_name(type.class_name)) return std::nullopt;
      pos = end + 1;
      return type;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

int MethodType::parameter_slots() const noexcept {
  int slots = 0;
  for (const FieldType& parameter : parameters) slots += parameter.slots();
  return slots;
}

std::optional<FieldType> parse_field_descriptor(std::string_view descriptor) {
  std::size_t pos = 0;
  std::optional<FieldType> type = parse_field_type(descriptor, pos);
  if (!type || pos != descriptor.size()) return std::nullopt;
  return type;
}

std::optional<MethodType> parse_method_descriptor(std::string_view descriptor) {
  if (descriptor.empty() || descriptor.front() != '(') return std::nullopt;
  MethodType method;
  std::size_t pos = 1;
  while (pos < descriptor.size() && descriptor[pos] != ')') {
    std::optional<FieldType> parameter = parse_field_type(descriptor, pos);
    if (!parameter) return std::nullopt;
    method.parameters.push_back(*parameter);
  }
  if (pos >= descriptor.size()) return std::nullopt;
  ++pos;  // ')'
  if (pos < descriptor.size() && descriptor[pos] == 'V') {
    ++pos;
  } else {
    method.result = parse_field_type(descriptor, pos);
    if (!method.result) return std::nullopt;
  }
  if (pos != descriptor.size() || method.parameter_slots() > kMaxParameterSlots) return std::nullopt;
  return method;
}

bool is_valid_class_name(std::string_view name) {
  // One pass (this runs for every class name of every descriptor): '/'-separated, non-empty parts
  // without '.', ';' or '['.
  bool part_empty = true;
  for (const char c : name) {
    if (c == '/') {
      if (part_empty) return false;
      part_empty = true;
    } else if (c == '.' || c == ';' || c == '[') {
      return false;
    } else {
      part_empty = false;
    }
  }
  return !part_empty;
}

bool is_valid_class_reference(std::string_view name) {
  if (!name.empty() && name.front() == '[') return parse_field_descriptor(name).has_value();
  return is_valid_class_name(name);
}

bool is_valid_field_name(std::string_view name) {
  return is_unqualified_name(name);
}

bool is_valid_method_name(std::string_view name) {
  if (name == kConstructorName || name == kClassInitializerName) return true;
  return is_unqualified_name(name) && name.find_first_of("<>") == std::string_view::npos;
}

}  // namespace sefleet::card::javacard::classfile

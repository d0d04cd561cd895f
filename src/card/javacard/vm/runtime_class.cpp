#include "card/javacard/vm/runtime_class.hpp"

#include <algorithm>

namespace sefleet::card::javacard::vm {

std::string RtMethod::qualified_name() const {
  return (owner != nullptr ? owner->name : std::string("?")) + "." + name + descriptor;
}

bool RtClass::is_assignable_to(const RtClass& other) const noexcept {
  if (other.is_interface()) {
    return this == &other || std::binary_search(all_interfaces.begin(), all_interfaces.end(), &other);
  }
  const std::size_t depth = other.ancestors.size() - 1;
  return depth < ancestors.size() && ancestors[depth] == &other;
}

const RtMethod* RtClass::find_method(std::string_view method_name, std::string_view method_descriptor) const noexcept {
  for (const auto& method : methods) {
    if (method.name == method_name && method.descriptor == method_descriptor) return &method;
  }
  return nullptr;
}

const RtField* RtClass::find_field(std::string_view field_name) const noexcept {
  for (const auto& field : fields) {
    if (field.name == field_name) return &field;
  }
  return nullptr;
}

}  // namespace sefleet::card::javacard::vm

#include "card/javacard/classfile/frame_state.hpp"

#include <fmt/format.h>

namespace sefleet::card::javacard::classfile {

std::string describe(const Slot& slot) {
  switch (slot.kind) {
    case SlotKind::top:
      return "an unusable value (unassigned, or of different kinds on different paths)";
    case SlotKind::int_:
      return "an int";
    case SlotKind::float_:
      return "a float";
    case SlotKind::long_:
      return "a long";
    case SlotKind::long_second:
      return "the second half of a long";
    case SlotKind::double_:
      return "a double";
    case SlotKind::double_second:
      return "the second half of a double";
    case SlotKind::reference:
      return "a reference";
    case SlotKind::uninitialized:
      return fmt::format("the object created at pc {} before its constructor ran", slot.new_pc);
    case SlotKind::uninitialized_this:
      return "this before the superclass constructor ran";
  }
  return "an unknown value";
}

bool is_second_half(SlotKind kind) noexcept {
  return kind == SlotKind::long_second || kind == SlotKind::double_second;
}

}  // namespace sefleet::card::javacard::classfile

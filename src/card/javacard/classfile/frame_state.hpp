// What the verifier knows about one point of a method (its type state): the kind of value in every
// local variable and operand stack slot. Kinds, not classes: int-like (boolean, byte, char, short, int
// are one kind on the JVM stack), the long/float/double kinds (so that code the subset refuses is still
// followed exactly), references, and objects between `new` and their constructor call.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sefleet::card::javacard::classfile {

enum class SlotKind : std::uint8_t {
  top,   // unusable: never assigned, or different kinds on paths that meet
  int_,  // boolean, byte, char, short, int
  float_,
  long_,  // first slot of a long; long_second follows it
  long_second,
  double_,
  double_second,
  reference,           // null, an object or an array (initialised)
  uninitialized,       // created by `new` at new_pc, its constructor not yet called
  uninitialized_this,  // `this` in a constructor before the superclass (or this-class) constructor call
};

struct Slot {
  SlotKind kind = SlotKind::top;
  std::uint16_t new_pc = 0;  // for uninitialized: the pc of the `new`

  friend bool operator==(const Slot&, const Slot&) = default;
};

struct FrameState {
  std::vector<Slot> locals;         // max_locals slots
  std::vector<Slot> stack;          // bottom first
  bool this_uninitialized = false;  // in a constructor: the superclass constructor has not run yet
};

// "an int", "a reference", "an object created at pc 4 whose constructor has not run", ...
std::string describe(const Slot& slot);
// The second slot of a long or double.
bool is_second_half(SlotKind kind) noexcept;

}  // namespace sefleet::card::javacard::classfile

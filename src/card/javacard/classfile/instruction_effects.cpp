// MethodVerifier::execute: what each instruction does to the kinds in the locals and on the operand
// stack (JVM specification chapter 6, "Operand Stack" of each instruction), checking that it finds what
// it needs. Operands were checked before (indices, constant kinds, local variable range).
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "card/javacard/classfile/method_verifier.hpp"
#include "card/javacard/classfile/opcodes.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

[[noreturn]] void fail(std::string message) {
  throw VerifyFailure{std::move(message)};
}

const char* expected_name(SlotKind kind) {
  switch (kind) {
    case SlotKind::int_:
      return "an int";
    case SlotKind::float_:
      return "a float";
    case SlotKind::long_:
      return "a long";
    case SlotKind::double_:
      return "a double";
    default:
      return "a reference";
  }
}

SlotKind second_half_of(SlotKind kind) {
  return kind == SlotKind::long_ ? SlotKind::long_second : SlotKind::double_second;
}

bool is_wide(SlotKind kind) {
  return kind == SlotKind::long_ || kind == SlotKind::double_;
}

SlotKind kind_of(const FieldType& type) {
  if (type.is_reference()) return SlotKind::reference;
  switch (type.base) {
    case 'J':
      return SlotKind::long_;
    case 'F':
      return SlotKind::float_;
    case 'D':
      return SlotKind::double_;
    default:
      return SlotKind::int_;
  }
}

SlotKind kind_of_local_type(char type) {
  switch (type) {
    case 'J':
      return SlotKind::long_;
    case 'F':
      return SlotKind::float_;
    case 'D':
      return SlotKind::double_;
    case 'A':
      return SlotKind::reference;
    default:
      return SlotKind::int_;
  }
}

// The operand stack and locals of one state, with every access checked.
class Operands {
 public:
  Operands(FrameState& state, std::uint16_t max_stack) : state_(state), max_stack_(max_stack) {}

  void push(Slot slot) {
    if (state_.stack.size() >= max_stack_) {
      fail(fmt::format("the operand stack would exceed max_stack {}", max_stack_));
    }
    state_.stack.push_back(slot);
  }
  void push(SlotKind kind) {
    push(Slot{kind});
    if (is_wide(kind)) push(Slot{second_half_of(kind)});
  }

  Slot pop_slot(std::string_view expected) {
    if (state_.stack.empty()) fail(fmt::format("needs {} on the operand stack, which is empty", expected));
    const Slot slot = state_.stack.back();
    state_.stack.pop_back();
    return slot;
  }
  // Pops a value of `kind`; a reference must be initialised.
  void pop(SlotKind kind) {
    const char* expected = expected_name(kind);
    if (is_wide(kind)) {
      const Slot second = pop_slot(expected);
      if (second.kind != second_half_of(kind)) mismatch(expected, second);
      const Slot first = pop_slot(expected);
      if (first.kind != kind) mismatch(expected, first);
      return;
    }
    const Slot slot = pop_slot(expected);
    if (slot.kind != kind) mismatch(expected, slot);
  }
  // Pops a reference that may still be uninitialised (astore, if_acmp*, ifnull, ifnonnull).
  Slot pop_any_reference() {
    const Slot slot = pop_slot("a reference");
    if (slot.kind != SlotKind::reference && slot.kind != SlotKind::uninitialized &&
        slot.kind != SlotKind::uninitialized_this) {
      mismatch("a reference", slot);
    }
    return slot;
  }

  void load(std::uint16_t index, SlotKind kind) {
    const Slot slot = state_.locals[index];
    if (kind == SlotKind::reference) {
      if (slot.kind != SlotKind::reference && slot.kind != SlotKind::uninitialized &&
          slot.kind != SlotKind::uninitialized_this) {
        fail(fmt::format("local variable {} holds {}, not a reference", index, describe(slot)));
      }
      push(slot);
      return;
    }
    if (slot.kind != kind) {
      fail(fmt::format("local variable {} holds {}, not {}", index, describe(slot), expected_name(kind)));
    }
    if (is_wide(kind) && state_.locals[index + 1u].kind != second_half_of(kind)) {
      fail(fmt::format("local variable {} holds {} where paths meet, not the second half of {}", index + 1,
                       describe(state_.locals[index + 1u]), expected_name(kind)));
    }
    push(kind);
  }

  void store(std::uint16_t index, SlotKind kind) {
    if (kind == SlotKind::reference) {
      write_local(index, pop_any_reference());
      return;
    }
    pop(kind);
    write_local(index, Slot{kind});
    if (is_wide(kind)) write_local(static_cast<std::uint16_t>(index + 1), Slot{second_half_of(kind)});
  }

  // The dup family: copies the top `top_size` slots below the `below_size` slots under them. Neither
  // group may split a long or double.
  void duplicate(std::size_t top_size, std::size_t below_size) {
    require_whole(0, top_size);
    require_whole(top_size, below_size);
    if (state_.stack.size() + top_size > max_stack_) {
      fail(fmt::format("the operand stack would exceed max_stack {}", max_stack_));
    }
    std::array<Slot, 2> copy{};  // the dup family copies one or two slots
    std::copy(state_.stack.end() - static_cast<std::ptrdiff_t>(top_size), state_.stack.end(), copy.begin());
    const auto insert_at = state_.stack.end() - static_cast<std::ptrdiff_t>(top_size + below_size);
    state_.stack.insert(insert_at, copy.begin(), copy.begin() + static_cast<std::ptrdiff_t>(top_size));
  }
  void discard(std::size_t size) {
    require_whole(0, size);
    state_.stack.resize(state_.stack.size() - size);
  }
  void swap() {
    require_whole(0, 1);
    require_whole(1, 1);
    std::swap(state_.stack[state_.stack.size() - 1], state_.stack[state_.stack.size() - 2]);
  }

  // Replaces every copy of `from` (an uninitialised object) in the stack and locals by an initialised
  // reference: the constructor call initialises the object, wherever it was copied to.
  void initialise(const Slot& from) {
    for (Slot& slot : state_.stack) {
      if (slot == from) slot = Slot{SlotKind::reference};
    }
    for (Slot& slot : state_.locals) {
      if (slot == from) slot = Slot{SlotKind::reference};
    }
  }

  FrameState& state() { return state_; }

 private:
  [[noreturn]] static void mismatch(std::string_view expected, const Slot& found) {
    fail(fmt::format("needs {} on the operand stack, found {}", expected, describe(found)));
  }

  // The `size` slots that lie `depth` slots below the top exist and hold whole values.
  void require_whole(std::size_t depth, std::size_t size) const {
    if (size == 0) return;
    if (state_.stack.size() < depth + size) {
      fail(fmt::format("needs {} values on the operand stack, it holds {}", depth + size, state_.stack.size()));
    }
    const Slot& deepest = state_.stack[state_.stack.size() - depth - size];
    // A long/double is a first half with its second half directly above it, so a group splits one
    // exactly when its deepest slot is a second half (the shallowest slot of the top group is never a
    // first half, and each deeper group starts below a whole group).
    if (is_second_half(deepest.kind)) fail("would split a long or double on the operand stack");
  }

  // Writing one local slot ends a long/double that overlapped it.
  void write_local(std::uint16_t index, Slot value) {
    Slot& slot = state_.locals[index];
    if (is_second_half(slot.kind) && index > 0) state_.locals[index - 1u] = Slot{};
    if (is_wide(slot.kind) && index + 1u < state_.locals.size()) state_.locals[index + 1u] = Slot{};
    slot = value;
  }

  FrameState& state_;
  std::uint16_t max_stack_;
};

}  // namespace

void MethodVerifier::execute(const Instruction& in, FrameState& state) const {
  Operands stack(state, code_.max_stack);
  const std::uint8_t opcode = in.opcode;
  if (const std::optional<LocalVariableUse> use = local_variable_use(in)) {
    if (use->type == 'R') fail("subroutines are not followed");
    const SlotKind kind = kind_of_local_type(use->type);
    if (opcode == op::iinc) {
      if (state.locals[use->index].kind != SlotKind::int_) {
        fail(fmt::format("local variable {} holds {}, not an int", use->index, describe(state.locals[use->index])));
      }
    } else if (use->store) {
      stack.store(use->index, kind);
    } else {
      stack.load(use->index, kind);
    }
    return;
  }
  static constexpr SlotKind kArithmeticKinds[] = {SlotKind::int_, SlotKind::long_, SlotKind::float_, SlotKind::double_};
  static constexpr SlotKind kArrayElementKinds[] = {SlotKind::int_,    SlotKind::long_,     SlotKind::float_,
                                                    SlotKind::double_, SlotKind::reference, SlotKind::int_,
                                                    SlotKind::int_,    SlotKind::int_};
  if (opcode >= op::iaload && opcode <= op::saload) {
    stack.pop(SlotKind::int_);
    stack.pop(SlotKind::reference);
    stack.push(kArrayElementKinds[opcode - op::iaload]);
    return;
  }
  if (opcode >= op::iastore && opcode <= op::sastore) {
    stack.pop(kArrayElementKinds[opcode - op::iastore]);
    stack.pop(SlotKind::int_);
    stack.pop(SlotKind::reference);
    return;
  }
  if (opcode >= op::iadd && opcode <= op::dneg) {  // add, sub, mul, div, rem, neg for i, l, f, d
    const SlotKind kind = kArithmeticKinds[(opcode - op::iadd) % 4];
    stack.pop(kind);
    if (opcode < op::ineg) stack.pop(kind);
    stack.push(kind);
    return;
  }
  if (opcode >= op::ishl && opcode <= op::lxor) {  // shifts (count is an int), and, or, xor for i, l
    const SlotKind kind = (opcode - op::ishl) % 2 == 0 ? SlotKind::int_ : SlotKind::long_;
    stack.pop(opcode <= op::lushr ? SlotKind::int_ : kind);
    stack.pop(kind);
    stack.push(kind);
    return;
  }
  if (opcode >= op::i2l && opcode <= op::i2s) {
    static constexpr SlotKind kFrom[] = {SlotKind::int_,   SlotKind::int_,    SlotKind::int_,    SlotKind::long_,
                                         SlotKind::long_,  SlotKind::long_,   SlotKind::float_,  SlotKind::float_,
                                         SlotKind::float_, SlotKind::double_, SlotKind::double_, SlotKind::double_,
                                         SlotKind::int_,   SlotKind::int_,    SlotKind::int_};
    static constexpr SlotKind kTo[] = {SlotKind::long_,   SlotKind::float_,  SlotKind::double_, SlotKind::int_,
                                       SlotKind::float_,  SlotKind::double_, SlotKind::int_,    SlotKind::long_,
                                       SlotKind::double_, SlotKind::int_,    SlotKind::long_,   SlotKind::float_,
                                       SlotKind::int_,    SlotKind::int_,    SlotKind::int_};
    stack.pop(kFrom[opcode - op::i2l]);
    stack.push(kTo[opcode - op::i2l]);
    return;
  }
  if (opcode >= op::ireturn && opcode <= op::return_) {
    execute_return(in, state);
    return;
  }
  if (opcode >= op::getstatic && opcode <= op::putfield) {
    execute_field_access(in, state);
    return;
  }
  if (opcode >= op::invokevirtual && opcode <= op::invokedynamic) {
    execute_invoke(in, state);
    return;
  }
  switch (opcode) {
    case op::nop:
    case op::goto_:
    case op::goto_w:
      return;
    case op::aconst_null:
      stack.push(SlotKind::reference);
      return;
    case op::iconst_m1:
    case op::iconst_0:
    case op::iconst_1:
    case op::iconst_2:
    case op::iconst_3:
    case op::iconst_4:
    case op::iconst_5:
    case op::bipush:
    case op::sipush:
      stack.push(SlotKind::int_);
      return;
    case op::lconst_0:
    case op::lconst_1:
      stack.push(SlotKind::long_);
      return;
    case op::fconst_0:
    case op::fconst_1:
    case op::fconst_2:
      stack.push(SlotKind::float_);
      return;
    case op::dconst_0:
    case op::dconst_1:
      stack.push(SlotKind::double_);
      return;
    case op::ldc:
    case op::ldc_w:
    case op::ldc2_w:
      switch (cls_.constants.entries[in.index].kind) {
        case ConstantKind::integer:
          stack.push(SlotKind::int_);
          return;
        case ConstantKind::float_:
          stack.push(SlotKind::float_);
          return;
        case ConstantKind::long_:
          stack.push(SlotKind::long_);
          return;
        case ConstantKind::double_:
          stack.push(SlotKind::double_);
          return;
        default:
          stack.push(SlotKind::reference);
          return;  // String, Class, MethodType, MethodHandle
      }
    case op::pop:
      stack.discard(1);
      return;
    case op::pop2:
      stack.discard(2);
      return;
    case op::dup:
      stack.duplicate(1, 0);
      return;
    case op::dup_x1:
      stack.duplicate(1, 1);
      return;
    case op::dup_x2:
      stack.duplicate(1, 2);
      return;
    case op::dup2:
      stack.duplicate(2, 0);
      return;
    case op::dup2_x1:
      stack.duplicate(2, 1);
      return;
    case op::dup2_x2:
      stack.duplicate(2, 2);
      return;
    case op::swap:
      stack.swap();
      return;
    case op::lcmp:
      stack.pop(SlotKind::long_);
      stack.pop(SlotKind::long_);
      stack.push(SlotKind::int_);
      return;
    case op::fcmpl:
    case op::fcmpg:
      stack.pop(SlotKind::float_);
      stack.pop(SlotKind::float_);
      stack.push(SlotKind::int_);
      return;
    case op::dcmpl:
    case op::dcmpg:
      stack.pop(SlotKind::double_);
      stack.pop(SlotKind::double_);
      stack.push(SlotKind::int_);
      return;
    case op::ifeq:
    case op::ifne:
    case op::iflt:
    case op::ifge:
    case op::ifgt:
    case op::ifle:
    case op::tableswitch:
    case op::lookupswitch:
      stack.pop(SlotKind::int_);
      return;
    case op::if_icmpeq:
    case op::if_icmpne:
    case op::if_icmplt:
    case op::if_icmpge:
    case op::if_icmpgt:
    case op::if_icmple:
      stack.pop(SlotKind::int_);
      stack.pop(SlotKind::int_);
      return;
    case op::if_acmpeq:
    case op::if_acmpne:
      stack.pop_any_reference();
      stack.pop_any_reference();
      return;
    case op::ifnull:
    case op::ifnonnull:
      stack.pop_any_reference();
      return;
    case op::new_: {
      const Slot created{SlotKind::uninitialized, in.pc};
      for (const Slot& slot : state.stack) {
        if (slot == created) fail("runs again while the object it created before is still not initialised");
      }
      for (Slot& slot : state.locals) {
        if (slot == created) slot = Slot{};
      }
      stack.push(created);
      return;
    }
    case op::newarray:
    case op::anewarray:
      stack.pop(SlotKind::int_);
      stack.push(SlotKind::reference);
      return;
    case op::multianewarray:
      for (std::int32_t dimension = 0; dimension < in.value; ++dimension) stack.pop(SlotKind::int_);
      stack.push(SlotKind::reference);
      return;
    case op::arraylength:
    case op:: instanceof:
      stack.pop(SlotKind::reference);
      stack.push(SlotKind::int_);
      return;
    case op::checkcast:
      stack.pop(SlotKind::reference);
      stack.push(SlotKind::reference);
      return;
    case op::athrow:
    case op::monitorenter:
    case op::monitorexit:
      stack.pop(SlotKind::reference);
      return;
    default:
      fail("subroutines are not followed");  // jsr, jsr_w (ret is a local variable use)
  }
}

void MethodVerifier::execute_field_access(const Instruction& in, FrameState& state) const {
  Operands stack(state, code_.max_stack);
  const MemberRef field = cls_.constants.member(in.index);
  const SlotKind kind = kind_of(*parse_field_descriptor(field.descriptor));
  switch (in.opcode) {
    case op::getstatic:
      stack.push(kind);
      return;
    case op::putstatic:
      stack.pop(kind);
      return;
    case op::getfield:
      stack.pop(SlotKind::reference);
      stack.push(kind);
      return;
    default: {  // putfield
      stack.pop(kind);
      // A constructor may set its own class's fields before calling the superclass constructor (javac
      // does so for the captured outer instance of an inner class).
      const Slot object = stack.pop_slot("a reference");
      const bool own_field_of_this = object.kind == SlotKind::uninitialized_this && field.class_name == cls_.name;
      if (object.kind != SlotKind::reference && !own_field_of_this) {
        fail(fmt::format("needs a reference on the operand stack, found {}", describe(object)));
      }
      return;
    }
  }
}

void MethodVerifier::execute_invoke(const Instruction& in, FrameState& state) const {
  Operands stack(state, code_.max_stack);
  const ConstantPool& pool = cls_.constants;
  MemberRef method;
  if (in.opcode == op::invokedynamic) {
    const Constant& name_and_type =
        pool.at(pool.at(in.index, ConstantKind::invoke_dynamic).second, ConstantKind::name_and_type);
    method.name = pool.utf8(name_and_type.first);
    method.descriptor = pool.utf8(name_and_type.second);
  } else {
    method = pool.member(in.index);
  }
  const MethodType type = *parse_method_descriptor(method.descriptor);
  for (auto parameter = type.parameters.rbegin(); parameter != type.parameters.rend(); ++parameter) {
    stack.pop(kind_of(*parameter));
  }
  if (in.opcode == op::invokespecial && method.name == kConstructorName) {
    const Slot object = stack.pop_slot("an object to construct");
    if (object.kind == SlotKind::uninitialized) {
      const Instruction& creation =
          decoded_.instructions[static_cast<std::size_t>(decoded_.index_at_pc[object.new_pc])];
      const std::string_view created_class = pool.class_name(creation.index);
      if (created_class != method.class_name) {
        fail(fmt::format("calls a constructor of {} on the {} created at pc {}", method.class_name, created_class,
                         object.new_pc));
      }
    } else if (object.kind == SlotKind::uninitialized_this) {
      if (method.class_name != cls_.name && method.class_name != cls_.super_name) {
        fail(fmt::format("a constructor must call a constructor of {} or {}, not of {}", cls_.name, cls_.super_name,
                         method.class_name));
      }
      state.this_uninitialized = false;
    } else {
      fail(fmt::format("calls a constructor on {}, not on a new object", describe(object)));
    }
    stack.initialise(object);
  } else if (in.opcode != op::invokestatic && in.opcode != op::invokedynamic) {
    stack.pop(SlotKind::reference);
  }
  if (type.result) stack.push(kind_of(*type.result));
}

void MethodVerifier::execute_return(const Instruction& in, FrameState& state) const {
  Operands stack(state, code_.max_stack);
  const std::string_view result = std::string_view(method_.descriptor).substr(method_.descriptor.find(')') + 1);
  if (in.opcode == op::return_) {
    if (type_->result) fail(fmt::format("return without a value in a method that returns {}", result));
    if (state.this_uninitialized) fail("the constructor returns before calling a superclass constructor");
    return;
  }
  static constexpr SlotKind kReturned[] = {SlotKind::int_, SlotKind::long_, SlotKind::float_, SlotKind::double_,
                                           SlotKind::reference};
  const SlotKind kind = kReturned[in.opcode - op::ireturn];
  if (!type_->result || kind_of(*type_->result) != kind) {
    fail(fmt::format("returns {} from a method that returns {}", expected_name(kind), result));
  }
  stack.pop(kind);
}

}  // namespace sefleet::card::javacard::classfile

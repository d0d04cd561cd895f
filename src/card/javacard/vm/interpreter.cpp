// The interpreter loop: one switch over the opcodes, frames in one preallocated slot stack (a callee's
// locals start on its caller's arguments, so a call copies nothing), constant pool operands resolved
// at link time. Java exceptions travel as C++ JavaThrow to the handler search below the loop; the
// instruction budget is checked on backward branches and calls (every bytecode is counted).
#include <cstring>
#include <limits>

#include "card/javacard/classfile/opcodes.hpp"
#include "card/javacard/heap/heap.hpp"
#include "card/javacard/vm/firewall.hpp"
#include "card/javacard/vm/vm.hpp"

namespace sefleet::card::javacard::vm {

namespace {

namespace op = classfile::op;
using heap::Object;
using heap::ObjectKind;

inline std::int16_t read_s16(const std::uint8_t* p) noexcept {
  return static_cast<std::int16_t>((p[0] << 8) | p[1]);
}
inline std::uint16_t read_u16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
inline std::int32_t read_s32(const std::uint8_t* p) noexcept {
  return static_cast<std::int32_t>((static_cast<std::uint32_t>(p[0]) << 24) | (static_cast<std::uint32_t>(p[1]) << 16) |
                                   (static_cast<std::uint32_t>(p[2]) << 8) | p[3]);
}
// Two's complement arithmetic without undefined behaviour.
inline std::int32_t wrap(std::uint32_t value) noexcept {
  return static_cast<std::int32_t>(value);
}
inline std::uint32_t u(std::int32_t value) noexcept {
  return static_cast<std::uint32_t>(value);
}

ObjectKind array_kind_of(std::int32_t atype) {
  switch (atype) {
    case 4:
      return ObjectKind::array_boolean;
    case 8:
      return ObjectKind::array_byte;
    case 9:
      return ObjectKind::array_short;
    case 10:
      return ObjectKind::array_int;
    default:
      throw VmAbort("newarray of a type Java Card does not have");
  }
}

}  // namespace

std::int32_t Vm::execute(const RtMethod& entry_method, std::int32_t* args, ContextId context, InstanceId instance) {
  const std::uint16_t base_depth = depth_;
  const std::size_t base_top = slot_top_;
  // Whatever leaves this function (result, JavaThrow, VmAbort, PowerLoss), the frames it pushed go.
  struct Unwind {
    Vm& vm;
    std::uint16_t depth;
    std::size_t top;
    ~Unwind() {
      vm.depth_ = depth;
      vm.slot_top_ = top;
    }
  } unwind{*this, base_depth, base_top};

  const std::uint64_t budget = limits().instruction_budget;
  std::uint64_t executed = entry_.executed;

  // Pushes a frame for `method` whose arguments are at `arg_base` (already in the slot stack).
  auto push_frame = [&](const RtMethod& method, std::int32_t* arg_base, ContextId frame_context,
                        InstanceId frame_instance, InstanceId previous) -> Frame& {
    if (depth_ >= limits().max_call_depth) throw VmAbort("call depth above " + std::to_string(limits().max_call_depth));
    const std::size_t frame_slots = static_cast<std::size_t>(method.max_locals) + method.max_stack;
    if (frame_slots > limits().max_frame_slots) {
      throw VmAbort(method.qualified_name() + " needs " + std::to_string(frame_slots) + " slots, the limit is " +
                    std::to_string(limits().max_frame_slots));
    }
    const std::size_t locals_index = static_cast<std::size_t>(arg_base - slots_.data());
    if (locals_index + frame_slots > slots_.size()) throw VmAbort("slot stack exhausted");
    Frame& frame = frames_[depth_++];
    frame.method = &method;
    frame.locals = arg_base;
    frame.stack_base = arg_base + method.max_locals;
    frame.sp = frame.stack_base;
    frame.pc = method.code;
    frame.context = frame_context;
    frame.instance = frame_instance;
    frame.previous_instance = previous;
    frame.privileged = method.owner->rom;
    slot_top_ = locals_index + frame_slots;
    return frame;
  };

  // The first frame: copy the arguments onto the slot stack.
  {
    if (slot_top_ + entry_method.arg_slots > slots_.size()) throw VmAbort("slot stack exhausted");
    std::int32_t* arg_base = slots_.data() + slot_top_;
    // A method without arguments may be called with no argument array (memcpy must not see null).
    if (entry_method.arg_slots > 0) std::memcpy(arg_base, args, sizeof(std::int32_t) * entry_method.arg_slots);
    const InstanceId previous = depth_ > 0 ? frames_[depth_ - 1].instance : instance;
    if (entry_method.native != nullptr) {
      entry_.executed = executed + 1;
      NativeCall call(*this, arg_base, entry_method.arg_slots, context, instance, entry_method.owner->rom);
      entry_method.native(call);
      return call.result();
    }
    push_frame(entry_method, arg_base, context, instance, previous);
  }

  Frame* frame = &frames_[depth_ - 1];
  const std::uint8_t* pc = frame->pc;
  std::int32_t* sp = frame->sp;
  std::int32_t* locals = frame->locals;
  const Resolved* cp = frame->method->owner->constants.data();
  heap::Heap& objects = *heap_;

  auto load_frame = [&] {
    frame = &frames_[depth_ - 1];
    pc = frame->pc;
    sp = frame->sp;
    locals = frame->locals;
    cp = frame->method->owner->constants.data();
  };

  // The object a reference names, or NullPointerException.
  auto deref = [&](std::int32_t value) -> Object& {
    Object* object = objects.find(static_cast<Ref>(value));
    if (object == nullptr) throw_vm(VmException::null_pointer);
    return *object;
  };
  auto array_index = [&](const Object& array, std::int32_t index) {
    if (index < 0 || index >= array.length) throw_vm(VmException::array_index_out_of_bounds);
  };
  auto expect_kind = [&](const Object& array, ObjectKind kind) {
    if (array.kind != kind) throw VmAbort("array instruction on an object of another type");
  };
  auto check_budget = [&] {
    if (executed > budget) {
      throw VmAbort("instruction budget of " + std::to_string(budget) + " bytecodes exhausted");
    }
  };

  // Invokes `method` with its arguments on the operand stack (receiver first for instance methods).
  auto invoke = [&](const RtMethod& method, std::uint32_t length, ContextId callee_context,
                    InstanceId callee_instance) {
    std::int32_t* arg_base = sp - method.arg_slots;
    frame->pc = pc;  // the call site: handler search and the return both start from it
    frame->sp = arg_base;
    if (method.native != nullptr) {
      entry_.executed = executed;
      NativeCall call(*this, arg_base, method.arg_slots, callee_context, callee_instance, frame->privileged);
      method.native(call);
      executed = entry_.executed;
      sp = arg_base;
      if (method.returns_value) *sp++ = call.result();
      pc += length;
      return;
    }
    if (method.code == nullptr) throw VmAbort("call of abstract method " + method.qualified_name());
    push_frame(method, arg_base, callee_context, callee_instance,
               callee_context != frame->context ? frame->instance : frame->previous_instance);
    load_frame();
  };

  // The context and instance an instance method of `receiver` runs in (JCRE 6.2.8: invoking a method
  // of another context's object switches to that context).
  auto callee_of = [&](const Object& receiver, ContextId& callee_context, InstanceId& callee_instance) {
    callee_context = frame->context;
    callee_instance = frame->instance;
    if (receiver.context != frame->context) {
      callee_context = receiver.context;
      if (receiver.context != kJcreContext) callee_instance = receiver.owner;
    }
  };

  for (;;) {
    try {
      for (;;) {
        ++executed;
        switch (*pc) {
          case op::nop:
            pc += 1;
            break;
          case op::aconst_null:
            *sp++ = 0;
            pc += 1;
            break;
          case op::iconst_m1:
          case op::iconst_0:
          case op::iconst_1:
          case op::iconst_2:
          case op::iconst_3:
          case op::iconst_4:
          case op::iconst_5:
            *sp++ = static_cast<std::int32_t>(*pc) - op::iconst_0;
            pc += 1;
            break;
          case op::bipush:
            *sp++ = static_cast<std::int8_t>(pc[1]);
            pc += 2;
            break;
          case op::sipush:
            *sp++ = read_s16(pc + 1);
            pc += 3;
            break;
          case op::ldc:
            *sp++ = cp[pc[1]].integer;
            pc += 2;
            break;
          case op::ldc_w:
            *sp++ = cp[read_u16(pc + 1)].integer;
            pc += 3;
            break;

          case op::iload:
          case op::aload:
            *sp++ = locals[pc[1]];
            pc += 2;
            break;
          case op::iload_0:
          case op::iload_1:
          case op::iload_2:
          case op::iload_3:
            *sp++ = locals[*pc - op::iload_0];
            pc += 1;
            break;
          case op::aload_0:
          case op::aload_1:
          case op::aload_2:
          case op::aload_3:
            *sp++ = locals[*pc - op::aload_0];
            pc += 1;
            break;
          case op::istore:
          case op::astore:
            locals[pc[1]] = *--sp;
            pc += 2;
            break;
          case op::istore_0:
          case op::istore_1:
          case op::istore_2:
          case op::istore_3:
            locals[*pc - op::istore_0] = *--sp;
            pc += 1;
            break;
          case op::astore_0:
          case op::astore_1:
          case op::astore_2:
          case op::astore_3:
            locals[*pc - op::astore_0] = *--sp;
            pc += 1;
            break;
          case op::wide: {
            const std::uint16_t index = read_u16(pc + 2);
            switch (pc[1]) {
              case op::iload:
              case op::aload:
                *sp++ = locals[index];
                pc += 4;
                break;
              case op::istore:
              case op::astore:
                locals[index] = *--sp;
                pc += 4;
                break;
              case op::iinc:
                locals[index] = wrap(u(locals[index]) + u(read_s16(pc + 4)));
                pc += 6;
                break;
              default:
                throw VmAbort("wide before an instruction it cannot modify");
            }
            break;
          }

          // ---- arrays ----
          case op::iaload:
          case op::aaload:
          case op::baload:
          case op::saload: {
            const std::int32_t index = sp[-1];
            Object& array = deref(sp[-2]);
            if (!frame->privileged) firewall::check_access(*this, array, frame->context);
            array_index(array, index);
            std::int32_t value;
            switch (*pc) {
              case op::baload:
                if (array.kind != ObjectKind::array_byte && array.kind != ObjectKind::array_boolean) {
                  throw VmAbort("baload on an object that is not a byte or boolean array");
                }
                value = static_cast<std::int8_t>(array.bytes()[index]);
                break;
              case op::saload:
                expect_kind(array, ObjectKind::array_short);
                value = array.short_at(index);
                break;
              case op::iaload:
                expect_kind(array, ObjectKind::array_int);
                value = array.slot(index);
                break;
              default:
                expect_kind(array, ObjectKind::array_reference);
                value = array.slot(index);
                break;
            }
            sp -= 2;
            *sp++ = value;
            pc += 1;
            break;
          }
          case op::iastore:
          case op::aastore:
          case op::bastore:
          case op::sastore: {
            const std::int32_t value = sp[-1];
            const std::int32_t index = sp[-2];
            const Ref ref = static_cast<Ref>(sp[-3]);
            Object& array = deref(sp[-3]);
            if (!frame->privileged) firewall::check_access(*this, array, frame->context);
            array_index(array, index);
            switch (*pc) {
              case op::bastore:
                if (array.kind != ObjectKind::array_byte && array.kind != ObjectKind::array_boolean) {
                  throw VmAbort("bastore on an object that is not a byte or boolean array");
                }
                objects.write_byte(
                    ref, array, index,
                    static_cast<std::uint8_t>(array.kind == ObjectKind::array_boolean ? value & 1 : value),
                    Atomicity::atomic);
                break;
              case op::sastore:
                expect_kind(array, ObjectKind::array_short);
                objects.write_short(ref, array, index, static_cast<std::int16_t>(value), Atomicity::atomic);
                break;
              case op::iastore:
                expect_kind(array, ObjectKind::array_int);
                objects.write_slot(ref, array, index, value, Atomicity::atomic);
                break;
              default: {
                expect_kind(array, ObjectKind::array_reference);
                if (value != 0) {
                  Object& element = deref(value);
                  if (!frame->privileged) firewall::check_storable(*this, element);
                  if (array.cls != nullptr && !firewall::is_instance_of(element, *array.cls)) {
                    throw_vm(VmException::array_store);
                  }
                }
                objects.write_slot(ref, array, index, value, Atomicity::atomic);
                break;
              }
            }
            sp -= 3;
            pc += 1;
            break;
          }
          case op::arraylength: {
            Object& array = deref(sp[-1]);
            if (!array.is_array()) throw VmAbort("arraylength on an object that is not an array");
            if (!frame->privileged) firewall::check_access(*this, array, frame->context);
            sp[-1] = array.length;
            pc += 1;
            break;
          }
          case op::newarray: {
            const std::int32_t length = sp[-1];
            if (length < 0) throw_vm(VmException::negative_array_size);
            const ObjectKind kind = array_kind_of(pc[1]);
            sp[-1] = static_cast<std::int32_t>(
                allocate_array(kind, length, frame->context, frame->instance, Transience::persistent, nullptr));
            pc += 2;
            break;
          }
          case op::anewarray: {
            const std::int32_t length = sp[-1];
            if (length < 0) throw_vm(VmException::negative_array_size);
            const TypeRef& type = *cp[read_u16(pc + 1)].type;
            sp[-1] = static_cast<std::int32_t>(allocate_array(ObjectKind::array_reference, length, frame->context,
                                                              frame->instance, Transience::persistent, type.cls));
            pc += 3;
            break;
          }

          // ---- stack ----
          case op::pop:
            --sp;
            pc += 1;
            break;
          case op::pop2:
            sp -= 2;
            pc += 1;
            break;
          case op::dup:
            *sp = sp[-1];
            ++sp;
            pc += 1;
            break;
          case op::dup_x1: {
            const std::int32_t v1 = sp[-1], v2 = sp[-2];
            sp[-2] = v1;
            sp[-1] = v2;
            sp[0] = v1;
            ++sp;
            pc += 1;
            break;
          }
          case op::dup_x2: {
            const std::int32_t v1 = sp[-1], v2 = sp[-2], v3 = sp[-3];
            sp[-3] = v1;
            sp[-2] = v3;
            sp[-1] = v2;
            sp[0] = v1;
            ++sp;
            pc += 1;
            break;
          }
          case op::dup2:
            sp[0] = sp[-2];
            sp[1] = sp[-1];
            sp += 2;
            pc += 1;
            break;
          case op::dup2_x1: {
            const std::int32_t v1 = sp[-1], v2 = sp[-2], v3 = sp[-3];
            sp[-3] = v2;
            sp[-2] = v1;
            sp[-1] = v3;
            sp[0] = v2;
            sp[1] = v1;
            sp += 2;
            pc += 1;
            break;
          }
          case op::dup2_x2: {
            const std::int32_t v1 = sp[-1], v2 = sp[-2], v3 = sp[-3], v4 = sp[-4];
            sp[-4] = v2;
            sp[-3] = v1;
            sp[-2] = v4;
            sp[-1] = v3;
            sp[0] = v2;
            sp[1] = v1;
            sp += 2;
            pc += 1;
            break;
          }
          case op::swap:
            std::swap(sp[-1], sp[-2]);
            pc += 1;
            break;

          // ---- arithmetic: int with Java's wrap-around ----
          case op::iadd:
            sp[-2] = wrap(u(sp[-2]) + u(sp[-1]));
            --sp;
            pc += 1;
            break;
          case op::isub:
            sp[-2] = wrap(u(sp[-2]) - u(sp[-1]));
            --sp;
            pc += 1;
            break;
          case op::imul:
            sp[-2] = wrap(u(sp[-2]) * u(sp[-1]));
            --sp;
            pc += 1;
            break;
          case op::idiv: {
            const std::int32_t divisor = sp[-1];
            if (divisor == 0) throw_vm(VmException::arithmetic);
            const std::int32_t dividend = sp[-2];
            sp[-2] = (divisor == -1) ? wrap(0u - u(dividend)) : dividend / divisor;
            --sp;
            pc += 1;
            break;
          }
          case op::irem: {
            const std::int32_t divisor = sp[-1];
            if (divisor == 0) throw_vm(VmException::arithmetic);
            sp[-2] = (divisor == -1) ? 0 : sp[-2] % divisor;
            --sp;
            pc += 1;
            break;
          }
          case op::ineg:
            sp[-1] = wrap(0u - u(sp[-1]));
            pc += 1;
            break;
          case op::ishl:
            sp[-2] = wrap(u(sp[-2]) << (sp[-1] & 31));
            --sp;
            pc += 1;
            break;
          case op::ishr:
            sp[-2] = sp[-2] >> (sp[-1] & 31);
            --sp;
            pc += 1;
            break;
          case op::iushr:
            sp[-2] = wrap(u(sp[-2]) >> (sp[-1] & 31));
            --sp;
            pc += 1;
            break;
          case op::iand:
            sp[-2] &= sp[-1];
            --sp;
            pc += 1;
            break;
          case op::ior:
            sp[-2] |= sp[-1];
            --sp;
            pc += 1;
            break;
          case op::ixor:
            sp[-2] ^= sp[-1];
            --sp;
            pc += 1;
            break;
          case op::iinc:
            locals[pc[1]] = wrap(u(locals[pc[1]]) + u(static_cast<std::int8_t>(pc[2])));
            pc += 3;
            break;
          case op::i2b:
            sp[-1] = static_cast<std::int8_t>(sp[-1]);
            pc += 1;
            break;
          case op::i2s:
            sp[-1] = static_cast<std::int16_t>(sp[-1]);
            pc += 1;
            break;
          case op::i2c:
            sp[-1] = static_cast<std::uint16_t>(sp[-1]);
            pc += 1;
            break;

            // ---- branches ----
#define SEFLEET_BRANCH(condition)                   \
  {                                                 \
    if (condition) {                                \
      const std::int16_t offset = read_s16(pc + 1); \
      pc += offset;                                 \
      if (offset <= 0) check_budget();              \
    } else {                                        \
      pc += 3;                                      \
    }                                               \
  }
          case op::ifeq: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v == 0) break;
          }
          case op::ifne: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v != 0) break;
          }
          case op::iflt: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v < 0) break;
          }
          case op::ifge: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v >= 0) break;
          }
          case op::ifgt: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v > 0) break;
          }
          case op::ifle: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v <= 0) break;
          }
          case op::ifnull: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v == 0) break;
          }
          case op::ifnonnull: {
            const std::int32_t v = *--sp;
            SEFLEET_BRANCH(v != 0) break;
          }
          case op::if_icmpeq:
          case op::if_acmpeq: {
            sp -= 2;
            SEFLEET_BRANCH(sp[0] == sp[1]) break;
          }
          case op::if_icmpne:
          case op::if_acmpne: {
            sp -= 2;
            SEFLEET_BRANCH(sp[0] != sp[1]) break;
          }
          case op::if_icmplt: {
            sp -= 2;
            SEFLEET_BRANCH(sp[0] < sp[1]) break;
          }
          case op::if_icmpge: {
            sp -= 2;
            SEFLEET_BRANCH(sp[0] >= sp[1]) break;
          }
          case op::if_icmpgt: {
            sp -= 2;
            SEFLEET_BRANCH(sp[0] > sp[1]) break;
          }
          case op::if_icmple: {
            sp -= 2;
            SEFLEET_BRANCH(sp[0] <= sp[1]) break;
          }
          case op::goto_:
            SEFLEET_BRANCH(true) break;
#undef SEFLEET_BRANCH
          case op::goto_w: {
            const std::int32_t offset = read_s32(pc + 1);
            pc += offset;
            if (offset <= 0) check_budget();
            break;
          }
          case op::tableswitch: {
            const std::uint8_t* code = frame->method->code;
            const std::uint8_t* table = code + ((pc - code + 4) & ~std::ptrdiff_t{3});
            const std::int32_t key = *--sp;
            const std::int32_t low = read_s32(table + 4);
            const std::int32_t high = read_s32(table + 8);
            std::int32_t offset = read_s32(table);
            if (key >= low && key <= high) {
              offset = read_s32(table + 12 + 4 * static_cast<std::ptrdiff_t>(u(key) - u(low)));
            }
            pc += offset;
            if (offset <= 0) check_budget();
            break;
          }
          case op::lookupswitch: {
            const std::uint8_t* code = frame->method->code;
            const std::uint8_t* table = code + ((pc - code + 4) & ~std::ptrdiff_t{3});
            const std::int32_t key = *--sp;
            std::int32_t offset = read_s32(table);
            const std::int32_t pairs = read_s32(table + 4);
            // Keys are sorted (the decoder checked): binary search.
            std::int32_t lo = 0, hi = pairs - 1;
            while (lo <= hi) {
              const std::int32_t mid = lo + (hi - lo) / 2;
              const std::int32_t candidate = read_s32(table + 8 + 8 * static_cast<std::ptrdiff_t>(mid));
              if (candidate == key) {
                offset = read_s32(table + 12 + 8 * static_cast<std::ptrdiff_t>(mid));
                break;
              }
              if (candidate < key) {
                lo = mid + 1;
              } else {
                hi = mid - 1;
              }
            }
            pc += offset;
            if (offset <= 0) check_budget();
            break;
          }

          // ---- fields ----
          case op::getstatic: {
            const RtField& field = *cp[read_u16(pc + 1)].field;
            *sp++ = statics(*field.owner).slot(field.slot);
            pc += 3;
            break;
          }
          case op::putstatic: {
            const RtField& field = *cp[read_u16(pc + 1)].field;
            const std::int32_t value = sp[-1];
            if (field.is_reference && value != 0 && !frame->privileged) firewall::check_storable(*this, deref(value));
            objects.write_slot(statics_ref(*field.owner), statics(*field.owner), field.slot, value, Atomicity::atomic);
            --sp;
            pc += 3;
            break;
          }
          case op::getfield: {
            const RtField& field = *cp[read_u16(pc + 1)].field;
            Object& object = deref(sp[-1]);
            if (object.kind != ObjectKind::instance || !object.cls->is_assignable_to(*field.owner)) {
              throw VmAbort("getfield on an object of another class");
            }
            if (!frame->privileged) firewall::check_access(*this, object, frame->context);
            sp[-1] = object.slot(field.slot);
            pc += 3;
            break;
          }
          case op::putfield: {
            const RtField& field = *cp[read_u16(pc + 1)].field;
            const std::int32_t value = sp[-1];
            const Ref ref = static_cast<Ref>(sp[-2]);
            Object& object = deref(sp[-2]);
            if (object.kind != ObjectKind::instance || !object.cls->is_assignable_to(*field.owner)) {
              throw VmAbort("putfield on an object of another class");
            }
            if (!frame->privileged) {
              firewall::check_access(*this, object, frame->context);
              if (field.is_reference && value != 0) firewall::check_storable(*this, deref(value));
            }
            objects.write_slot(ref, object, field.slot, value, Atomicity::atomic);
            sp -= 2;
            pc += 3;
            break;
          }

          // ---- objects ----
          case op::new_: {
            const TypeRef& type = *cp[read_u16(pc + 1)].type;
            *sp++ = static_cast<std::int32_t>(allocate_instance(*type.cls, frame->context, frame->instance));
            pc += 3;
            break;
          }
          case op::checkcast: {
            if (sp[-1] != 0) {
              const Object& object = deref(sp[-1]);
              if (!frame->privileged) firewall::check_type_test(*this, object, frame->context);
              if (!firewall::is_instance_of(object, *cp[read_u16(pc + 1)].type)) throw_vm(VmException::class_cast);
            }
            pc += 3;
            break;
          }
          case op:: instanceof: {
            if (sp[-1] != 0) {
              const Object& object = deref(sp[-1]);
              if (!frame->privileged) firewall::check_type_test(*this, object, frame->context);
              sp[-1] = firewall::is_instance_of(object, *cp[read_u16(pc + 1)].type) ? 1 : 0;
            }
            pc += 3;
            break;
          }
          case op::athrow: {
            const Ref exception = static_cast<Ref>(sp[-1]);
            const Object& object = deref(sp[-1]);
            if (!object.cls->is_throwable) throw VmAbort("athrow of an object that is not a Throwable");
            if (!frame->privileged) firewall::check_throwable(*this, object, frame->context);
            throw JavaThrow{exception};
          }

          // ---- calls ----
          case op::invokestatic: {
            check_budget();
            invoke(*cp[read_u16(pc + 1)].method, 3, frame->context, frame->instance);
            break;
          }
          case op::invokespecial: {
            check_budget();
            const Resolved& resolved = cp[read_u16(pc + 1)];
            const RtMethod* method = resolved.method;
            Object& receiver = deref(sp[-static_cast<std::ptrdiff_t>(method->arg_slots)]);
            if (receiver.kind != ObjectKind::instance || !receiver.cls->is_assignable_to(*method->owner)) {
              throw VmAbort("invokespecial on an object of another class");
            }
            // A super call (not a constructor, not private) selects from the current class's
            // superclass (JVMS invokespecial with ACC_SUPER).
            const RtClass* current = frame->method->owner;
            if (method->name[0] != '<' && (method->access & classfile::access::kPrivate) == 0 &&
                method->vtable_index >= 0 && current->super != nullptr && !method->owner->is_interface() &&
                current->super->is_assignable_to(*method->owner)) {
              method = current->super->vtable[static_cast<std::size_t>(method->vtable_index)];
            }
            if (!frame->privileged) firewall::check_access(*this, receiver, frame->context);
            invoke(*method, 3, frame->context, frame->instance);
            break;
          }
          case op::invokevirtual: {
            check_budget();
            const Resolved& resolved = cp[read_u16(pc + 1)];
            const RtMethod* method = resolved.method;
            Object& receiver = deref(sp[-static_cast<std::ptrdiff_t>(method->arg_slots)]);
            const RtMethod* target = nullptr;
            if (resolved.kind == Resolved::Kind::interface_method) {
              if (receiver.kind == ObjectKind::instance) {
                const auto it = receiver.cls->itable.find(resolved.selector);
                if (it != receiver.cls->itable.end()) target = it->second;
              }
              if (target == nullptr) throw VmAbort("no implementation of " + method->qualified_name());
            } else if (receiver.kind == ObjectKind::instance) {
              if (!receiver.cls->is_assignable_to(*method->owner))
                throw VmAbort("invokevirtual on an object of another class");
              target = receiver.cls->vtable[static_cast<std::size_t>(method->vtable_index)];
            } else {
              // Arrays (and statics objects never reach here): the methods of java/lang/Object.
              if (method->owner->super != nullptr) throw VmAbort("invokevirtual of a class method on an array");
              target = method;
            }
            if (!frame->privileged) firewall::check_invoke(*this, receiver, frame->context, false, *method);
            ContextId callee_context;
            InstanceId callee_instance;
            callee_of(receiver, callee_context, callee_instance);
            invoke(*target, 3, callee_context, callee_instance);
            break;
          }
          case op::invokeinterface: {
            check_budget();
            const Resolved& resolved = cp[read_u16(pc + 1)];
            const RtMethod* method = resolved.method;
            Object& receiver = deref(sp[-static_cast<std::ptrdiff_t>(method->arg_slots)]);
            const RtMethod* target = nullptr;
            if (receiver.kind == ObjectKind::instance) {
              const auto it = receiver.cls->itable.find(resolved.selector);
              if (it != receiver.cls->itable.end()) target = it->second;
            }
            if (target == nullptr) throw VmAbort("no implementation of " + method->qualified_name());
            if (!frame->privileged) firewall::check_invoke(*this, receiver, frame->context, true, *method);
            ContextId callee_context;
            InstanceId callee_instance;
            callee_of(receiver, callee_context, callee_instance);
            invoke(*target, 5, callee_context, callee_instance);
            break;
          }

          // ---- returns ----
          case op::ireturn:
          case op::areturn:
          case op::return_: {
            const bool has_value = *pc != op::return_;
            const std::int32_t value = has_value ? sp[-1] : 0;
            std::int32_t* caller_sp = frame->locals;  // the caller's arguments start here
            --depth_;
            if (depth_ == base_depth) {
              entry_.executed = executed;
              return value;
            }
            slot_top_ = static_cast<std::size_t>(frames_[depth_ - 1].stack_base - slots_.data()) +
                        frames_[depth_ - 1].method->max_stack;
            load_frame();
            pc += *pc == op::invokeinterface ? 5 : 3;  // past the call site
            sp = caller_sp;
            if (has_value) *sp++ = value;
            break;
          }

          default:
            throw VmAbort("opcode " + std::to_string(*pc) + " is not executed by the Java Card VM");
        }
      }
    } catch (const JavaThrow& thrown) {
      frame->pc = pc;
      entry_.executed = executed;
      if (!dispatch_exception(thrown.exception, base_depth)) throw;
      load_frame();
    } catch (const heap::CapacityExceeded& full) {
      frame->pc = pc;
      entry_.executed = executed;
      const Ref exception = capacity_exception(full);
      if (!dispatch_exception(exception, base_depth)) throw JavaThrow{exception};
      load_frame();
    }
  }
}

// Finds a handler for `exception` from the top frame down to `base_depth`; on success the handler's
// frame is on top with the exception on its operand stack and its pc at the handler.
bool Vm::dispatch_exception(Ref exception, std::uint16_t base_depth) {
  const heap::Object* object = heap_->find(exception);
  if (object == nullptr) return false;
  while (depth_ > base_depth) {
    Frame& frame = frames_[depth_ - 1];
    const auto pc = static_cast<std::uint16_t>(frame.pc - frame.method->code);
    for (const auto& handler : frame.method->handlers) {
      if (pc < handler.start_pc || pc >= handler.end_pc) continue;
      if (handler.catch_type != nullptr && !object->cls->is_assignable_to(*handler.catch_type)) continue;
      frame.sp = frame.stack_base;
      *frame.sp++ = static_cast<std::int32_t>(exception);
      frame.pc = frame.method->code + handler.handler_pc;
      slot_top_ = static_cast<std::size_t>(frame.stack_base - slots_.data()) + frame.method->max_stack;
      return true;
    }
    --depth_;
  }
  return false;
}

}  // namespace sefleet::card::javacard::vm

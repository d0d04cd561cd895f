#include "card/javacard/classfile/method_verifier.hpp"

#include <algorithm>
#include <initializer_list>

#include <fmt/format.h>

#include "card/javacard/classfile/constant_pool_reader.hpp"
#include "card/javacard/classfile/java_card_subset.hpp"
#include "card/javacard/classfile/opcodes.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

constexpr std::uint16_t kClassConstantVersion = 49;    // ldc of a Class
constexpr std::uint16_t kMethodHandleVersion = 51;     // ldc of a MethodType or MethodHandle
constexpr std::uint16_t kInterfaceMethodVersion = 52;  // invokestatic/invokespecial of interface methods

// "a Fieldref", "a Methodref or InterfaceMethodref", "an Integer, Float, String or Class".
std::string kinds_list(std::initializer_list<ConstantKind> kinds) {
  std::string text;
  std::size_t position = 0;
  for (const ConstantKind kind : kinds) {
    if (position > 0) text += position + 1 == kinds.size() ? " or " : ", ";
    text += position == 0 ? with_article(kind) : std::string(constant_kind_name(kind));
    ++position;
  }
  return text;
}

bool is_subroutine(std::uint8_t opcode) {
  return opcode == op::jsr || opcode == op::jsr_w || opcode == op::ret;
}

}  // namespace

MethodVerifier::MethodVerifier(const ClassFile& cls, const Method& method, std::vector<Finding>& findings)
    : cls_(cls), method_(method), code_(*method.code), findings_(findings) {}

void MethodVerifier::run() {
  type_ = parse_method_descriptor(method_.descriptor);
  if (!type_) {  // the reader refuses such a method; a hand-built ClassFile may still hold one
    report_method(fmt::format("invalid method descriptor \"{}\"", method_.descriptor));
    return;
  }
  bool follow = true;
  if (code_.max_stack > kMaxJavaCardStack) {
    report_method(fmt::format("max_stack {} is above Java Card's limit of {} operand stack slots", code_.max_stack,
                              kMaxJavaCardStack));
    follow = false;
  }
  if (code_.max_locals > kMaxJavaCardLocals) {
    report_method(fmt::format("max_locals {} is above Java Card's limit of {} local variable slots", code_.max_locals,
                              kMaxJavaCardLocals));
    follow = false;
  }
  const int argument_slots = type_->parameter_slots() + ((method_.access & access::kStatic) != 0 ? 0 : 1);
  if (argument_slots > code_.max_locals) {
    report_method(
        fmt::format("its arguments need {} local variable slots, max_locals is {}", argument_slots, code_.max_locals));
    follow = false;
  }
  std::optional<DecodeError> error;
  decoded_ = decode_code(code_.bytecode, cls_.major_version, error);
  if (error) {
    findings_.push_back(Finding{cls_.name, method_.name + method_.descriptor, error->pc, error->instruction,
                                "malformed instruction: " + error->message});
    return;  // targets and handlers cannot be checked against an incomplete decoding
  }
  if (check_instructions()) follow = false;
  if (check_handlers()) follow = false;
  const bool has_subroutines = std::any_of(decoded_.instructions.begin(), decoded_.instructions.end(),
                                           [](const Instruction& in) { return is_subroutine(in.opcode); });
  // Subroutines are refused by the subset; their paths are not followed (javac has not written them
  // since Java 6).
  if (follow && !has_subroutines) follow_paths();
}

bool MethodVerifier::check_instructions() {
  bool structural_problem = false;
  for (const Instruction& instruction : decoded_.instructions) {
    const std::string problem = operand_problem(instruction);
    if (!problem.empty()) {
      report(instruction.pc, problem);
      structural_problem = true;
      continue;
    }
    const std::string refused = refused_instruction_reason(instruction, cls_.constants);
    if (!refused.empty()) report(instruction.pc, refused);
  }
  return structural_problem;
}

std::string MethodVerifier::operand_problem(const Instruction& in) const {
  const std::string_view mnemonic = opcode_info(in.opcode)->mnemonic;
  if (const std::optional<LocalVariableUse> use = local_variable_use(in)) {
    if (use->index + use->slots() > code_.max_locals) {
      return fmt::format("local variable {} is beyond max_locals {}", use->index + use->slots() - 1, code_.max_locals);
    }
    return {};
  }
  const auto target_problem = [&](std::int32_t target) -> std::string {
    if (target < 0 || static_cast<std::size_t>(target) >= code_.bytecode.size()) {
      return fmt::format("jump target {} is outside the code (0..{})", target, code_.bytecode.size() - 1);
    }
    if (!decoded_.is_instruction_start(target)) {
      return fmt::format("jump target {} is inside an instruction, not at its start", target);
    }
    return {};
  };
  if (in.is_branch()) return target_problem(in.target);
  if (in.is_switch()) {
    for (const std::int32_t target : decoded_.targets_of(in)) {
      if (std::string problem = target_problem(target); !problem.empty()) return problem;
    }
    return {};
  }
  const ConstantPool& pool = cls_.constants;
  const auto constant_problem = [&](std::initializer_list<ConstantKind> kinds) -> std::string {
    if (in.index == 0 || in.index >= pool.size()) {
      return fmt::format("constant pool index {} is outside 1..{}", in.index, pool.size() - 1);
    }
    const ConstantKind kind = pool.entries[in.index].kind;
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
      return fmt::format("constant #{} is {}, {} needs {}", in.index, with_article(kind), mnemonic, kinds_list(kinds));
    }
    return {};
  };
  const std::uint16_t version = cls_.major_version;
  std::string problem;
  switch (in.opcode) {
    case op::ldc:
    case op::ldc_w:
      if (version >= kMethodHandleVersion) {
        problem = constant_problem({ConstantKind::integer, ConstantKind::float_, ConstantKind::string,
                                    ConstantKind::class_, ConstantKind::method_type, ConstantKind::method_handle});
      } else if (version >= kClassConstantVersion) {
        problem =
            constant_problem({ConstantKind::integer, ConstantKind::float_, ConstantKind::string, ConstantKind::class_});
      } else {
        problem = constant_problem({ConstantKind::integer, ConstantKind::float_, ConstantKind::string});
      }
      return problem;
    case op::ldc2_w:
      return constant_problem({ConstantKind::long_, ConstantKind::double_});
    case op::getstatic:
    case op::putstatic:
    case op::getfield:
    case op::putfield:
      return constant_problem({ConstantKind::fieldref});
    case op::invokevirtual:
      problem = constant_problem({ConstantKind::methodref});
      break;
    case op::invokespecial:
    case op::invokestatic:
      problem = version >= kInterfaceMethodVersion
                    ? constant_problem({ConstantKind::methodref, ConstantKind::interface_methodref})
                    : constant_problem({ConstantKind::methodref});
      break;
    case op::invokeinterface:
      problem = constant_problem({ConstantKind::interface_methodref});
      break;
    case op::invokedynamic:
      return constant_problem({ConstantKind::invoke_dynamic});
    case op::new_:
    case op::anewarray:
    case op::checkcast:
    case op:: instanceof:
    case op::multianewarray: {
      problem = constant_problem({ConstantKind::class_});
      if (!problem.empty()) return problem;
      const std::string_view name = pool.class_name(in.index);
      // Class entries are checked: an array name is a valid descriptor of 1..255 dimensions.
      const int dimensions = name.front() == '[' ? static_cast<int>(name.find_first_not_of('[')) : 0;
      if (in.opcode == op::new_ && dimensions > 0) {
        return fmt::format("new of the array type {} (arrays are made by newarray)", name);
      }
      if (in.opcode == op::anewarray && dimensions == 255) return "an array of more than 255 dimensions";
      if (in.opcode == op::multianewarray && (in.value < 1 || in.value > dimensions)) {
        return fmt::format("{} dimensions of {} (1 up to the dimensions of the array type)", in.value, name);
      }
      return {};
    }
    case op::newarray:
      if (in.value < 4 || in.value > 11) {
        return fmt::format("array type {} is not one of 4 (boolean) to 11 (long)", in.value);
      }
      return {};
    default:
      return {};
  }
  if (!problem.empty()) return problem;
  // An invoke of a valid member reference: which names it may call, and invokeinterface's count.
  const MemberRef member = pool.member(in.index);
  if (member.name == kConstructorName && in.opcode != op::invokespecial) {
    return fmt::format("{} cannot call a constructor (<init> is called by invokespecial)", mnemonic);
  }
  if (in.opcode == op::invokeinterface) {
    const std::optional<MethodType> type = parse_method_descriptor(member.descriptor);
    const int expected = 1 + (type ? type->parameter_slots() : 0);
    if (in.value != expected) {
      return fmt::format("its count operand is {}, the descriptor {} needs {}", in.value, member.descriptor, expected);
    }
  }
  return {};
}

bool MethodVerifier::check_handlers() {
  bool structural_problem = false;
  const auto code_length = static_cast<std::int64_t>(code_.bytecode.size());
  for (std::size_t i = 0; i < code_.handlers.size(); ++i) {
    const ExceptionHandler& handler = code_.handlers[i];
    const bool end_ok = handler.end_pc == code_length || decoded_.is_instruction_start(handler.end_pc);
    if (!decoded_.is_instruction_start(handler.start_pc) || !end_ok ||
        !decoded_.is_instruction_start(handler.handler_pc)) {
      report_method(
          fmt::format("exception handler {} (pc {}..{}, handler at {}) does not start, end and jump at "
                      "instruction boundaries",
                      i, handler.start_pc, handler.end_pc, handler.handler_pc));
      structural_problem = true;
      continue;
    }
    if (code_.max_stack < 1) {
      report_method(fmt::format("exception handler {} needs one operand stack slot, max_stack is 0", i));
      structural_problem = true;
    }
    if (handler.catch_type != 0) {
      const std::string refused = refused_class_reason(cls_.constants.class_name(handler.catch_type));
      if (!refused.empty()) report_method(fmt::format("exception handler at pc {}: {}", handler.handler_pc, refused));
    }
  }
  return structural_problem;
}

void MethodVerifier::follow_paths() {
  const std::size_t count = decoded_.instructions.size();
  states_.assign(count, std::nullopt);
  is_leader_.assign(count, false);
  is_pending_.assign(count, false);
  is_leader_[0] = true;
  const auto mark = [&](std::int32_t pc) { is_leader_[static_cast<std::size_t>(decoded_.index_at_pc[pc])] = true; };
  for (const Instruction& instruction : decoded_.instructions) {
    if (instruction.is_branch()) mark(instruction.target);
    if (instruction.is_switch()) {
      for (const std::int32_t target : decoded_.targets_of(instruction)) mark(target);
    }
  }
  for (const ExceptionHandler& handler : code_.handlers) mark(handler.handler_pc);

  const FrameState entry = entry_state();
  merge_into(0, entry.locals, entry.stack, entry.this_uninitialized, -1);
  while (!pending_.empty()) {
    const std::size_t leader = pending_.top();
    pending_.pop();
    is_pending_[leader] = false;
    follow_block(leader);
    if (work_ > kWorkBudget) {
      report_method(
          fmt::format("its paths are too many to verify (more than {} steps of the data flow): split it "
                      "into smaller methods",
                      kWorkBudget));
      return;
    }
  }
}

FrameState MethodVerifier::entry_state() const {
  FrameState state;
  state.locals.assign(code_.max_locals, Slot{});
  std::size_t local = 0;
  if ((method_.access & access::kStatic) == 0) {
    if (method_.name == kConstructorName && !cls_.super_name.empty()) {
      state.locals[local++] = Slot{SlotKind::uninitialized_this};
      state.this_uninitialized = true;
    } else {
      state.locals[local++] = Slot{SlotKind::reference};
    }
  }
  for (const FieldType& parameter : type_->parameters) {
    if (parameter.is_reference()) {
      state.locals[local++] = Slot{SlotKind::reference};
    } else if (parameter.base == 'J' || parameter.base == 'D') {
      const bool is_long = parameter.base == 'J';
      state.locals[local++] = Slot{is_long ? SlotKind::long_ : SlotKind::double_};
      state.locals[local++] = Slot{is_long ? SlotKind::long_second : SlotKind::double_second};
    } else {
      state.locals[local++] = Slot{parameter.base == 'F' ? SlotKind::float_ : SlotKind::int_};
    }
  }
  return state;
}

void MethodVerifier::follow_block(std::size_t leader) {
  // A copy: merges below may change the leader's own state (a loop back to it).
  FrameState& state = current_;
  state.locals = states_[leader]->locals;
  state.stack = states_[leader]->stack;
  state.this_uninitialized = states_[leader]->this_uninitialized;
  std::size_t index = leader;
  // Each handler covering an instruction receives the locals before it (and after it, when it changes
  // them). Within a block the locals change only at such instructions, so after the block's first
  // instruction only the handlers whose range starts here need the state before the instruction.
  bool first = true;
  while (true) {
    const Instruction& in = decoded_.instructions[index];
    if (++work_ > kWorkBudget) return;
    merge_into_handlers(in.pc, state, /*starting_here_only=*/!first);
    first = false;
    try {
      execute(in, state);
    } catch (const VerifyFailure& failure) {
      report_flow(in.pc, failure.message);
      return;
    }
    if (!code_.handlers.empty()) {
      const std::optional<LocalVariableUse> use = local_variable_use(in);
      if ((use && use->store) || in.opcode == op::invokespecial || in.opcode == op::new_) {
        merge_into_handlers(in.pc, state, /*starting_here_only=*/false);
      }
    }
    if (in.is_switch()) {
      for (const std::int32_t target : decoded_.targets_of(in)) {
        merge_into(target, state.locals, state.stack, state.this_uninitialized, in.pc);
      }
      return;
    }
    if (in.is_branch()) {
      merge_into(in.target, state.locals, state.stack, state.this_uninitialized, in.pc);
      if (in.opcode == op::goto_ || in.opcode == op::goto_w) return;
    }
    if ((in.opcode >= op::ireturn && in.opcode <= op::return_) || in.opcode == op::athrow) return;
    const std::size_t next_pc = std::size_t{in.pc} + in.length;
    if (next_pc >= code_.bytecode.size()) {
      report_flow(in.pc, "execution falls off the end of the code (no return, goto or athrow)");
      return;
    }
    index = static_cast<std::size_t>(decoded_.index_at_pc[next_pc]);
    if (is_leader_[index]) {
      merge_into(static_cast<std::int32_t>(next_pc), state.locals, state.stack, state.this_uninitialized, in.pc);
      return;
    }
  }
}

void MethodVerifier::merge_into(std::int32_t target_pc, const std::vector<Slot>& locals, std::span<const Slot> stack,
                                bool this_uninitialized, int from_pc) {
  work_ += locals.size() + stack.size() + 1;
  const auto index = static_cast<std::size_t>(decoded_.index_at_pc[target_pc]);
  std::optional<FrameState>& existing = states_[index];
  if (!existing) {
    existing = FrameState{locals, std::vector<Slot>(stack.begin(), stack.end()), this_uninitialized};
    mark_pending(index);
    return;
  }
  FrameState& state = *existing;
  if (state.stack.size() != stack.size()) {
    report_flow(target_pc,
                fmt::format("the operand stack holds {} value{} when coming from pc {} but {} on another path "
                            "(stack heights must agree where paths meet)",
                            stack.size(), stack.size() == 1 ? "" : "s", from_pc, state.stack.size()));
    return;
  }
  for (std::size_t slot = 0; slot < stack.size(); ++slot) {
    if (state.stack[slot] != stack[slot]) {
      report_flow(target_pc, fmt::format("operand stack slot {} holds {} when coming from pc {} but {} on another path",
                                         slot, describe(stack[slot]), from_pc, describe(state.stack[slot])));
      return;
    }
  }
  bool changed = false;
  for (std::size_t local = 0; local < locals.size(); ++local) {
    if (state.locals[local] != locals[local] && state.locals[local].kind != SlotKind::top) {
      state.locals[local] = Slot{};
      changed = true;
    }
  }
  if (this_uninitialized && !state.this_uninitialized) {
    state.this_uninitialized = true;
    changed = true;
  }
  if (changed) mark_pending(index);
}

void MethodVerifier::mark_pending(std::size_t index) {
  if (is_pending_[index]) return;
  is_pending_[index] = true;
  pending_.push(index);
}

void MethodVerifier::merge_into_handlers(std::uint16_t pc, const FrameState& state, bool starting_here_only) {
  static constexpr Slot kCaught{SlotKind::reference};
  for (const ExceptionHandler& handler : code_.handlers) {
    if (starting_here_only ? pc == handler.start_pc : (pc >= handler.start_pc && pc < handler.end_pc)) {
      merge_into(handler.handler_pc, state.locals, std::span<const Slot>(&kCaught, 1), state.this_uninitialized, pc);
    }
  }
}

void MethodVerifier::report(int pc, std::string message) {
  findings_.push_back(Finding{cls_.name, method_.name + method_.descriptor, pc, mnemonic_at(pc), std::move(message)});
}

void MethodVerifier::report_flow(int pc, std::string message) {
  if (!reported_pcs_.insert(pc).second) return;  // paths may reach an instruction many times: report it once
  report(pc, std::move(message));
}

void MethodVerifier::report_method(std::string message) {
  findings_.push_back(Finding{cls_.name, method_.name + method_.descriptor, -1, {}, std::move(message)});
}

std::string MethodVerifier::mnemonic_at(int pc) const {
  if (!decoded_.is_instruction_start(pc)) return {};
  const Instruction& in = decoded_.instructions[static_cast<std::size_t>(decoded_.index_at_pc[pc])];
  const std::string mnemonic(opcode_info(in.opcode)->mnemonic);
  return in.wide ? "wide " + mnemonic : mnemonic;
}

}  // namespace sefleet::card::javacard::classfile

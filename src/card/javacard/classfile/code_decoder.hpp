// Decoding a method's bytecode into instructions (JVM specification 4.7.3 and chapter 6): opcodes,
// operands of every size, wide, and the padded tableswitch / lookupswitch. Syntax only: whether the
// operands make sense (branch targets, locals, constant kinds) is the verifier's part.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card::javacard::classfile {

struct Instruction {
  std::uint16_t pc = 0;
  std::uint8_t opcode = 0;
  bool wide = false;               // prefixed by wide (pc is the wide byte's; opcode the modified instruction)
  std::uint16_t length = 0;        // bytes, including a wide prefix and switch padding
  std::uint16_t index = 0;         // constant pool index, or local variable index for loads, stores, iinc and ret
  std::int32_t value = 0;          // bipush/sipush value, iinc increment, newarray type, invokeinterface count,
                                   // multianewarray dimensions
  std::int32_t target = 0;         // branches: absolute target pc, as written (may lie outside the code)
  std::uint32_t switch_first = 0;  // switches: first of 1 + switch_cases entries in DecodedCode::switch_targets
  std::uint32_t switch_cases = 0;  //   (the default target first); their keys at the same offset in switch_keys

  bool is_branch() const noexcept;  // ifXX, goto, goto_w, jsr, jsr_w (one target besides fall-through)
  bool is_switch() const noexcept;
};

struct DecodedCode {
  std::vector<Instruction> instructions;     // in pc order
  std::vector<std::int32_t> switch_targets;  // absolute target pcs of every switch (default first)
  std::vector<std::int32_t> switch_keys;     // the case key of each target (0 for the default)
  std::vector<std::int32_t> index_at_pc;     // pc -> position in `instructions`, -1 inside an instruction

  bool is_instruction_start(std::int64_t pc) const noexcept {
    return pc >= 0 && pc < static_cast<std::int64_t>(index_at_pc.size()) && index_at_pc[pc] >= 0;
  }
  std::span<const std::int32_t> targets_of(const Instruction& instruction) const noexcept {
    return std::span<const std::int32_t>(switch_targets)
        .subspan(instruction.switch_first, 1 + instruction.switch_cases);
  }
};

// The local variable a load, store, iinc or ret uses.
struct LocalVariableUse {
  std::uint16_t index = 0;
  char type = 'I';     // I (int-like), J, F, D, A (reference), R (ret's return address)
  bool store = false;  // the instruction writes the variable (iinc keeps its kind and counts as a read)
  std::uint16_t slots() const noexcept { return type == 'J' || type == 'D' ? 2 : 1; }
};
std::optional<LocalVariableUse> local_variable_use(const Instruction& instruction) noexcept;

struct DecodeError {
  int pc = 0;
  std::string instruction;  // mnemonic, or "opcode 0xCB"
  std::string message;
};

// Decodes every instruction of `code`. On a malformed instruction (undefined opcode, operands past the
// end, wide before an instruction it cannot modify, an empty or unsorted switch, non-zero reserved
// bytes) returns what was decoded before it and sets `error`.
DecodedCode decode_code(ByteView code, std::uint16_t major_version, std::optional<DecodeError>& error);

}  // namespace sefleet::card::javacard::classfile

#include "card/javacard/classfile/code_decoder.hpp"

#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "card/javacard/classfile/opcodes.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

// Before version 51 the padding bytes of a switch must be zero (as the JVM checks).
constexpr std::uint16_t kNonZeroPaddingVersion = 51;

// Thrown inside the decoder for a malformed instruction; decode_code turns it into a DecodeError.
struct Malformed {
  std::string message;
};

class Decoder {
 public:
  Decoder(ByteView code, std::uint16_t major_version) : code_(code), major_version_(major_version) {}

  DecodedCode run(std::optional<DecodeError>& error) {
    out_.index_at_pc.assign(code_.size(), -1);
    std::size_t pc = 0;
    while (pc < code_.size()) {
      const OpcodeInfo* info = opcode_info(code_[pc]);
      try {
        Instruction instruction = decode_one(pc);
        out_.index_at_pc[pc] = static_cast<std::int32_t>(out_.instructions.size());
        out_.instructions.push_back(instruction);
        pc += instruction.length;
      } catch (const Malformed& malformed) {
        error = DecodeError{static_cast<int>(pc),
                            info != nullptr ? std::string(info->mnemonic) : fmt::format("opcode 0x{:02X}", code_[pc]),
                            malformed.message};
        break;
      }
    }
    return std::move(out_);
  }

 private:
  std::uint8_t u1(std::size_t at) const {
    if (at >= code_.size()) throw Malformed{"its operands run past the end of the code"};
    return code_[at];
  }
  std::uint16_t u2(std::size_t at) const { return static_cast<std::uint16_t>((u1(at) << 8) | u1(at + 1)); }
  std::int32_t s4(std::size_t at) const {
    return static_cast<std::int32_t>((std::uint32_t{u1(at)} << 24) | (std::uint32_t{u1(at + 1)} << 16) |
                                     (std::uint32_t{u1(at + 2)} << 8) | std::uint32_t{u1(at + 3)});
  }

  Instruction decode_one(std::size_t pc) {
    Instruction in;
    in.pc = static_cast<std::uint16_t>(pc);
    in.opcode = code_[pc];
    const OpcodeInfo* info = opcode_info(in.opcode);
    if (info == nullptr) throw Malformed{fmt::format("0x{:02X} is not an instruction", in.opcode)};
    if (in.opcode == op::wide) return decode_wide(pc);
    if (in.opcode == op::tableswitch || in.opcode == op::lookupswitch) return decode_switch(pc, in);
    in.length = info->length;
    u1(pc + in.length - 1);  // all operand bytes are inside the code
    switch (in.opcode) {
      case op::bipush:
        in.value = static_cast<std::int8_t>(code_[pc + 1]);
        break;
      case op::sipush:
        in.value = static_cast<std::int16_t>(u2(pc + 1));
        break;
      case op::ldc:
      case op::iload:
      case op::lload:
      case op::fload:
      case op::dload:
      case op::aload:
      case op::istore:
      case op::lstore:
      case op::fstore:
      case op::dstore:
      case op::astore:
      case op::ret:
        in.index = code_[pc + 1];
        break;
      case op::newarray:
        in.value = code_[pc + 1];
        break;
      case op::iinc:
        in.index = code_[pc + 1];
        in.value = static_cast<std::int8_t>(code_[pc + 2]);
        break;
      case op::ldc_w:
      case op::ldc2_w:
      case op::getstatic:
      case op::putstatic:
      case op::getfield:
      case op::putfield:
      case op::invokevirtual:
      case op::invokespecial:
      case op::invokestatic:
      case op::new_:
      case op::anewarray:
      case op::checkcast:
      case op:: instanceof:
        in.index = u2(pc + 1);
        break;
      case op::invokeinterface:
        in.index = u2(pc + 1);
        in.value = code_[pc + 3];
        if (in.value == 0) throw Malformed{"its argument count is 0"};
        if (code_[pc + 4] != 0) throw Malformed{"its fourth operand byte must be 0"};
        break;
      case op::invokedynamic:
        in.index = u2(pc + 1);
        if (code_[pc + 3] != 0 || code_[pc + 4] != 0) throw Malformed{"its last two operand bytes must be 0"};
        break;
      case op::multianewarray:
        in.index = u2(pc + 1);
        in.value = code_[pc + 3];
        break;
      case op::goto_w:
      case op::jsr_w:
        in.target = branch_target(pc, s4(pc + 1));
        break;
      default:
        if (in.length == 3 && ((in.opcode >= op::ifeq && in.opcode <= op::jsr) || in.opcode == op::ifnull ||
                               in.opcode == op::ifnonnull)) {
          in.target = static_cast<std::int32_t>(pc) + static_cast<std::int16_t>(u2(pc + 1));
        }
        break;
    }
    return in;
  }

  Instruction decode_wide(std::size_t pc) {
    Instruction in;
    in.pc = static_cast<std::uint16_t>(pc);
    in.wide = true;
    in.opcode = u1(pc + 1);
    const bool load_or_store = (in.opcode >= op::iload && in.opcode <= op::aload) ||
                               (in.opcode >= op::istore && in.opcode <= op::astore) || in.opcode == op::ret;
    if (!load_or_store && in.opcode != op::iinc) {
      const OpcodeInfo* info = opcode_info(in.opcode);
      throw Malformed{fmt::format("wide before {} (wide applies to loads, stores, iinc and ret)",
                                  info != nullptr ? std::string(info->mnemonic) : fmt::format("0x{:02X}", in.opcode))};
    }
    in.index = u2(pc + 2);
    in.length = 4;
    if (in.opcode == op::iinc) {
      in.value = static_cast<std::int16_t>(u2(pc + 4));
      in.length = 6;
    }
    return in;
  }

  Instruction decode_switch(std::size_t pc, Instruction in) {
    std::size_t at = (pc + 4) & ~std::size_t{3};  // operands start at the next multiple of 4 after the opcode
    for (std::size_t pad = pc + 1; pad < at; ++pad) {
      if (u1(pad) != 0 && major_version_ < kNonZeroPaddingVersion) {
        throw Malformed{"its padding bytes must be 0 in a class file before version 51"};
      }
    }
    const std::int32_t default_target = branch_target(pc, s4(at));
    in.switch_first = static_cast<std::uint32_t>(out_.switch_targets.size());
    if (in.opcode == op::tableswitch) {
      const std::int32_t low = s4(at + 4);
      const std::int32_t high = s4(at + 8);
      if (low > high) throw Malformed{fmt::format("its low key {} is above its high key {}", low, high)};
      const std::int64_t cases = std::int64_t{high} - low + 1;
      at += 12;
      if (cases * 4 > static_cast<std::int64_t>(code_.size() - std::min(at, code_.size()))) {
        throw Malformed{fmt::format("its {} jump offsets run past the end of the code", cases)};
      }
      in.switch_cases = static_cast<std::uint32_t>(cases);
      push_target(default_target, 0);
      for (std::int64_t i = 0; i < cases; ++i, at += 4) {
        push_target(branch_target(pc, s4(at)), static_cast<std::int32_t>(low + i));
      }
    } else {
      const std::int32_t pairs = s4(at + 4);
      at += 8;
      if (pairs < 0) throw Malformed{fmt::format("its pair count {} is negative", pairs)};
      if (std::int64_t{pairs} * 8 > static_cast<std::int64_t>(code_.size() - std::min(at, code_.size()))) {
        throw Malformed{fmt::format("its {} match-offset pairs run past the end of the code", pairs)};
      }
      in.switch_cases = static_cast<std::uint32_t>(pairs);
      push_target(default_target, 0);
      for (std::int32_t i = 0; i < pairs; ++i, at += 8) {
        const std::int32_t key = s4(at);
        if (i > 0 && key <= out_.switch_keys.back()) {
          throw Malformed{
              fmt::format("its keys are not in increasing order ({} after {})", key, out_.switch_keys.back())};
        }
        push_target(branch_target(pc, s4(at + 4)), key);
      }
    }
    if (at - pc > 0xFFFF) throw Malformed{"it is longer than a method's code may be"};
    in.length = static_cast<std::uint16_t>(at - pc);
    return in;
  }

  // pc + a 32-bit offset, computed without overflow; a sum outside the int range becomes -1, which the
  // verifier refuses like any target outside the code.
  static std::int32_t branch_target(std::size_t pc, std::int32_t offset) {
    const std::int64_t target = static_cast<std::int64_t>(pc) + offset;
    if (target < std::numeric_limits<std::int32_t>::min() || target > std::numeric_limits<std::int32_t>::max())
      return -1;
    return static_cast<std::int32_t>(target);
  }

  void push_target(std::int32_t target, std::int32_t key) {
    out_.switch_targets.push_back(target);
    out_.switch_keys.push_back(key);
  }

  ByteView code_;
  std::uint16_t major_version_;
  DecodedCode out_;
};

}  // namespace

bool Instruction::is_branch() const noexcept {
  return (opcode >= op::ifeq && opcode <= op::jsr) || opcode == op::ifnull || opcode == op::ifnonnull ||
         opcode == op::goto_w || opcode == op::jsr_w;
}

bool Instruction::is_switch() const noexcept {
  return opcode == op::tableswitch || opcode == op::lookupswitch;
}

std::optional<LocalVariableUse> local_variable_use(const Instruction& instruction) noexcept {
  static constexpr char kTypes[] = {'I', 'J', 'F', 'D', 'A'};
  const std::uint8_t opcode = instruction.opcode;
  if (opcode >= op::iload && opcode <= op::aload) {
    return LocalVariableUse{instruction.index, kTypes[opcode - op::iload], false};
  }
  if (opcode >= op::iload_0 && opcode <= op::aload_3) {
    const int offset = opcode - op::iload_0;
    return LocalVariableUse{static_cast<std::uint16_t>(offset % 4), kTypes[offset / 4], false};
  }
  if (opcode >= op::istore && opcode <= op::astore) {
    return LocalVariableUse{instruction.index, kTypes[opcode - op::istore], true};
  }
  if (opcode >= op::istore_0 && opcode <= op::astore_3) {
    const int offset = opcode - op::istore_0;
    return LocalVariableUse{static_cast<std::uint16_t>(offset % 4), kTypes[offset / 4], true};
  }
  if (opcode == op::iinc) return LocalVariableUse{instruction.index, 'I', false};
  if (opcode == op::ret) return LocalVariableUse{instruction.index, 'R', false};
  return std::nullopt;
}

DecodedCode decode_code(ByteView code, std::uint16_t major_version, std::optional<DecodeError>& error) {
  error.reset();
  return Decoder(code, major_version).run(error);
}

}  // namespace sefleet::card::javacard::classfile

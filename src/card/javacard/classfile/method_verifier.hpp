// The verification of one method's code, in four steps, each adding findings:
//  1. decode every instruction (code_decoder.hpp);
//  2. check each instruction's operands (local indices below max_locals, branch and switch targets at
//     instruction starts, constant pool entries of the kind the instruction needs) and the Java Card
//     subset (java_card_subset.hpp);
//  3. check the exception table against instruction boundaries;
//  4. when 1-3 found nothing structural, follow every path through the code with the kinds of the
//     locals and the operand stack (frame_state.hpp): no underflow, no overflow of max_stack, values
//     used as the kind they hold, the same stack where paths meet, objects initialised before use,
//     returns matching the descriptor, no falling off the end of the code.
// Findings inside the data flow stop that path (what follows an error is not meaningful), so each is
// a real problem, reported once per instruction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/code_decoder.hpp"
#include "card/javacard/classfile/descriptors.hpp"
#include "card/javacard/classfile/frame_state.hpp"
#include "card/javacard/classfile/verifier.hpp"

namespace sefleet::card::javacard::classfile {

// Thrown by MethodVerifier::execute for the instruction being followed.
struct VerifyFailure {
  std::string message;
};

class MethodVerifier {
 public:
  // `method` must have code and belong to `cls`; findings are appended to `findings`.
  MethodVerifier(const ClassFile& cls, const Method& method, std::vector<Finding>& findings);
  void run();

 private:
  // Steps 2 and 3; each returns whether it found a structural problem.
  bool check_instructions();
  bool check_handlers();
  std::string operand_problem(const Instruction& instruction) const;

  // Step 4.
  void follow_paths();
  FrameState entry_state() const;
  void follow_block(std::size_t leader);
  void mark_pending(std::size_t index);
  void merge_into(std::int32_t target_pc, const std::vector<Slot>& locals, std::span<const Slot> stack,
                  bool this_uninitialized, int from_pc);
  // Merges `state` with the exception on the stack into the handlers covering `pc` (or only those whose
  // range starts at `pc`).
  void merge_into_handlers(std::uint16_t pc, const FrameState& state, bool starting_here_only);

  // The effect of one instruction on `state` (instruction_effects.cpp); throws VerifyFailure.
  void execute(const Instruction& instruction, FrameState& state) const;
  void execute_field_access(const Instruction& instruction, FrameState& state) const;
  void execute_invoke(const Instruction& instruction, FrameState& state) const;
  void execute_return(const Instruction& instruction, FrameState& state) const;

  void report(int pc, std::string message);
  void report_flow(int pc, std::string message);  // at most one data-flow finding per instruction
  void report_method(std::string message);
  std::string mnemonic_at(int pc) const;

  const ClassFile& cls_;
  const Method& method_;
  const Code& code_;
  std::vector<Finding>& findings_;
  std::optional<MethodType> type_;
  DecodedCode decoded_;
  std::vector<std::optional<FrameState>> states_;  // per instruction index; kept only at block leaders
  std::vector<bool> is_leader_;
  // Leaders whose state changed and must be followed again, lowest first (each at most once in the queue).
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> pending_;
  std::vector<bool> is_pending_;
  FrameState current_;  // the state being followed (kept to reuse its storage from block to block)
  std::set<int> reported_pcs_;
  // Steps of the data flow so far (instructions followed, slots merged). Real methods need far fewer
  // than the budget; a crafted one that needs more is refused instead of keeping the card busy.
  static constexpr std::uint64_t kWorkBudget = 20'000'000;
  std::uint64_t work_ = 0;
};

}  // namespace sefleet::card::javacard::classfile

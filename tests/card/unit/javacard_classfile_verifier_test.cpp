// The structural verifier on hand-made code: each rule the interpreter relies on (decoding, targets,
// locals, constant kinds, stack heights and kinds, object initialisation, returns) refused with the
// message naming class, method, pc and instruction; and what is right accepted.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "card/javacard/classfile/opcodes.hpp"
#include "card/javacard/classfile/verifier.hpp"
#include "javacard_classfile_builder.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

using sefleet::test::class_with_static_method;
using sefleet::test::ClassBuilder;
using sefleet::test::HandCode;
using sefleet::test::verify_findings;
using Lines = std::vector<std::string>;

constexpr std::uint16_t kPublicStatic = access::kPublic | access::kStatic;

std::uint8_t high(std::uint16_t value) {
  return static_cast<std::uint8_t>(value >> 8);
}
std::uint8_t low(std::uint16_t value) {
  return static_cast<std::uint8_t>(value & 0xFF);
}

Lines verify_static(const HandCode& code, std::string_view descriptor = "()V") {
  return verify_findings(class_with_static_method(code, descriptor));
}

TEST(JavacardClassfileVerifier, AcceptsCorrectCode) {
  EXPECT_EQ(verify_static({1, 0, {op::iconst_1, op::ireturn}}, "()I"), Lines{});
  // for (int i = 0; i < n; i++) {} with n in local 0
  EXPECT_EQ(verify_static({2,
                           2,
                           {op::iconst_0, op::istore_1,                     // 0
                            op::iload_1, op::iload_0, op::if_icmpge, 0, 9,  // 2: to 13
                            op::iinc, 1, 1,                                 // 7
                            op::goto_, 0xFF, 0xF8,                          // 10: back to 2
                            op::return_}},                                  // 13
                          "(I)V"),
            Lines{});
}

TEST(JavacardClassfileVerifier, RefusesStackUnderflowAndOverflow) {
  EXPECT_EQ(verify_static({2, 0, {op::iadd, op::ireturn}}, "()I"),
            Lines{"test/Hand.m()I pc 0 (iadd): needs an int on the operand stack, which is empty"});
  EXPECT_EQ(verify_static({1, 0, {op::iconst_1, op::iconst_2, op::iadd, op::ireturn}}, "()I"),
            Lines{"test/Hand.m()I pc 1 (iconst_2): the operand stack would exceed max_stack 1"});
  EXPECT_EQ(verify_static({1, 0, {op::iconst_1, op::dup, op::pop2, op::return_}}),
            Lines{"test/Hand.m()V pc 1 (dup): the operand stack would exceed max_stack 1"});
  EXPECT_EQ(verify_static({2, 0, {op::iconst_1, op::swap, op::return_}}),
            Lines{"test/Hand.m()V pc 1 (swap): needs 2 values on the operand stack, it holds 1"});
}

TEST(JavacardClassfileVerifier, RefusesValuesOfTheWrongKind) {
  // A reference cannot be made from an int.
  EXPECT_EQ(
      verify_static({1, 0, {op::iconst_0, op::areturn}}, "()Ljava/lang/Object;"),
      Lines{"test/Hand.m()Ljava/lang/Object; pc 1 (areturn): needs a reference on the operand stack, found an int"});
  EXPECT_EQ(verify_static({2, 0, {op::aconst_null, op::iconst_1, op::iadd, op::ireturn}}, "()I"),
            Lines{"test/Hand.m()I pc 2 (iadd): needs an int on the operand stack, found a reference"});
  EXPECT_EQ(verify_static({3, 0, {op::iconst_0, op::iconst_0, op::iconst_0, op::iastore, op::return_}}),
            Lines{"test/Hand.m()V pc 3 (iastore): needs a reference on the operand stack, found an int"});
}

TEST(JavacardClassfileVerifier, RefusesLocalsUsedAsAnotherKind) {
  EXPECT_EQ(verify_static({1, 1, {op::aconst_null, op::astore_0, op::iload_0, op::ireturn}}, "()I"),
            Lines{"test/Hand.m()I pc 2 (iload_0): local variable 0 holds a reference, not an int"});
  EXPECT_EQ(verify_static({1, 1, {op::aload_0, op::areturn}}, "(I)Ljava/lang/Object;"),
            Lines{"test/Hand.m(I)Ljava/lang/Object; pc 0 (aload_0): local variable 0 holds an int, not a reference"});
  EXPECT_EQ(verify_static({1, 2, {op::iload_1, op::ireturn}}, "(I)I"),
            Lines{"test/Hand.m(I)I pc 0 (iload_1): local variable 1 holds an unusable value (unassigned, or of "
                  "different kinds on different paths), not an int"});
  EXPECT_EQ(verify_static({1, 1, {op::aconst_null, op::astore_0, op::iinc, 0, 1, op::return_}}),
            Lines{"test/Hand.m()V pc 2 (iinc): local variable 0 holds a reference, not an int"});
  EXPECT_EQ(verify_static({1, 2, {op::iload, 5, op::ireturn}}, "()I"),
            Lines{"test/Hand.m()I pc 0 (iload): local variable 5 is beyond max_locals 2"});
  EXPECT_EQ(verify_static({1, 2, {op::wide, op::iload, 0x01, 0x00, op::ireturn}}, "()I"),
            Lines{"test/Hand.m()I pc 0 (wide iload): local variable 256 is beyond max_locals 2"});
  EXPECT_EQ(verify_static({0, 1, {op::wide, op::iinc, 0x00, 0x00, 0x01, 0x00, op::return_}}, "(S)V"), Lines{});
}

TEST(JavacardClassfileVerifier, MergesLocalsWherePathsMeet) {
  // if (x == 0) local1 = 5 else local1 = null; return local1 as an int: unusable after the merge.
  const HandCode code{1,
                      2,
                      {op::iload_0, op::ifeq, 0, 8,    // 0, 1: to 9
                       op::iconst_5, op::istore_1,     // 4, 5
                       op::goto_, 0, 5,                // 6: to 11
                       op::aconst_null, op::astore_1,  // 9, 10
                       op::iload_1, op::ireturn}};     // 11, 12
  EXPECT_EQ(verify_static(code, "(I)I"),
            Lines{"test/Hand.m(I)I pc 11 (iload_1): local variable 1 holds an unusable value (unassigned, or of "
                  "different kinds on different paths), not an int"});
}

TEST(JavacardClassfileVerifier, RefusesDifferentStacksWherePathsMeet) {
  // if (x == 0) push 1; return  -> at the return, 0 values on one path and 1 on the other.
  EXPECT_EQ(verify_static({1, 1, {op::iload_0, op::ifeq, 0, 4, op::iconst_1, op::return_}}, "(I)V"),
            Lines{"test/Hand.m(I)V pc 5 (return): the operand stack holds 1 value when coming from pc 4 but 0 on "
                  "another path (stack heights must agree where paths meet)"});
  // An int on one path, a reference on the other.
  EXPECT_EQ(verify_static({1,
                           1,
                           {op::iload_0, op::ifeq, 0, 7,    // 0: to 8
                            op::iconst_0, op::goto_, 0, 4,  // 4: to 9
                            op::aconst_null,                // 8
                            op::pop, op::return_}},         // 9
                          "(I)V"),
            Lines{"test/Hand.m(I)V pc 9 (pop): operand stack slot 0 holds a reference when coming from pc 8 but an "
                  "int on another path"});
}

TEST(JavacardClassfileVerifier, RefusesBadJumpTargets) {
  EXPECT_EQ(verify_static({0, 0, {op::goto_, 0, 100}}),
            Lines{"test/Hand.m()V pc 0 (goto): jump target 100 is outside the code (0..2)"});
  EXPECT_EQ(verify_static({0, 0, {op::goto_, 0xFF, 0xFF}}),
            Lines{"test/Hand.m()V pc 0 (goto): jump target -1 is outside the code (0..2)"});
  EXPECT_EQ(verify_static({1, 0, {op::sipush, 0, 1, op::goto_, 0xFF, 0xFE}}),
            Lines{"test/Hand.m()V pc 3 (goto): jump target 1 is inside an instruction, not at its start"});
  EXPECT_EQ(verify_static({0, 0, {op::goto_w, 0, 0, 0, 9, op::return_}}),
            Lines{"test/Hand.m()V pc 0 (goto_w): jump target 9 is outside the code (0..5)"});
  // pc + offset beyond the int range (no signed overflow: the target counts as outside the code).
  EXPECT_EQ(verify_static({0, 0, {op::nop, op::goto_w, 0x7F, 0xFF, 0xFF, 0xFF, op::return_}}),
            Lines{"test/Hand.m()V pc 1 (goto_w): jump target -1 is outside the code (0..6)"});
}

TEST(JavacardClassfileVerifier, DecodesSwitches) {
  // tableswitch at pc 1: padding to 4, default, low 0, high 1, two offsets; all to the return at 24.
  const Bytes table{op::iload_0, op::tableswitch,
                    0,           0,  // 0, 1, padding 2..3
                    0,           0,
                    0,           23,  // default: 1 + 23 = 24
                    0,           0,
                    0,           0,
                    0,           0,
                    0,           1,  // low 0, high 1
                    0,           0,
                    0,           23,
                    0,           0,
                    0,           23,  // case 0, case 1
                    op::return_};     // 24
  EXPECT_EQ(verify_static({1, 1, table}, "(I)V"), Lines{});
  Bytes into_operands = table;
  into_operands[23] = 10;  // case 1 jumps to 11, inside the switch
  EXPECT_EQ(verify_static({1, 1, into_operands}, "(I)V"),
            Lines{"test/Hand.m(I)V pc 1 (tableswitch): jump target 11 is inside an instruction, not at its start"});
  Bytes reversed = table;
  reversed[11] = 2;  // low 2 > high 1
  EXPECT_EQ(verify_static({1, 1, reversed}, "(I)V"),
            Lines{"test/Hand.m(I)V pc 1 (tableswitch): malformed instruction: its low key 2 is above its high key 1"});

  // lookupswitch at pc 1: default, 2 pairs with keys 5 and 3 (not increasing).
  const Bytes lookup{
      op::iload_0, op::lookupswitch, 0, 0, 0, 0, 0, 27, 0, 0, 0, 2, 0, 0, 0, 5, 0, 0, 0, 27, 0, 0, 0, 3, 0, 0, 0,
      27,          op::return_};
  EXPECT_EQ(verify_static({1, 1, lookup}, "(I)V"),
            Lines{"test/Hand.m(I)V pc 1 (lookupswitch): malformed instruction: its keys are not in increasing order "
                  "(3 after 5)"});
  Bytes sorted = lookup;
  sorted[15] = 1;
  EXPECT_EQ(verify_static({1, 1, sorted}, "(I)V"), Lines{});

  // Padding bytes must be zero before version 51.
  ClassBuilder old_class;
  old_class.major_version = 50;
  Bytes padded = table;
  padded[2] = 7;
  old_class.add_method(kPublicStatic, "m", "(I)V", HandCode{1, 1, padded});
  EXPECT_EQ(verify_findings(old_class.build()),
            Lines{"test/Hand.m(I)V pc 1 (tableswitch): malformed instruction: its padding bytes must be 0 in a class "
                  "file before version 51"});
  EXPECT_EQ(verify_static({1, 1, padded}, "(I)V"), Lines{});
}

TEST(JavacardClassfileVerifier, RefusesMalformedInstructions) {
  EXPECT_EQ(verify_static({0, 0, {0xCB}}),
            Lines{"test/Hand.m()V pc 0 (opcode 0xCB): malformed instruction: 0xCB is not an instruction"});
  EXPECT_EQ(verify_static({0, 0, {op::nop, 0xCA}}),
            Lines{"test/Hand.m()V pc 1 (opcode 0xCA): malformed instruction: 0xCA is not an instruction"});
  EXPECT_EQ(verify_static({1, 0, {op::sipush, 0}}),
            Lines{"test/Hand.m()V pc 0 (sipush): malformed instruction: its operands run past the end of the code"});
  EXPECT_EQ(verify_static({1, 0, {op::wide, op::bipush, 0, 0, op::return_}}),
            Lines{"test/Hand.m()V pc 0 (wide): malformed instruction: wide before bipush (wide applies to loads, "
                  "stores, iinc and ret)"});
  EXPECT_EQ(
      verify_static({1, 0, {op::tableswitch, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0xFF, 0xFF, 0xF0, 0x7F, 0xFF, 0xFF, 0xFF}}),
      Lines{"test/Hand.m()V pc 0 (tableswitch): malformed instruction: its 16 jump offsets run past the end of the "
            "code"});
}

TEST(JavacardClassfileVerifier, RefusesFallingOffTheEnd) {
  EXPECT_EQ(verify_static({1, 0, {op::iconst_0, op::pop}}),
            Lines{"test/Hand.m()V pc 1 (pop): execution falls off the end of the code (no return, goto or athrow)"});
  EXPECT_EQ(verify_static({1, 0, {op::iconst_0, op::ifeq, 0xFF, 0xFF}}),
            Lines{"test/Hand.m()V pc 1 (ifeq): execution falls off the end of the code (no return, goto or athrow)"});
  EXPECT_EQ(verify_static({1, 1, {op::iload_0, op::ifeq, 0, 3, op::return_}}, "(I)V"), Lines{});
}

TEST(JavacardClassfileVerifier, ChecksReturnsAgainstTheDescriptor) {
  EXPECT_EQ(verify_static({1, 0, {op::iconst_0, op::ireturn}}),
            Lines{"test/Hand.m()V pc 1 (ireturn): returns an int from a method that returns V"});
  EXPECT_EQ(verify_static({0, 0, {op::return_}}, "()S"),
            Lines{"test/Hand.m()S pc 0 (return): return without a value in a method that returns S"});
  EXPECT_EQ(verify_static({1, 0, {op::aconst_null, op::areturn}}, "()B"),
            Lines{"test/Hand.m()B pc 1 (areturn): returns a reference from a method that returns B"});
  EXPECT_EQ(verify_static({1, 0, {op::iconst_1, op::ireturn}}, "()Z"), Lines{});
  EXPECT_EQ(verify_static({1, 0, {op::aconst_null, op::areturn}}, "()[B"), Lines{});
}

TEST(JavacardClassfileVerifier, ChecksConstantPoolOperands) {
  ClassBuilder builder;
  const std::uint16_t method = builder.methodref("test/Hand", "m", "()V");
  const std::uint16_t field = builder.fieldref("test/Hand", "f", "S");
  const std::uint16_t interface_method = builder.interface_methodref("test/I", "run", "(SS)V");
  const std::uint16_t array = builder.class_ref("[B");
  const std::uint16_t init = builder.methodref("test/Hand", "<init>", "()V");
  builder.add_method(kPublicStatic, "a", "()V",
                     HandCode{1, 0, {op::getstatic, high(method), low(method), op::pop, op::return_}});
  builder.add_method(kPublicStatic, "b", "()V", HandCode{1, 0, {op::ldc, low(field), op::pop, op::return_}});
  builder.add_method(kPublicStatic, "c", "()V", HandCode{1, 0, {op::getstatic, 0x03, 0xE7, op::pop, op::return_}});
  builder.add_method(kPublicStatic, "d", "()V",
                     HandCode{3,
                              0,
                              {op::aconst_null, op::iconst_0, op::iconst_0, op::invokeinterface, high(interface_method),
                               low(interface_method), 2, 0, op::return_}});
  builder.add_method(kPublicStatic, "e", "()V",
                     HandCode{1, 0, {op::new_, high(array), low(array), op::pop, op::return_}});
  builder.add_method(kPublicStatic, "f", "()V", HandCode{1, 0, {op::invokestatic, high(init), low(init), op::return_}});
  builder.add_method(kPublicStatic, "g", "()V", HandCode{1, 0, {op::iconst_1, op::newarray, 3, op::pop, op::return_}});
  builder.add_method(
      kPublicStatic, "h", "()V",
      HandCode{1, 0, {op::invokeinterface, high(interface_method), low(interface_method), 3, 1, op::return_}});
  const std::string last = std::to_string(builder.utf8("(the last constant)"));
  EXPECT_EQ(verify_findings(builder.build()),
            (Lines{"test/Hand.a()V pc 0 (getstatic): constant #" + std::to_string(method) +
                       " is a Methodref, getstatic needs a Fieldref",
                   "test/Hand.b()V pc 0 (ldc): constant #" + std::to_string(field) +
                       " is a Fieldref, ldc needs an Integer, Float, String, Class, MethodType or MethodHandle",
                   "test/Hand.c()V pc 0 (getstatic): constant pool index 999 is outside 1.." + last,
                   "test/Hand.d()V pc 3 (invokeinterface): its count operand is 2, the descriptor (SS)V needs 3",
                   "test/Hand.e()V pc 0 (new): new of the array type [B (arrays are made by newarray)",
                   "test/Hand.f()V pc 0 (invokestatic): invokestatic cannot call a constructor (<init> is called by "
                   "invokespecial)",
                   "test/Hand.g()V pc 1 (newarray): array type 3 is not one of 4 (boolean) to 11 (long)",
                   "test/Hand.h()V pc 0 (invokeinterface): malformed instruction: its fourth operand byte must be 0"}));
}

TEST(JavacardClassfileVerifier, TracksObjectsUntilTheirConstructorRuns) {
  ClassBuilder builder;
  const std::uint16_t hand = builder.class_ref("test/Hand");
  const std::uint16_t other = builder.class_ref("test/Other");
  const std::uint16_t hand_init = builder.methodref("test/Hand", "<init>", "()V");
  const std::uint16_t object_init = builder.methodref("java/lang/Object", "<init>", "()V");
  const std::uint16_t other_init = builder.methodref("test/Other", "<init>", "()V");
  const std::uint16_t use = builder.methodref("test/Hand", "use", "(Ljava/lang/Object;)V");
  // Right: new, dup, <init>, use the reference.
  builder.add_method(kPublicStatic, "right", "()Ljava/lang/Object;",
                     HandCode{2,
                              0,
                              {op::new_, high(hand), low(hand), op::dup, op::invokespecial, high(hand_init),
                               low(hand_init), op::areturn}});
  // Used before its constructor ran.
  builder.add_method(
      kPublicStatic, "early", "()V",
      HandCode{1, 0, {op::new_, high(hand), low(hand), op::invokestatic, high(use), low(use), op::return_}});
  // The constructor of another class.
  builder.add_method(
      kPublicStatic, "mixed", "()V",
      HandCode{
          1, 0, {op::new_, high(hand), low(hand), op::invokespecial, high(other_init), low(other_init), op::return_}});
  // A constructor called twice.
  builder.add_method(kPublicStatic, "twice", "()V",
                     HandCode{2,
                              0,
                              {op::new_, high(other), low(other), op::dup, op::invokespecial, high(other_init),
                               low(other_init), op::invokespecial, high(other_init), low(other_init), op::return_}});
  // Constructors: the superclass constructor must run before return, on this.
  builder.add_method(
      access::kPublic, "<init>", "()V",
      HandCode{1, 1, {op::aload_0, op::invokespecial, high(object_init), low(object_init), op::return_}});
  builder.add_method(access::kPublic, "<init>", "(S)V", HandCode{0, 2, {op::return_}});
  builder.add_method(access::kPublic, "<init>", "(B)V",
                     HandCode{1, 2, {op::aload_0, op::invokespecial, high(other_init), low(other_init), op::return_}});
  builder.add_method(access::kPublic, "<init>", "(Z)V",
                     HandCode{1, 2, {op::aload_0, op::invokestatic, high(use), low(use), op::return_}});
  EXPECT_EQ(
      verify_findings(builder.build()),
      (Lines{"test/Hand.early()V pc 3 (invokestatic): needs a reference on the operand stack, found the object "
             "created at pc 0 before its constructor ran",
             "test/Hand.mixed()V pc 3 (invokespecial): calls a constructor of test/Other on the test/Hand created "
             "at pc 0",
             "test/Hand.twice()V pc 7 (invokespecial): calls a constructor on a reference, not on a new object",
             "test/Hand.<init>(S)V pc 0 (return): the constructor returns before calling a superclass constructor",
             "test/Hand.<init>(B)V pc 1 (invokespecial): a constructor must call a constructor of test/Hand or "
             "java/lang/Object, not of test/Other",
             "test/Hand.<init>(Z)V pc 1 (invokestatic): needs a reference on the operand stack, found this before "
             "the superclass constructor ran"}));
}

TEST(JavacardClassfileVerifier, ChecksExceptionHandlers) {
  ClassBuilder builder;
  const std::uint16_t exception = builder.class_ref("java/lang/Exception");
  // try { return 10 / x; } catch (Exception e) { return -1; }
  builder.add_method(kPublicStatic, "right", "(I)I",
                     HandCode{2,
                              2,
                              {op::bipush, 10, op::iload_0, op::idiv, op::ireturn,  // 0..4
                               op::astore_1, op::iconst_m1, op::ireturn},           // 5..7
                              {{0, 4, 5, exception}}});
  // The handler range starts inside bipush.
  builder.add_method(
      kPublicStatic, "inside", "(I)I",
      HandCode{2,
               2,
               {op::bipush, 10, op::iload_0, op::idiv, op::ireturn, op::astore_1, op::iconst_m1, op::ireturn},
               {{1, 4, 5, exception}}});
  // The handler finds the exception on the stack, not the int computed before: local 1 is unusable there.
  builder.add_method(
      kPublicStatic, "locals", "(I)I",
      HandCode{2,
               2,
               {op::iload_0, op::istore_1, op::aconst_null, op::astore_1, op::iconst_0, op::ireturn,  // 0..5
                op::pop, op::iload_1, op::ireturn},                                                   // 6..8
               {{0, 5, 6, 0}}});
  EXPECT_EQ(verify_findings(builder.build()),
            (Lines{"test/Hand.inside(I)I: exception handler 0 (pc 1..4, handler at 5) does not start, end and jump at "
                   "instruction boundaries",
                   "test/Hand.locals(I)I pc 7 (iload_1): local variable 1 holds an unusable value (unassigned, or of "
                   "different kinds on different paths), not an int"}));
}

TEST(JavacardClassfileVerifier, KeepsLongAndDoubleValuesWhole) {
  // The subset refuses long; the structural checks still follow it exactly: two slots, kept whole.
  const std::string refused = " long values are not part of Java Card (use short, or int when 32 bits are needed)";
  EXPECT_EQ(verify_static({4, 0, {op::lconst_0, op::dup, op::pop2, op::pop, op::return_}}),
            (Lines{"test/Hand.m()V pc 0 (lconst_0):" + refused,
                   "test/Hand.m()V pc 1 (dup): would split a long or double on the operand stack"}));
  EXPECT_EQ(verify_static({2, 2, {op::lconst_0, op::lstore_0, op::lload_0, op::pop2, op::return_}}),
            (Lines{"test/Hand.m()V pc 0 (lconst_0):" + refused, "test/Hand.m()V pc 1 (lstore_0):" + refused,
                   "test/Hand.m()V pc 2 (lload_0):" + refused}));
  EXPECT_EQ(verify_static(
                {2, 2, {op::lconst_0, op::lstore_0, op::iconst_0, op::istore_1, op::lload_0, op::pop2, op::return_}})
                .back(),
            "test/Hand.m()V pc 4 (lload_0): local variable 0 holds an unusable value (unassigned, or of different "
            "kinds on different paths), not a long");  // storing into local 1 ended the long in 0 and 1
}

TEST(JavacardClassfileVerifier, RefusesSubroutinesWithoutFollowingThem) {
  ClassBuilder builder;
  builder.major_version = 49;
  builder.add_method(kPublicStatic, "m", "()V", HandCode{1, 1, {op::jsr, 0, 4, op::return_, op::astore_0, op::ret, 0}});
  EXPECT_EQ(verify_findings(builder.build()),
            (Lines{"test/Hand.m()V pc 0 (jsr): subroutines (jsr/ret) are not part of Java Card (compile with javac "
                   "--release 8)",
                   "test/Hand.m()V pc 5 (ret): subroutines (jsr/ret) are not part of Java Card (compile with javac "
                   "--release 8)"}));
}

TEST(JavacardClassfileVerifier, ChecksFrameLimits) {
  EXPECT_EQ(verify_static({300, 0, {op::return_}}),
            Lines{"test/Hand.m()V: max_stack 300 is above Java Card's limit of 255 operand stack slots"});
  EXPECT_EQ(verify_static({0, 256, {op::return_}}),
            Lines{"test/Hand.m()V: max_locals 256 is above Java Card's limit of 255 local variable slots"});
  EXPECT_EQ(verify_static({0, 1, {op::return_}}, "(SS)V"),
            Lines{"test/Hand.m(SS)V: its arguments need 2 local variable slots, max_locals is 1"});
  ClassBuilder handler_without_stack;
  handler_without_stack.add_method(kPublicStatic, "m", "()V", HandCode{0, 0, {op::nop, op::return_}, {{0, 1, 1, 0}}});
  EXPECT_EQ(verify_findings(handler_without_stack.build()),
            Lines{"test/Hand.m()V: exception handler 0 needs one operand stack slot, max_stack is 0"});
}

TEST(JavacardClassfileVerifier, RefusesMethodsTooCostlyToVerify) {
  // 10,000 stores inside 200 handlers of 255 locals each: every store sends its locals to every handler.
  Bytes code;
  for (int i = 0; i < 10000; ++i) append(code, Bytes{op::iconst_0, op::istore_1});
  const auto end = static_cast<std::uint16_t>(code.size());
  append(code, Bytes{op::return_, op::pop, op::return_});
  std::vector<ExceptionHandler> handlers(200, ExceptionHandler{0, end, static_cast<std::uint16_t>(end + 1), 0});
  EXPECT_EQ(verify_static({1, 255, code, handlers}),
            Lines{"test/Hand.m()V: its paths are too many to verify (more than 20000000 steps of the data flow): "
                  "split it into smaller methods"});
  handlers.resize(2);  // the same code under two handlers is fine
  EXPECT_EQ(verify_static({1, 255, code, handlers}), Lines{});
}

TEST(JavacardClassfileVerifier, ReportsEveryFindingOnceAndRequireVerifiedListsThem) {
  ClassBuilder builder;
  // A loop whose body fails: reported once although the path reaches it again.
  builder.add_method(kPublicStatic, "loop", "()V",
                     HandCode{2, 1, {op::aconst_null, op::astore_0, op::iload_0, op::pop, op::goto_, 0xFF, 0xFC}});
  builder.add_method(kPublicStatic | access::kSynchronized, "locked", "()V", HandCode{0, 0, {op::return_}});
  const Lines expected{"test/Hand.loop()V pc 2 (iload_0): local variable 0 holds a reference, not an int",
                       "test/Hand.locked()V: synchronized methods are not part of Java Card (a card runs one thread)"};
  const Bytes bytes = builder.build();
  EXPECT_EQ(verify_findings(bytes), expected);
  const ClassFile cls = parse_class_file(bytes);
  try {
    require_verified(cls);
    FAIL() << "require_verified accepted the class";
  } catch (const LoadError& error) {
    EXPECT_EQ(std::string(error.what()), expected[0] + "\n" + expected[1]);
  }
  require_verified(parse_class_file(class_with_static_method({0, 0, {op::return_}})));
}

TEST(JavacardClassfileVerifier, FormatsFindings) {
  EXPECT_EQ(
      (Finding{"com/example/Foo", "bar(S)V", 12, "ldc", "run-time String use is not part of Java Card"}).to_string(),
      "com/example/Foo.bar(S)V pc 12 (ldc): run-time String use is not part of Java Card");
  EXPECT_EQ((Finding{"com/example/Foo", "bar(S)V", -1, "", "native methods ..."}).to_string(),
            "com/example/Foo.bar(S)V: native methods ...");
  EXPECT_EQ((Finding{"com/example/Foo", "", -1, "", "enums are not part of Java Card"}).to_string(),
            "com/example/Foo: enums are not part of Java Card");
}

}  // namespace
}  // namespace sefleet::card::javacard::classfile

// Bytecode semantics of the Java Card VM: the static methods of tests/card/javacard/semantics (javac
// output, loaded through the facade) called one by one, each result checked against Java's rules
// computed here independently.
#include <gtest/gtest.h>

#include <climits>
#include <initializer_list>
#include <string>
#include <vector>

#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {
namespace {

const Bytes kSemanticsPackageAid = aid("F000000001");

VmLimits small_limits() {
  VmLimits limits;
  limits.instruction_budget = 2'000'000;  // the endless loop ends quickly
  return limits;
}

class JavaCardSemantics : public ::testing::Test {
 protected:
  JavaCardSemantics() : card_(nullptr, std::nullopt, small_limits()) {
    card_.vm().load(load_file_of("semantics", "com/sefleet/test/semantics", kSemanticsPackageAid));
  }

  std::int32_t call(const char* name, const char* descriptor, std::initializer_list<std::int32_t> args) {
    vm::Vm& machine = card_.machine();
    const vm::RtClass* cls = machine.find_class("com/sefleet/test/semantics/Ops");
    if (cls == nullptr) throw std::runtime_error("Ops not loaded");
    const vm::RtMethod* method = cls->find_method(name, descriptor);
    if (method == nullptr) throw std::runtime_error(std::string("no method ") + name);
    const std::vector<std::int32_t> values(args);
    machine.begin_entry(vm::EntryState{});
    try {
      const std::int32_t result = machine.call(*method, values, cls->package->context, vm::kNoInstance);
      machine.end_entry();
      return result;
    } catch (...) {
      machine.end_entry();
      throw;
    }
  }

  // The class of the Java exception the call ends with ("" when it returns).
  std::string thrown(const char* name, const char* descriptor, std::initializer_list<std::int32_t> args,
                     std::int16_t* reason = nullptr) {
    try {
      call(name, descriptor, args);
    } catch (const vm::JavaThrow& e) {
      const heap::Object* object = card_.machine().heap().find(e.exception);
      if (reason != nullptr) *reason = card_.machine().exception_reason(e.exception);
      return object != nullptr ? object->cls->name : "?";
    }
    return "";
  }

  Card card_;
};

std::int32_t java_int(std::int64_t value) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(static_cast<std::uint64_t>(value)));
}

TEST_F(JavaCardSemantics, IntArithmeticWrapsAround) {
  EXPECT_EQ(call("add", "(II)I", {INT_MAX, 1}), INT_MIN);
  EXPECT_EQ(call("sub", "(II)I", {INT_MIN, 1}), INT_MAX);
  EXPECT_EQ(call("mul", "(II)I", {0x12345678, 0x100}), java_int(0x1234567800LL));
  EXPECT_EQ(call("mul", "(II)I", {-7, 6}), -42);
  EXPECT_EQ(call("neg", "(I)I", {INT_MIN}), INT_MIN);
  EXPECT_EQ(call("neg", "(I)I", {5}), -5);
  EXPECT_EQ(call("and", "(II)I", {0x0F0F, 0x00FF}), 0x000F);
  EXPECT_EQ(call("or", "(II)I", {0x0F00, 0x00F0}), 0x0FF0);
  EXPECT_EQ(call("xor", "(II)I", {-1, 0x55}), ~0x55);
}

TEST_F(JavaCardSemantics, DivisionFollowsJava) {
  EXPECT_EQ(call("div", "(II)I", {7, -2}), -3);  // truncates toward zero
  EXPECT_EQ(call("rem", "(II)I", {-7, 2}), -1);  // sign of the dividend
  EXPECT_EQ(call("div", "(II)I", {INT_MIN, -1}), INT_MIN);
  EXPECT_EQ(call("rem", "(II)I", {INT_MIN, -1}), 0);
  EXPECT_EQ(thrown("div", "(II)I", {1, 0}), "java/lang/ArithmeticException");
  EXPECT_EQ(thrown("rem", "(II)I", {1, 0}), "java/lang/ArithmeticException");
}

TEST_F(JavaCardSemantics, ShiftsMaskTheirCount) {
  EXPECT_EQ(call("shl", "(II)I", {1, 33}), 2);
  EXPECT_EQ(call("shl", "(II)I", {1, 31}), INT_MIN);
  EXPECT_EQ(call("shr", "(II)I", {-16, 2}), -4);
  EXPECT_EQ(call("shr", "(II)I", {-1, 40}), -1);
  EXPECT_EQ(call("ushr", "(II)I", {-16, 28}), 0xF);
  EXPECT_EQ(call("ushr", "(II)I", {-1, 0}), -1);
}

TEST_F(JavaCardSemantics, NarrowingToShortAndByte) {
  EXPECT_EQ(call("addShort", "(SS)S", {32767, 1}), -32768);
  EXPECT_EQ(call("mulShort", "(SS)S", {300, 300}), static_cast<std::int16_t>(90000));
  EXPECT_EQ(call("addByte", "(BB)B", {127, 1}), -128);
  EXPECT_EQ(call("shiftShort", "(SB)S", {-32768, 4}), -2048);
  EXPECT_EQ(call("unsignedShiftShort", "(SB)S", {-1, 4}), 0x0FFF);
  EXPECT_EQ(call("narrowInt", "(I)I", {0x12345678}), 0x5678 + 0x78);
  EXPECT_EQ(call("narrowInt", "(I)I", {0x0001FFFF}), -1 + -1);
}

TEST_F(JavaCardSemantics, ConstantsAndIncrements) {
  EXPECT_EQ(call("constants", "()I", {}), -1 + 0 + 1 + 2 + 3 + 4 + 5 + 100 + 30000 + 100000);
  EXPECT_EQ(call("incr", "(I)I", {5}), 103);
  EXPECT_EQ(call("bigIncrement", "(I)I", {INT_MAX}), java_int(static_cast<std::int64_t>(INT_MAX) + 1000));
}

TEST_F(JavaCardSemantics, ComparisonsAndBranches) {
  EXPECT_EQ(call("compare", "(II)I", {1, 2}), 2 | 4 | 32 | 128 | 512 | 1024);
  EXPECT_EQ(call("compare", "(II)I", {2, 2}), 1 | 8 | 32 | 128 | 512 | 1024);
  EXPECT_EQ(call("compare", "(II)I", {3, 2}), 2 | 8 | 16 | 128 | 512 | 1024);
  EXPECT_EQ(call("compare", "(II)I", {0, 0}), 1 | 8 | 32 | 64 | 512 | 2048);
  EXPECT_EQ(call("compare", "(II)I", {-1, 0}), 2 | 4 | 32 | 128 | 256 | 2048);
}

TEST_F(JavaCardSemantics, TableAndLookupSwitch) {
  const std::int32_t dense[] = {10, 11, 12, 13, -1, 15, -1};
  for (int k = 0; k < 7; ++k) EXPECT_EQ(call("dense", "(I)I", {k}), dense[k]) << k;
  EXPECT_EQ(call("dense", "(I)I", {-1}), -1);
  EXPECT_EQ(call("dense", "(I)I", {INT_MIN}), -1);
  EXPECT_EQ(call("sparse", "(I)I", {-100000}), 1);
  EXPECT_EQ(call("sparse", "(I)I", {-5}), 2);
  EXPECT_EQ(call("sparse", "(I)I", {7}), 3);
  EXPECT_EQ(call("sparse", "(I)I", {1000}), 4);
  EXPECT_EQ(call("sparse", "(I)I", {65536}), 5);
  EXPECT_EQ(call("sparse", "(I)I", {8}), 0);
}

TEST_F(JavaCardSemantics, LoopsAndTheInstructionBudget) {
  std::int32_t expected = 0;
  for (std::int32_t i = 0; i < 1000; ++i)
    expected = java_int(static_cast<std::int64_t>(expected) + ((i * 3) ^ (i >> 1)));
  EXPECT_EQ(call("loop", "(I)I", {1000}), expected);
  EXPECT_THROW(call("endless", "()I", {}), vm::VmAbort);
  // The VM keeps working after an aborted entry.
  EXPECT_EQ(call("loop", "(I)I", {1000}), expected);
}

TEST_F(JavaCardSemantics, CallDepthIsLimited) {
  EXPECT_EQ(call("recurse", "(I)I", {40}), 40);
  EXPECT_THROW(call("recurse", "(I)I", {1000}), vm::VmAbort);
  EXPECT_EQ(call("recurse", "(I)I", {10}), 10);
}

TEST_F(JavaCardSemantics, StaticInitialisersFillArrays) {
  const std::int8_t table[] = {1, 2, 3, -1};
  const std::int16_t words[] = {0x1234, -2, 32767, -32768};
  for (int k = 0; k < 4; ++k) EXPECT_EQ(call("table", "(S)I", {k}), table[k] + words[k]) << k;
  EXPECT_EQ(call("tableLength", "()I", {}), 604);
}

TEST_F(JavaCardSemantics, ArraysOfEveryType) {
  std::int32_t expected = 0;
  for (int k = 0; k < 5; ++k) {
    expected += static_cast<std::int8_t>(k * 70) + static_cast<std::int16_t>(k * 3000) + k * 100000 + (k & 1) +
                ((k & 1) == 1 ? 0 : 7);
  }
  EXPECT_EQ(call("arrays", "(S)I", {5}), expected + 25);
  EXPECT_EQ(call("arrays", "(S)I", {0}), 0);
}

TEST_F(JavaCardSemantics, VmExceptions) {
  EXPECT_EQ(thrown("arrayIndex", "(S)I", {4}), "java/lang/ArrayIndexOutOfBoundsException");
  EXPECT_EQ(thrown("arrayIndex", "(S)I", {-1}), "java/lang/ArrayIndexOutOfBoundsException");
  EXPECT_EQ(call("arrayIndex", "(S)I", {3}), 0);
  EXPECT_EQ(thrown("negativeSize", "(S)I", {-1}), "java/lang/NegativeArraySizeException");
  EXPECT_EQ(call("negativeSize", "(S)I", {0}), 0);
  EXPECT_EQ(thrown("nullField", "()I", {}), "java/lang/NullPointerException");
  EXPECT_EQ(thrown("nullArray", "()I", {}), "java/lang/NullPointerException");
  EXPECT_EQ(thrown("arrayStore", "()I", {}), "java/lang/ArrayStoreException");
  EXPECT_EQ(thrown("cast", "(S)I", {2}), "java/lang/ClassCastException");
}

TEST_F(JavaCardSemantics, CheckcastAndInstanceof) {
  EXPECT_EQ(call("cast", "(S)I", {0}), 4);
  EXPECT_EQ(call("cast", "(S)I", {1}), 3);
  EXPECT_EQ(call("instanceOf", "(S)I", {0}), 1 | 2 | 4 | 16);
  EXPECT_EQ(call("instanceOf", "(S)I", {1}), 1 | 4 | 16);
  EXPECT_EQ(call("instanceOf", "(S)I", {2}), 8 | 16);
}

TEST_F(JavaCardSemantics, VirtualInterfaceAndSuperCalls) {
  EXPECT_EQ(call("virtualCalls", "()I", {}), (16 * 100 + 6) * 100 + 7);
  EXPECT_EQ(call("interfaceCalls", "()I", {}), 53);
  EXPECT_EQ(call("superCall", "()I", {}), 46);
  EXPECT_EQ(call("objectEquals", "()I", {}), 1 + 4);
}

TEST_F(JavaCardSemantics, HandlersCatchByClass) {
  EXPECT_EQ(call("caught", "(S)I", {0}), 1);
  EXPECT_EQ(call("caught", "(S)I", {1}), 2);
  EXPECT_EQ(call("caught", "(S)I", {2}), 3);
  EXPECT_EQ(call("caught", "(S)I", {3}), 0x6A88);
  EXPECT_EQ(call("caught", "(S)I", {4}), 5);
  EXPECT_EQ(call("caught", "(S)I", {5}), 100);
  EXPECT_EQ(call("catchAll", "()I", {}), 77);
}

TEST_F(JavaCardSemantics, FinallyRunsInOrder) {
  EXPECT_EQ(call("finallyOrder", "()I", {}), 1234);
}

TEST_F(JavaCardSemantics, UncaughtExceptionLeavesTheEntry) {
  std::int16_t reason = 0;
  EXPECT_EQ(thrown("uncaught", "()I", {}, &reason), "javacard/framework/ISOException");
  EXPECT_EQ(static_cast<std::uint16_t>(reason), 0x6A82);
}

TEST_F(JavaCardSemantics, StaticsAndStackOperations) {
  EXPECT_EQ(call("storeStatic", "(S)I", {77}), 77);
  EXPECT_EQ(call("readStatic", "()I", {}), 77);
  EXPECT_EQ(call("stack", "(II)I", {5, 7}), 12 * 1000000 + 12 * 1000 + 6);
}

TEST_F(JavaCardSemantics, UtilArrayHelpers) {
  EXPECT_EQ(call("util", "()I", {}), 5 * 1000000 + 2 * 10000 + 1 * 1000 + 90 + 515 + 5);
}

TEST_F(JavaCardSemantics, StaticsSurviveAReopenedCard) {
  EXPECT_EQ(call("storeStatic", "(S)I", {1234}), 1234);
  Card reopened(card_.medium(), std::nullopt, small_limits());
  const vm::RtClass* cls = reopened.machine().find_class("com/sefleet/test/semantics/Ops");
  ASSERT_NE(cls, nullptr);
  reopened.machine().begin_entry(vm::EntryState{});
  const std::int32_t value =
      reopened.machine().call(*cls->find_method("readStatic", "()I"), {}, cls->package->context, vm::kNoInstance);
  reopened.machine().end_entry();
  EXPECT_EQ(value, 1234);
}

}  // namespace
}  // namespace sefleet::card::javacard::test

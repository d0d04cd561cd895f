// The Java Card subset on javac output (tests/card/javacard_classfile/): every refused construct reported
// at the class, method, pc and instruction where javac put it, every finding of a class listed; the
// accepted shapes verify without a finding.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "card/javacard/classfile/verifier.hpp"
#include "javacard_classfile_builder.hpp"
#include "javacard_classfile_javac_classes.hpp"

namespace sefleet::card::javacard::classfile {
namespace {

using sefleet::test::javac_class;
using sefleet::test::verify_findings;
using Lines = std::vector<std::string>;

const std::string kLong = "long values are not part of Java Card (use short, or int when 32 bits are needed)";
const std::string kLongType = "long is not part of Java Card (use short, or int when 32 bits are needed)";
const std::string kLongArithmetic =
    "long arithmetic is not part of Java Card (use short, or int when 32 bits are needed)";
const std::string kLongConversion =
    "long conversion is not part of Java Card (use short, or int when 32 bits are needed)";
const std::string kFloat = "floating-point values are not part of Java Card (no floating point)";
const std::string kFloatArithmetic = "floating-point arithmetic is not part of Java Card (no floating point)";
const std::string kFloatConversion = "floating-point conversion is not part of Java Card (no floating point)";
const std::string kString = "run-time String use is not part of Java Card (string literals: use byte arrays)";
const std::string kStringBuilder = "string building (java/lang/StringBuilder) is not part of Java Card";
const std::string kClassLiteral = "class literals (reflection) are not part of Java Card";
const std::string kReflection = "reflection (java/lang/Class) is not part of Java Card";
const std::string kEnum = "enums are not part of Java Card";
const std::string kMonitor = "synchronized blocks are not part of Java Card (a card runs one thread)";

TEST(JavacardClassfileSubset, AcceptsJavaCardShapes) {
  const std::vector<std::string> names = sefleet::test::javac_classes_of("classfiletest/accepted");
  ASSERT_GE(names.size(), 7u);  // Shapes and its inner classes, Counter, Base, ByTwo, CardProblem
  for (const std::string& name : names) {
    EXPECT_EQ(verify_findings(javac_class(name)), Lines{}) << name;
  }
}

TEST(JavacardClassfileSubset, RefusesLong) {
  const std::string add = "classfiletest/refused/LongValues.add(JJ)J";
  const std::string narrow = "classfiletest/refused/LongValues.narrow(I)I";
  const std::string big = "classfiletest/refused/LongValues.big(I)I";
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/LongValues")),
            (Lines{"classfiletest/refused/LongValues: field total (J): " + kLongType, add + ": " + kLongType,
                   add + " pc 0 (lload_0): " + kLong, add + " pc 1 (lload_2): " + kLong,
                   add + " pc 2 (ladd): " + kLongArithmetic, add + " pc 3 (lreturn): " + kLong,
                   narrow + " pc 1 (i2l): " + kLongConversion, narrow + " pc 2 (lstore_1): " + kLong,
                   narrow + " pc 3 (lload_1): " + kLong, narrow + " pc 4 (l2i): " + kLongConversion,
                   big + " pc 1 (i2l): " + kLongConversion, big + " pc 2 (ldc2_w): " + kLong,
                   big + " pc 5 (ladd): " + kLongArithmetic, big + " pc 6 (l2i): " + kLongConversion}));
}

TEST(JavacardClassfileSubset, RefusesFloatAndDouble) {
  const std::string half = "classfiletest/refused/FloatValues.half(F)F";
  const std::string circle = "classfiletest/refused/FloatValues.circle(I)I";
  EXPECT_EQ(
      verify_findings(javac_class("classfiletest/refused/FloatValues")),
      (Lines{"classfiletest/refused/FloatValues: field ratio (D): double is not part of Java Card (no floating "
             "point)",
             half + ": float is not part of Java Card (no floating point)", half + " pc 0 (fload_0): " + kFloat,
             half + " pc 1 (fconst_2): " + kFloat, half + " pc 2 (fdiv): " + kFloatArithmetic,
             half + " pc 3 (freturn): " + kFloat, circle + " pc 1 (i2d): " + kFloatConversion,
             circle + " pc 2 (ldc2_w): " + kFloat, circle + " pc 5 (dmul): " + kFloatArithmetic,
             circle + " pc 6 (d2i): " + kFloatConversion,
             "classfiletest/refused/FloatValues.floats()I pc 1 (newarray): arrays of float or double are not part "
             "of Java Card"}));
}

TEST(JavacardClassfileSubset, RefusesRunTimeStrings) {
  const std::string concat = "classfiletest/refused/StringUse.concat(I)Ljava/lang/Object;";
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/StringUse")),
            (Lines{"classfiletest/refused/StringUse.name()Ljava/lang/Object; pc 0 (ldc): " + kString,
                   "classfiletest/refused/StringUse.length(Ljava/lang/String;)I: " + kString,
                   "classfiletest/refused/StringUse.length(Ljava/lang/String;)I pc 1 (invokevirtual): " + kString,
                   concat + " pc 0 (new): " + kStringBuilder, concat + " pc 4 (invokespecial): " + kStringBuilder,
                   concat + " pc 7 (ldc): " + kString, concat + " pc 9 (invokevirtual): " + kStringBuilder,
                   concat + " pc 13 (invokevirtual): " + kStringBuilder,
                   concat + " pc 16 (invokevirtual): " + kStringBuilder}));
}

TEST(JavacardClassfileSubset, RefusesReflection) {
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/ClassLiteral")),
            (Lines{"classfiletest/refused/ClassLiteral.type()Ljava/lang/Object; pc 0 (ldc): " + kClassLiteral,
                   "classfiletest/refused/ClassLiteral.typeOf(Ljava/lang/Object;)Ljava/lang/Object; pc 1 "
                   "(invokevirtual): " +
                       kReflection}));
}

TEST(JavacardClassfileSubset, RefusesSynchronized) {
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/Synchronized")),
            (Lines{"classfiletest/refused/Synchronized.locked()V: synchronized methods are not part of Java Card (a "
                   "card runs one thread)",
                   "classfiletest/refused/Synchronized.block()V pc 3 (monitorenter): " + kMonitor,
                   "classfiletest/refused/Synchronized.block()V pc 16 (monitorexit): " + kMonitor,
                   "classfiletest/refused/Synchronized.block()V pc 22 (monitorexit): " + kMonitor}));
}

TEST(JavacardClassfileSubset, RefusesInvokedynamic) {
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/Lambda")),
            Lines{"classfiletest/refused/Lambda.twice()Lclassfiletest/refused/Lambda$Operation; pc 0 (invokedynamic): "
                  "invokedynamic (lambdas, method references, string concatenation) is not part of Java Card"});
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/Lambda$Operation")), Lines{});
}

TEST(JavacardClassfileSubset, RefusesNativeMethodsOutsideTheRom) {
  const Bytes bytes = javac_class("classfiletest/refused/NativeMethod");
  EXPECT_EQ(verify_findings(bytes),
            Lines{"classfiletest/refused/NativeMethod.poke([BS)S: native methods are not allowed in applet code (only "
                  "the card's own classes have them)"});
  EXPECT_EQ(verify_findings(bytes, /*allow_native=*/true), Lines{});
}

TEST(JavacardClassfileSubset, RefusesPlatformClassesJavaCardLacks) {
  const std::string prefix = "classfiletest/refused/PlatformClasses.";
  const std::string threads = "threads (java/lang/Thread) are not part of Java Card";
  const std::string method = prefix + "method()Ljava/lang/Object;";
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/PlatformClasses")),
            (Lines{prefix + "spawn()V pc 0 (new): " + threads, prefix + "spawn()V pc 4 (invokespecial): " + threads,
                   prefix + "spawn()V pc 7 (invokevirtual): " + threads,
                   prefix + "copy([B[B)V pc 5 (invokestatic): java/lang/System is not part of Java Card "
                            "(javacard.framework.JCSystem and Util offer what a card has)",
                   prefix + "larger(II)I pc 2 (invokestatic): java/lang/Math is not part of Java Card",
                   prefix + "box(I)Ljava/lang/Object; pc 1 (invokestatic): boxed values (java/lang/Integer) are not "
                            "part of Java Card",
                   method + " pc 0 (ldc): " + kClassLiteral, method + " pc 2 (ldc): " + kString,
                   method + " pc 5 (anewarray): " + kReflection, method + " pc 8 (invokevirtual): " + kReflection}));
}

TEST(JavacardClassfileSubset, RefusesEnums) {
  const std::string value_of = "classfiletest/refused/Color.valueOf(Ljava/lang/String;)Lclassfiletest/refused/Color;";
  const std::string init = "classfiletest/refused/Color.<init>(Ljava/lang/String;I)V";
  const std::string clinit = "classfiletest/refused/Color.<clinit>()V";
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/Color")),
            (Lines{"classfiletest/refused/Color: " + kEnum, value_of + ": " + kString,
                   value_of + " pc 0 (ldc): " + kClassLiteral, value_of + " pc 3 (invokestatic): " + kEnum,
                   init + ": " + kString, init + " pc 3 (invokespecial): " + kEnum, clinit + " pc 4 (ldc): " + kString,
                   clinit + " pc 7 (invokespecial): " + kString, clinit + " pc 17 (ldc): " + kString,
                   clinit + " pc 20 (invokespecial): " + kString}));
}

TEST(JavacardClassfileSubset, RefusesMultiDimensionalArraysAssertionsAndErrorHandlers) {
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/MultiArray")),
            Lines{"classfiletest/refused/MultiArray.grid()Ljava/lang/Object; pc 2 (multianewarray): multi-dimensional "
                  "arrays are not part of Java Card"});
  const std::string assertion = "assert statements (java/lang/AssertionError) are not part of Java Card";
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/Assertion")),
            (Lines{"classfiletest/refused/Assertion.check(I)V pc 10 (new): " + assertion,
                   "classfiletest/refused/Assertion.check(I)V pc 14 (invokespecial): " + assertion,
                   "classfiletest/refused/Assertion.<clinit>()V pc 0 (ldc): " + kClassLiteral,
                   "classfiletest/refused/Assertion.<clinit>()V pc 2 (invokevirtual): " + kReflection}));
  EXPECT_EQ(verify_findings(javac_class("classfiletest/refused/CatchError")),
            Lines{"classfiletest/refused/CatchError.attempt([B)S: exception handler at pc 5: java/lang/Error is not "
                  "part of Java Card (its java.lang has Object, Throwable, Exception, RuntimeException and the "
                  "exceptions the VM throws)"});
}

TEST(JavacardClassfileSubset, EveryRefusedClassHasAFinding) {
  for (const std::string& name : sefleet::test::javac_classes_of("classfiletest/refused")) {
    if (name == "classfiletest/refused/Lambda$Operation") continue;  // the lambda's interface itself is fine
    EXPECT_FALSE(verify_findings(javac_class(name)).empty()) << name;
  }
}

}  // namespace
}  // namespace sefleet::card::javacard::classfile

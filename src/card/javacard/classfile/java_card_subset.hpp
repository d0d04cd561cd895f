// The Java Card subset of the Java platform (Java Card 3.0.5 classic virtual machine specification,
// chapter 2): what javac may produce that a Java Card VM does not run. Each function returns why a
// construct is refused, in words for the applet developer ("long arithmetic is not part of Java
// Card ..."), or an empty string when Java Card allows it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/code_decoder.hpp"
#include "card/javacard/classfile/descriptors.hpp"

namespace sefleet::card::javacard::classfile {

// Java Card limits a method's operand stack and its locals to 255 slots each (the CAP file's
// method header keeps them in one byte).
inline constexpr std::uint16_t kMaxJavaCardStack = 255;
inline constexpr std::uint16_t kMaxJavaCardLocals = 255;

// A class of the Java platform that Java Card does not have (java/lang/String, java/lang/Thread, ...).
// Java Card's java.lang is Object, Throwable, Exception, RuntimeException and the exceptions its VM
// throws; java.io has IOException and java.rmi Remote and RemoteException. Names outside java/ and
// javax/ are left to the linker. `name` may be an array type ("[Ljava/lang/String;").
std::string refused_class_reason(std::string_view name);

// A type Java Card does not have: long, float, double or a refused class.
std::string refused_type_reason(const FieldType& type);
// The first refused type of a field or method descriptor (parameters first, then the result).
std::string refused_descriptor_reason(std::string_view descriptor);

// An instruction Java Card does not have, or one whose operand is outside the subset (ldc of a String
// or Class, a member of a refused class or with a refused type, newarray of long/float/double).
// The instruction's operands must already be known to be valid (indices, constant kinds).
std::string refused_instruction_reason(const Instruction& instruction, const ConstantPool& constants);

}  // namespace sefleet::card::javacard::classfile

// What the interpreter may run: the structural verification of every method and the Java Card subset
// check of a parsed class file. The interpreter relies on what passes here and does not check it again
// at run time: branch and handler targets are instruction starts inside the code, the operand stack
// never underflows nor exceeds max_stack on any path (heights agree where paths meet), locals are
// below max_locals, every constant pool operand has the kind its instruction needs, and every slot is
// used as the kind it holds (int-like or reference; a reference cannot be made from an int). The
// subset check refuses long, float, double, run-time String use, synchronized (methods and
// monitorenter/exit), threads, reflection, invokedynamic, jsr/ret, multi-dimensional arrays beyond what
// Java Card allows, and native methods outside the ROM.
#pragma once

#include <string>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"

namespace sefleet::card::javacard::classfile {

struct Finding {
  std::string class_name;
  std::string method;       // "name(descriptor)", empty for class-level findings
  int pc = -1;              // -1 when not about one instruction
  std::string instruction;  // mnemonic, e.g. "ldc", empty when pc == -1
  std::string message;      // what is wrong, for the applet developer

  // "com/example/Foo.bar(S)V pc 12 (ldc): run-time String use is not part of Java Card"
  std::string to_string() const;
};

struct VerifyOptions {
  // The VM's own classes (the ROM) may declare native methods; applet packages never.
  bool allow_native = false;
};

// Every finding (empty: the class may be linked). Never throws for a parsed class.
std::vector<Finding> verify_class(const ClassFile& cls, const VerifyOptions& options = {});
// Throws LoadError whose message lists the findings (one per line) when there are any.
void require_verified(const ClassFile& cls, const VerifyOptions& options = {});

}  // namespace sefleet::card::javacard::classfile

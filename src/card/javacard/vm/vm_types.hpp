// The small value types every part of the Java Card VM shares: references, contexts, array element
// types and the C++ exceptions that carry a Java throw or end a VM entry.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace sefleet::card::javacard::vm {

// A reference: a handle into the heap's object table. 0 is null. Handles are stable: a persistent
// object keeps its handle across card restarts (the NVM records are keyed by it).
using Ref = std::uint32_t;
inline constexpr Ref kNull = 0;

// The firewall context of a package (JCRE 6.1.1): all applets of one package share it. 0 is the Java
// Card runtime environment's own context, which may access every object.
using ContextId = std::uint8_t;
inline constexpr ContextId kJcreContext = 0;

// An applet instance, as recorded in each object it owns (0: none, the JCRE or a package's statics).
using InstanceId = std::uint16_t;
inline constexpr InstanceId kNoInstance = 0;

// Element types of arrays, in the order of JCSystem.ARRAY_TYPE_BOOLEAN .. ARRAY_TYPE_OBJECT.
enum class ArrayType : std::uint8_t { boolean_ = 1, byte_ = 2, short_ = 3, int_ = 4, reference = 5 };

// Transient kinds (JCSystem.NOT_A_TRANSIENT_OBJECT, CLEAR_ON_RESET, CLEAR_ON_DESELECT).
enum class Transience : std::uint8_t { persistent = 0, clear_on_reset = 1, clear_on_deselect = 2 };

// How a write to persistent memory takes part in transactions: `atomic` writes are one atomic NVM
// update outside a transaction and journalled (undone by abortTransaction) inside one;
// `non_atomic` writes (Util.arrayCopyNonAtomic / arrayFillNonAtomic) are never journalled.
enum class Atomicity : std::uint8_t { atomic, non_atomic };

// A Java exception object in flight. Natives throw it through NativeCall::throw_*; the interpreter
// catches it and looks for a handler.
struct JavaThrow {
  Ref exception;
};

// Ends the current VM entry without a Java handler ever seeing it: instruction budget exhausted, call
// depth or slot stack exceeded, or an inconsistency the VM cannot continue from. The entry answers
// 6F00 (the card keeps working); the message is logged for the developer.
class VmAbort : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace sefleet::card::javacard::vm

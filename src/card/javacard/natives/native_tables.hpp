// The native method tables of the ROM, one function per natives file. A new natives file adds its
// function here and to all_native_tables() in all_natives.cpp (how to write one: vm/native_call.hpp).
#pragma once

#include <vector>

#include "card/javacard/vm/native_call.hpp"

namespace sefleet::card::javacard::natives {

// java.lang and javacard.framework exceptions: throwIt of every exception class.
vm::NativeTable framework_exception_natives();  // framework_exceptions.cpp
// javacard.framework.Util: array copy, fill, compare, setShort.
vm::NativeTable framework_util_natives();  // framework_util.cpp
// javacard.framework.JCSystem: transactions, transient and global arrays, AIDs, memory, sharing.
vm::NativeTable framework_jcsystem_natives();  // framework_jcsystem.cpp
// javacard.framework.Applet (register, selectingApplet) and AID comparisons.
vm::NativeTable framework_applet_natives();  // framework_applet.cpp
// javacard.framework.APDU.
vm::NativeTable framework_apdu_natives();  // framework_apdu.cpp

// Every table above, in this order.
std::vector<vm::NativeTable> all_native_tables();

}  // namespace sefleet::card::javacard::natives

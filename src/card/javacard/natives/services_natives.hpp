// The native tables of org.globalplatform and org.sefleet.deferred (contracts: javacard/rom/NATIVES.md),
// listed in all_native_tables().
#pragma once

#include "card/javacard/vm/native_call.hpp"

namespace sefleet::card::javacard::natives {

vm::NativeTable globalplatform_card_manager_natives();    // globalplatform_card_manager.cpp: GPSystem, registry
vm::NativeTable globalplatform_secure_channel_natives();  // globalplatform_secure_channel.cpp: SecureChannel
vm::NativeTable deferred_natives();                       // deferred_executor.cpp: DeferredExecutor, DeferredTask

}  // namespace sefleet::card::javacard::natives

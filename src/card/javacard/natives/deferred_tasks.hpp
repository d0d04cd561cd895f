// The bridge between the Java package org.sefleet.deferred and the card's deferred executor
// (card/runtime/deferred_executor.hpp, docs/deferred-execution.md).
//
// Every org/sefleet/deferred/DeferredTask object the card accepted (createTask() sets its `registered`
// field once the registration succeeded) has one task in the runtime's executor, with the object's
// name, resumable flag and priority (fields that never change after creation). The runtime
// task lives in the VM's side table of the object (DeferredBinding): kept across card resets, dropped
// when the object is deleted. Its work enters the VM and runs DeferredTask.execute() on the object in
// the owning applet's context, inside a Java Card transaction the task cannot end itself; that
// transaction commits into the executor's NVM transaction, so the task's heap writes and its result
// record are one atomic update. A Java exception escaping the work fails the task with a reason such
// as "ISOException 6A80", "CryptoException 3" or "NullPointerException".
//
// When runtime tasks are made:
//  - createTask() while the applet processes a command (select/process): at once, through the
//    command's AppletContext;
//  - createTask() in install(): the Java install() runs before the runtime holds the instance (the
//    ISD places it afterwards), so the task object is only checked (name unique among the instance's
//    tasks) and place_deferred_tasks() makes its runtime task when the runtime places the instance
//    (JavaApplet::install); a schedule() in install() is remembered and done there, in call order;
//  - card open: the objects survive, install() does not run again: place_deferred_tasks() re-creates
//    the runtime task of every DeferredTask object of the instance, before the card powers up, so the
//    executor reports persisted results and schedules interrupted resumable tasks again.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "card/javacard/vm/native_call.hpp"
#include "card/javacard/vm/vm_types.hpp"
#include "card/runtime/deferred_executor.hpp"

namespace sefleet::card {
class AppletContext;
}

namespace sefleet::card::javacard::vm {
class Vm;
struct Instance;
}  // namespace sefleet::card::javacard::vm

namespace sefleet::card::javacard::natives {

inline constexpr std::string_view kDeferredTaskClass = "org/sefleet/deferred/DeferredTask";

// The runtime task of one DeferredTask object.
class DeferredBinding final : public vm::NativeCacheEntry {
 public:
  bool kept_on_reset() const noexcept override { return true; }

  std::shared_ptr<DeferredTask> task;  // null until the runtime holds the instance
  // schedule() was called in install(), before the runtime held the instance: its order (0: not asked).
  std::uint64_t schedule_order = 0;
};

// The binding of `task_object`, or nullptr.
DeferredBinding* find_binding(vm::Vm& machine, vm::Ref task_object);
// A new, empty binding of `task_object` (replacing any earlier one of that handle).
DeferredBinding& new_binding(vm::Vm& machine, vm::Ref task_object);

// The options a DeferredTask object was created with (name, resumable, priority).
DeferredTaskOptions task_options(vm::Vm& machine, vm::Ref task_object);
// The task (a DeferredTask object whose registration succeeded) of instance `owner` named `name`;
// kNull when none.
vm::Ref find_task_object(vm::Vm& machine, vm::InstanceId owner, std::string_view name);

// The work of the runtime task of `task_object`: enters the VM and runs DeferredTask.execute() as
// described above. Throws std::runtime_error with the reason when the Java work fails.
DeferredWork java_task_work(vm::Vm& machine, vm::Ref task_object);

// Gives every DeferredTask object of `instance` without a runtime task one, created through
// ctx.deferred() (ctx: the runtime's context of the instance being placed), then schedules those
// install() asked for, in the order it asked. A task the executor refuses is logged and left without
// a runtime task (its state reads IDLE; scheduling it answers 6985).
void place_deferred_tasks(vm::Vm& machine, const vm::Instance& instance, AppletContext& ctx);

// "ISOException 6A80", "CryptoException 3", "NullPointerException": the simple class name of a Java
// exception, then for CardException and CardRuntimeException subclasses its reason (four hex digits
// for ISOException, decimal otherwise).
std::string describe_exception(vm::Vm& machine, vm::Ref exception);

}  // namespace sefleet::card::javacard::natives

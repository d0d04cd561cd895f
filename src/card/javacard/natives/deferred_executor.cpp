// org.sefleet.deferred: DeferredExecutor and DeferredTask over the card's deferred executor
// (contracts: javacard/rom/NATIVES.md; the runtime tasks behind the Java objects: deferred_tasks.hpp).
//
// The executor acts for the applet whose command is being processed: its AppletContext's deferred()
// refuses (StatusWordError 6985, thrown as ISOException 6985) inside a task, in deselect() and in
// uninstall(). install() has no AppletContext (the runtime places the instance afterwards): tasks are
// then checked and their runtime side is made at placement.
#include <atomic>
#include <string>
#include <vector>

#include "card/javacard/natives/deferred_tasks.hpp"
#include "card/javacard/natives/services_natives.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/applet.hpp"
#include "core/error.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::javacard::natives {
namespace {

using vm::NativeCall;
using vm::Ref;

constexpr std::string_view kIsoException = "javacard/framework/ISOException";
constexpr std::string_view kSystemException = "javacard/framework/SystemException";
constexpr std::int16_t kIllegalValue = 1;
constexpr auto kNotHere = static_cast<std::int16_t>(iso7816::sw::kConditionsNotSatisfied);

// The order of schedule() calls made in install(), across the process (only their relative order
// matters, at placement).
std::atomic<std::uint64_t> install_schedule_order{0};

[[noreturn]] void not_here(NativeCall& call) {
  call.throw_exception(kIsoException, kNotHere);
}

// The executor of the applet whose command runs, or 6985. A Shareable method of another applet
// running inside that command may not use it (its tasks would be the client's).
DeferredExecutor& executor(NativeCall& call) {
  AppletContext* ctx = call.applet_context();
  if (ctx == nullptr || !std::ranges::equal(ctx->aid(), call.instance_aid())) not_here(call);
  try {
    return ctx->deferred();
  } catch (const StatusWordError& refused) {
    call.throw_exception(kIsoException, static_cast<std::int16_t>(refused.sw()));
  }
}

// True while the running entry is the applet's install() (no AppletContext yet).
bool in_install(NativeCall& call) {
  return call.applet_context() == nullptr && call.vm().entry().install_aid.has_value();
}

// The task object `ref` of the running applet, checked (the Java caller passes DeferredTask objects).
void require_own_task(NativeCall& call, Ref ref) {
  const heap::Object* object = call.vm().heap().find(ref);
  if (object == nullptr) call.throw_vm_exception(vm::VmException::null_pointer);
  if (object->owner != call.instance()) not_here(call);
}

// register(DeferredTask task, byte[] name, boolean resumable, byte priority)
void register_task(NativeCall& call) {
  const Ref task = call.arg_ref(0);
  vm::Vm& machine = call.vm();
  if (in_install(call)) {
    require_own_task(call, task);
    const DeferredTaskOptions options = task_options(machine, task);
    if (find_task_object(machine, call.instance(), options.name) != vm::kNull) {
      call.throw_exception(kSystemException, kIllegalValue);
    }
    new_binding(machine, task);  // the runtime task is made when the instance is placed
    return;
  }
  DeferredExecutor& deferred = executor(call);
  require_own_task(call, task);
  std::shared_ptr<DeferredTask> created;
  try {
    created = deferred.create_task(task_options(machine, task), java_task_work(machine, task));
  } catch (const Error& refused) {
    if (refused.code() != Errc::invalid_argument) throw;
    call.throw_exception(kSystemException, kIllegalValue);  // a name a live task of the applet uses
  } catch (const StatusWordError& refused) {
    call.throw_exception(kIsoException, static_cast<std::int16_t>(refused.sw()));
  }
  new_binding(machine, task).task = std::move(created);
}

// scheduleTask(DeferredTask task)
void schedule_task(NativeCall& call) {
  const Ref task = call.arg_ref(0);
  vm::Vm& machine = call.vm();
  if (in_install(call)) {
    require_own_task(call, task);
    DeferredBinding* binding = find_binding(machine, task);
    if (binding == nullptr || binding->schedule_order != 0) not_here(call);  // scheduled already
    binding->schedule_order = ++install_schedule_order;
    return;
  }
  DeferredExecutor& deferred = executor(call);
  DeferredBinding* binding = find_binding(machine, task);
  if (binding == nullptr || !binding->task) not_here(call);  // another applet's, or not in the executor
  try {
    // Never at once inside this call, even in the baseline mode: the VM is running the applet.
    deferred.schedule_after_call(*binding->task);
  } catch (const StatusWordError& refused) {
    call.throw_exception(kIsoException, static_cast<std::int16_t>(refused.sw()));
  }
}

void is_pending(NativeCall& call) {
  call.return_boolean(executor(call).pending());
}

// The check on this command: the applet's tasks that ended since its previous command, in order.
using EndedList = std::vector<std::pair<std::string, DeferredResult>>;

EndedList ended(NativeCall& call) {
  return executor(call).completed_since_last_command();
}

const EndedList::value_type& ended_entry(NativeCall& call, const EndedList& list, std::int8_t index) {
  if (index < 0 || static_cast<std::size_t>(index) >= list.size()) {
    call.throw_vm_exception(vm::VmException::array_index_out_of_bounds);
  }
  return list[static_cast<std::size_t>(index)];
}

// Copies a reason (ASCII, at most 64 bytes) into buffer[offset..] and returns its length.
void return_reason(NativeCall& call, const std::string& reason, Ref buffer, std::int16_t offset) {
  const ByteView bytes(reinterpret_cast<const std::uint8_t*>(reason.data()), reason.size());
  call.write_bytes(buffer, offset, bytes, vm::Atomicity::atomic);
  call.return_short(static_cast<std::int16_t>(bytes.size()));
}

void ended_count(NativeCall& call) {
  call.return_byte(static_cast<std::int8_t>(std::min<std::size_t>(ended(call).size(), 127)));
}

void ended_task(NativeCall& call) {
  const auto list = ended(call);
  const auto& [name, result] = ended_entry(call, list, call.arg_byte(0));
  call.return_ref(find_task_object(call.vm(), call.instance(), name));
}

void ended_state(NativeCall& call) {
  const auto list = ended(call);
  call.return_byte(static_cast<std::int8_t>(ended_entry(call, list, call.arg_byte(0)).second.state));
}

// getEndedReason(byte index, byte[] buffer, short offset)
void ended_reason(NativeCall& call) {
  const auto list = ended(call);
  const auto& entry = ended_entry(call, list, call.arg_byte(0));
  return_reason(call, entry.second.reason, call.arg_ref(1), call.arg_short(2));
}

// The task's last result; IDLE while it has no runtime task (install() before placement).
DeferredResult result_of(NativeCall& call, Ref task) {
  const DeferredBinding* binding = find_binding(call.vm(), task);
  return binding != nullptr && binding->task ? binding->task->result() : DeferredResult{};
}

void task_state(NativeCall& call) {
  call.return_byte(static_cast<std::int8_t>(result_of(call, call.arg_ref(0)).state));
}

// getReason(byte[] buffer, short offset)
void task_reason(NativeCall& call) {
  return_reason(call, result_of(call, call.arg_ref(0)).reason, call.arg_ref(1), call.arg_short(2));
}

constexpr vm::NativeMethod kMethods[] = {
    {"org/sefleet/deferred/DeferredExecutor.register(Lorg/sefleet/deferred/DeferredTask;[BZB)V", register_task},
    {"org/sefleet/deferred/DeferredExecutor.scheduleTask(Lorg/sefleet/deferred/DeferredTask;)V", schedule_task},
    {"org/sefleet/deferred/DeferredExecutor.isPending()Z", is_pending},
    {"org/sefleet/deferred/DeferredExecutor.getEndedCount()B", ended_count},
    {"org/sefleet/deferred/DeferredExecutor.getEndedTask(B)Lorg/sefleet/deferred/DeferredTask;", ended_task},
    {"org/sefleet/deferred/DeferredExecutor.getEndedState(B)B", ended_state},
    {"org/sefleet/deferred/DeferredExecutor.getEndedReason(B[BS)S", ended_reason},
    {"org/sefleet/deferred/DeferredTask.getState()B", task_state},
    {"org/sefleet/deferred/DeferredTask.getReason([BS)S", task_reason},
};

}  // namespace

vm::NativeTable deferred_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

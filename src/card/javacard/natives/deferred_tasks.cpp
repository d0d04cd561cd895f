#include "card/javacard/natives/deferred_tasks.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/applet.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"

namespace sefleet::card::javacard::natives {
namespace {

constexpr std::string_view kIsoException = "javacard/framework/ISOException";
constexpr std::string_view kCardException = "javacard/framework/CardException";
constexpr std::string_view kCardRuntimeException = "javacard/framework/CardRuntimeException";

// The key of DeferredBinding entries in the VM's side table.
const char kBindingKey = 0;

const vm::RtField& task_field(const vm::RtClass& cls, std::string_view name) {
  const vm::RtField* field = cls.find_field(name);
  if (field == nullptr) throw vm::VmAbort(std::string(kDeferredTaskClass) + " has no field " + std::string(name));
  return *field;
}

// The object `ref` when it is a DeferredTask, else nullptr.
const heap::Object* task_object(vm::Vm& machine, vm::Ref ref) {
  const heap::Object* object = machine.heap().find(ref);
  if (object == nullptr || object->kind != heap::ObjectKind::instance) return nullptr;
  return object->cls == &machine.rom_class(kDeferredTaskClass) ? object : nullptr;
}

// A task the card accepted: createTask() sets `registered` once the registration succeeded (an object
// whose registration was refused stays behind as garbage and is no task).
bool registered(const heap::Object& object) {
  return object.slot(task_field(*object.cls, "registered").slot) != 0;
}

ByteView task_name(vm::Vm& machine, const heap::Object& object) {
  const vm::RtField& field = task_field(*object.cls, "name");
  const heap::Object* name = machine.heap().find(static_cast<vm::Ref>(object.slot(field.slot)));
  if (name == nullptr || name->kind != heap::ObjectKind::array_byte) return {};
  return ByteView(name->bytes(), name->byte_size());
}

// Runs DeferredTask.execute() on `ref` as one VM entry, inside a heap transaction owned by the task.
void run_java_task(vm::Vm& machine, vm::Ref ref, AppletContext& ctx) {
  const heap::Object* object = task_object(machine, ref);
  if (object == nullptr) throw std::runtime_error("task object deleted");
  vm::Instance* instance = machine.find_instance(object->owner);
  if (instance == nullptr || instance->package == nullptr) throw std::runtime_error("applet deleted");
  if (machine.in_entry()) {
    // Java schedules with schedule_after_call(), so the executor never runs a Java task inside a call.
    throw vm::VmAbort("a deferred task cannot run inside another VM entry");
  }
  const vm::RtMethod* execute = object->cls->find_method("execute", "()V");
  if (execute == nullptr) throw vm::VmAbort(std::string(kDeferredTaskClass) + " has no execute()");

  vm::EntryState state;
  state.applet_context = &ctx;
  state.instance = instance;
  state.deferred_task = true;
  heap::Heap& heap = machine.heap();
  std::string failure;
  machine.begin_entry(std::move(state));
  try {
    heap.begin_transaction();
    const std::int32_t args[] = {static_cast<std::int32_t>(ref)};
    machine.call(*execute, args, instance->package->context, instance->id);
    // Joins the executor's open NVM transaction: committed together with the task's result record.
    heap.commit_transaction();
  } catch (const vm::JavaThrow& thrown) {
    failure = describe_exception(machine, thrown.exception);
  } catch (const vm::VmAbort& abort) {
    failure = std::string("VM limit: ") + abort.what();
  } catch (...) {
    machine.end_entry();  // aborts the task's heap transaction
    throw;
  }
  if (!failure.empty() && heap.in_transaction()) {
    try {
      heap.abort_transaction();
    } catch (...) {
      machine.end_entry();
      throw;
    }
  }
  machine.end_entry();
  if (!failure.empty()) throw std::runtime_error(failure);
}

}  // namespace

DeferredBinding* find_binding(vm::Vm& machine, vm::Ref task_object) {
  return dynamic_cast<DeferredBinding*>(machine.find_cache(task_object, &kBindingKey));
}

DeferredBinding& new_binding(vm::Vm& machine, vm::Ref task_object) {
  auto entry = std::make_unique<DeferredBinding>();
  DeferredBinding& binding = *entry;
  machine.store_cache(task_object, &kBindingKey, std::move(entry));
  return binding;
}

DeferredTaskOptions task_options(vm::Vm& machine, vm::Ref ref) {
  const heap::Object* object = task_object(machine, ref);
  if (object == nullptr) throw vm::VmAbort("not a DeferredTask object");
  const ByteView name = task_name(machine, *object);
  DeferredTaskOptions options;
  options.name.assign(name.begin(), name.end());
  options.resumable = object->slot(task_field(*object->cls, "resumable").slot) != 0;
  options.priority = static_cast<std::uint8_t>(object->slot(task_field(*object->cls, "priority").slot));
  return options;
}

vm::Ref find_task_object(vm::Vm& machine, vm::InstanceId owner, std::string_view name) {
  const heap::Heap& heap = machine.heap();
  for (std::size_t index = 1; index < heap.table_size(); ++index) {
    const auto ref = static_cast<vm::Ref>(index);
    const heap::Object* object = task_object(machine, ref);
    if (object == nullptr || object->owner != owner || !registered(*object)) continue;
    const ByteView candidate = task_name(machine, *object);
    if (std::ranges::equal(candidate, name, [](std::uint8_t a, char b) { return a == static_cast<std::uint8_t>(b); })) {
      return ref;
    }
  }
  return vm::kNull;
}

DeferredWork java_task_work(vm::Vm& machine, vm::Ref task_object) {
  return [&machine, task_object](AppletContext& ctx) { run_java_task(machine, task_object, ctx); };
}

void place_deferred_tasks(vm::Vm& machine, const vm::Instance& instance, AppletContext& ctx) {
  std::vector<std::pair<std::uint64_t, std::shared_ptr<DeferredTask>>> requested;
  const heap::Heap& heap = machine.heap();
  for (std::size_t index = 1; index < heap.table_size(); ++index) {
    const auto ref = static_cast<vm::Ref>(index);
    const heap::Object* object = task_object(machine, ref);
    if (object == nullptr || object->owner != instance.id || !registered(*object)) continue;
    DeferredBinding* binding = find_binding(machine, ref);
    if (binding != nullptr && binding->task) continue;  // already in the runtime's executor
    const std::uint64_t order = binding != nullptr ? binding->schedule_order : 0;
    DeferredTaskOptions options = task_options(machine, ref);
    const std::string name = options.name;
    std::shared_ptr<DeferredTask> task;
    try {
      task = ctx.deferred().create_task(std::move(options), java_task_work(machine, ref));
    } catch (const std::exception& e) {
      spdlog::error("Java Card applet {}: deferred task '{}' not placed in the executor: {}", to_hex(instance.aid),
                    name, e.what());
      continue;
    }
    DeferredBinding& placed = new_binding(machine, ref);
    placed.task = task;
    if (order != 0) requested.emplace_back(order, std::move(task));
  }
  std::ranges::sort(requested, {}, &std::pair<std::uint64_t, std::shared_ptr<DeferredTask>>::first);
  for (const auto& [order, task] : requested) ctx.deferred().schedule(*task);
}

std::string describe_exception(vm::Vm& machine, vm::Ref exception) {
  const heap::Object* object = machine.heap().find(exception);
  if (object == nullptr || object->kind != heap::ObjectKind::instance) return "exception";
  std::string_view name = object->cls->name;
  if (const auto cut = name.find_last_of("/$"); cut != std::string_view::npos) name.remove_prefix(cut + 1);
  std::string reason(name);
  const std::int16_t code = machine.exception_reason(exception);
  if (object->cls->is_assignable_to(machine.rom_class(kIsoException))) {
    reason += ' ';
    reason += to_hex(Bytes{static_cast<std::uint8_t>(code >> 8), static_cast<std::uint8_t>(code & 0xFF)});
  } else if (object->cls->is_assignable_to(machine.rom_class(kCardException)) ||
             object->cls->is_assignable_to(machine.rom_class(kCardRuntimeException))) {
    reason += ' ';
    reason += std::to_string(code);
  }
  return reason;
}

}  // namespace sefleet::card::javacard::natives

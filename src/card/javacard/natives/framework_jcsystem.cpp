// javacard.framework.JCSystem: transactions, transient and global arrays, AIDs, memory, object
// deletion and inter-applet object sharing.
#include <algorithm>

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/natives/aid_bytes.hpp"
#include "card/javacard/natives/native_tables.hpp"
#include "card/javacard/vm/firewall.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/applet_registry.hpp"

namespace sefleet::card::javacard::natives {
namespace {

using vm::NativeCall;
using vm::Ref;

constexpr std::string_view kSystemException = "javacard/framework/SystemException";
constexpr std::string_view kTransactionException = "javacard/framework/TransactionException";
constexpr std::int16_t kIllegalValue = 1;
constexpr std::int16_t kIllegalTransient = 3;
constexpr std::int16_t kInProgress = 1;
constexpr std::int16_t kNotInProgress = 2;
constexpr std::int16_t kIllegalUse = 5;
constexpr std::int8_t kClearOnReset = 1;
constexpr std::int8_t kClearOnDeselect = 2;
constexpr std::int8_t kMemoryPersistent = 0;
constexpr std::int8_t kMemoryTransientReset = 1;
constexpr std::int8_t kMemoryTransientDeselect = 2;

std::int16_t clamp_short(std::size_t value) {
  return static_cast<std::int16_t>(std::min<std::size_t>(value, 0x7FFF));
}

void is_transient(NativeCall& call) {
  const heap::Object* object = call.vm().heap().find(call.arg_ref(0));
  std::int8_t kind = 0;
  if (object != nullptr && (object->flags & heap::flag::kClearOnReset) != 0) kind = kClearOnReset;
  if (object != nullptr && (object->flags & heap::flag::kClearOnDeselect) != 0) kind = kClearOnDeselect;
  call.return_byte(kind);
}

template <vm::ArrayType Type>
void make_transient(NativeCall& call) {
  const std::int16_t length = call.arg_short(0);
  const std::int8_t event = call.arg_byte(1);
  if (event != kClearOnReset && event != kClearOnDeselect) call.throw_exception(kSystemException, kIllegalValue);
  if (length < 0) call.throw_vm_exception(vm::VmException::negative_array_size);
  // CLEAR_ON_DESELECT memory belongs to the selected applet's context (JCSystem: ILLEGAL_TRANSIENT).
  const vm::Instance* selected = call.vm().entry().instance;
  if (event == kClearOnDeselect && selected != nullptr && selected->package != nullptr &&
      selected->package->context != call.context() && call.context() != vm::kJcreContext) {
    call.throw_exception(kSystemException, kIllegalTransient);
  }
  call.return_ref(call.new_array(
      Type, length, event == kClearOnReset ? vm::Transience::clear_on_reset : vm::Transience::clear_on_deselect));
}

void make_global_array(NativeCall& call) {
  const std::int8_t type = call.arg_byte(0);
  const std::int16_t length = call.arg_short(1);
  if (type < 1 || type > 5) call.throw_exception(kSystemException, kIllegalValue);
  if (length < 0) call.throw_vm_exception(vm::VmException::negative_array_size);
  static constexpr heap::ObjectKind kKinds[] = {heap::ObjectKind::array_boolean, heap::ObjectKind::array_byte,
                                                heap::ObjectKind::array_short, heap::ObjectKind::array_int,
                                                heap::ObjectKind::array_reference};
  vm::Vm& machine = call.vm();
  const heap::ObjectKind kind = kKinds[type - 1];
  const vm::RtClass* element =
      kind == heap::ObjectKind::array_reference ? &machine.rom_class("java/lang/Object") : nullptr;
  const Ref array = machine.heap().new_array(kind, length, heap::Owner{}, heap::flag::kGlobal, element);
  machine.entry().global_arrays.push_back(array);
  call.return_ref(array);
}

void get_aid(NativeCall& call) {
  vm::Instance* instance = call.vm().find_instance(call.instance());
  call.return_ref(instance != nullptr ? call.vm().aid_object(*instance) : vm::kNull);
}

void lookup_aid(NativeCall& call) {
  const std::int8_t length = call.arg_byte(2);
  if (length < 0) call.throw_vm_exception(vm::VmException::array_index_out_of_bounds);
  const ByteView aid = call.bytes(call.arg_ref(0), call.arg_short(1), length);
  vm::Instance* instance = call.vm().find_instance(aid);
  if (instance != nullptr) {
    call.return_ref(call.vm().aid_object(*instance));
    return;
  }
  // The card's other applications (the Issuer Security Domain, built-in applets) have AID objects too.
  AppletContext* context = call.applet_context();
  AppletRegistry* registry = context != nullptr ? &context->registry() : call.vm().card_registry();
  const RegistryEntry* entry = registry != nullptr ? registry->find(aid) : nullptr;
  const bool application = entry != nullptr && !entry->is_load_file();
  call.return_ref(application ? call.vm().card_application_aid_object(Bytes(aid.begin(), aid.end())) : vm::kNull);
}

void begin_transaction(NativeCall& call) {
  heap::Heap& store = call.vm().heap();
  if (store.in_transaction()) call.throw_exception(kTransactionException, kInProgress);
  store.begin_transaction();
}

// Inside a deferred task the transaction is the executor's: the task ends it by returning or throwing.
void refuse_in_deferred_task(NativeCall& call) {
  if (call.vm().entry().deferred_task) call.throw_exception(kTransactionException, kIllegalUse);
}

void abort_transaction(NativeCall& call) {
  refuse_in_deferred_task(call);
  heap::Heap& store = call.vm().heap();
  if (!store.in_transaction()) call.throw_exception(kTransactionException, kNotInProgress);
  store.abort_transaction();
}

void commit_transaction(NativeCall& call) {
  refuse_in_deferred_task(call);
  heap::Heap& store = call.vm().heap();
  if (!store.in_transaction()) call.throw_exception(kTransactionException, kNotInProgress);
  store.commit_transaction();
}

void transaction_depth(NativeCall& call) {
  call.return_byte(call.vm().heap().in_transaction() ? 1 : 0);
}

void unused_commit_capacity(NativeCall& call) {
  call.return_short(clamp_short(call.vm().heap().unused_commit_capacity()));
}

void max_commit_capacity(NativeCall& call) {
  call.return_short(clamp_short(call.vm().heap().max_commit_capacity()));
}

void previous_context_aid(NativeCall& call) {
  vm::Instance* instance = call.vm().find_instance(call.vm().caller_previous_instance());
  call.return_ref(instance != nullptr ? call.vm().aid_object(*instance) : vm::kNull);
}

std::size_t available(NativeCall& call, std::int8_t type) {
  const VmLimits& limits = call.vm().limits();
  const heap::Heap& store = call.vm().heap();
  switch (type) {
    case kMemoryPersistent:
      return limits.persistent_capacity - store.persistent_bytes();
    case kMemoryTransientReset:
    case kMemoryTransientDeselect:
      return limits.transient_capacity - store.transient_bytes();
    default:
      call.throw_exception(kSystemException, kIllegalValue);
  }
}

void available_memory(NativeCall& call) {
  call.return_short(clamp_short(available(call, call.arg_byte(0))));
}

// The available memory as an int split into two shorts (high, low) at buffer[offset].
void available_memory_split(NativeCall& call) {
  const Ref buffer = call.arg_ref(0);
  const std::int16_t offset = call.arg_short(1);
  const auto value = static_cast<std::uint32_t>(std::min<std::size_t>(available(call, call.arg_byte(2)), 0x7FFFFFFF));
  (void)call.element(buffer, offset + 1);  // bounds first: nothing written when the second short does not fit
  call.set_element(buffer, offset, static_cast<std::int16_t>(value >> 16), vm::Atomicity::non_atomic);
  call.set_element(buffer, offset + 1, static_cast<std::int16_t>(value & 0xFFFF), vm::Atomicity::non_atomic);
}

// The server applet's getShareableInterfaceObject(clientAID, parameter), run in the server's
// context; null when there is no such applet or it offers nothing Shareable.
void applet_shareable_interface_object(NativeCall& call) {
  vm::Vm& machine = call.vm();
  const ByteView aid = aid_bytes(call, call.arg_ref(0));
  vm::Instance* server = aid.empty() ? nullptr : machine.find_instance(aid);
  if (server == nullptr) {
    call.return_ref(vm::kNull);
    return;
  }
  vm::Instance* client = machine.find_instance(call.instance());
  const Ref client_aid = client != nullptr ? machine.aid_object(*client) : vm::kNull;
  const vm::RtMethod* declared =
      machine.rom_class("javacard/framework/Applet")
          .find_method("getShareableInterfaceObject", "(Ljavacard/framework/AID;B)Ljavacard/framework/Shareable;");
  const heap::Object& applet = *machine.heap().find(server->applet);
  const vm::RtMethod& method = *applet.cls->vtable[static_cast<std::size_t>(declared->vtable_index)];
  const std::int32_t args[] = {static_cast<std::int32_t>(server->applet), static_cast<std::int32_t>(client_aid),
                               call.arg_byte(1)};
  const auto result = static_cast<Ref>(machine.call(method, args, server->package->context, server->id));
  const heap::Object* shared = machine.heap().find(result);
  const bool shareable = shared != nullptr && shared->kind == heap::ObjectKind::instance && shared->cls->is_shareable;
  call.return_ref(shareable ? result : vm::kNull);
}

void request_object_deletion(NativeCall& call) {
  call.vm().entry().deletion_requested = true;
}

void assigned_channel(NativeCall& call) {
  const AppletContext* context = call.applet_context();
  call.return_byte(context != nullptr ? static_cast<std::int8_t>(context->channel()) : 0);
}

void is_applet_active(NativeCall& call) {
  const ByteView aid = aid_bytes(call, call.arg_ref(0));
  const vm::Instance* instance = aid.empty() ? nullptr : call.vm().find_instance(aid);
  call.return_boolean(instance != nullptr && instance->active_channels != 0);
}

constexpr vm::NativeMethod kMethods[] = {
    {"javacard/framework/JCSystem.isTransient(Ljava/lang/Object;)B", is_transient},
    {"javacard/framework/JCSystem.makeTransientBooleanArray(SB)[Z", make_transient<vm::ArrayType::boolean_>},
    {"javacard/framework/JCSystem.makeTransientByteArray(SB)[B", make_transient<vm::ArrayType::byte_>},
    {"javacard/framework/JCSystem.makeTransientShortArray(SB)[S", make_transient<vm::ArrayType::short_>},
    {"javacard/framework/JCSystem.makeTransientObjectArray(SB)[Ljava/lang/Object;",
     make_transient<vm::ArrayType::reference>},
    {"javacard/framework/JCSystem.makeGlobalArray(BS)Ljava/lang/Object;", make_global_array},
    {"javacard/framework/JCSystem.getAID()Ljavacard/framework/AID;", get_aid},
    {"javacard/framework/JCSystem.lookupAID([BSB)Ljavacard/framework/AID;", lookup_aid},
    {"javacard/framework/JCSystem.beginTransaction()V", begin_transaction},
    {"javacard/framework/JCSystem.abortTransaction()V", abort_transaction},
    {"javacard/framework/JCSystem.commitTransaction()V", commit_transaction},
    {"javacard/framework/JCSystem.getTransactionDepth()B", transaction_depth},
    {"javacard/framework/JCSystem.getUnusedCommitCapacity()S", unused_commit_capacity},
    {"javacard/framework/JCSystem.getMaxCommitCapacity()S", max_commit_capacity},
    {"javacard/framework/JCSystem.getPreviousContextAID()Ljavacard/framework/AID;", previous_context_aid},
    {"javacard/framework/JCSystem.getAvailableMemory(B)S", available_memory},
    {"javacard/framework/JCSystem.getAvailableMemory([SSB)V", available_memory_split},
    {"javacard/framework/JCSystem.getAppletShareableInterfaceObject(Ljavacard/framework/AID;B)Ljavacard/framework/"
     "Shareable;",
     applet_shareable_interface_object},
    {"javacard/framework/JCSystem.requestObjectDeletion()V", request_object_deletion},
    {"javacard/framework/JCSystem.getAssignedChannel()B", assigned_channel},
    {"javacard/framework/JCSystem.isAppletActive(Ljavacard/framework/AID;)Z", is_applet_active},
};

}  // namespace

vm::NativeTable framework_jcsystem_natives() {
  return kMethods;
}

}  // namespace sefleet::card::javacard::natives

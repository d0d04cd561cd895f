// The Java Card virtual machine of one card: the ROM classes (shared by every VM of the process), the
// packages loaded on this card, the heap, the applet instances, and the interpreter that runs them.
// JavaCardVm (the facade) and JavaApplet (the runtime adapter) drive it; natives reach it through
// NativeCall.
//
// Execution model: the card calls into Java through entries (Vm::Entry: one APDU's process(), a
// select(), install(), a static initialiser...). An entry sets the instruction budget, the applet
// instance and the runtime's AppletContext; when it ends, an open transaction is aborted, requested
// object deletion runs, and freed handles become reusable.
//
// Firewall (docs/javacard.md "Firewall"): every frame runs in a context (its package's, or the JCRE's).
// Code of applet packages is checked on every field, array and instance method access; code of the
// ROM is the JCRE's implementation and is trusted (it checks what the API says it checks). Invoking an
// instance method of an object owned by another context switches to that context.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/vm/apdu_state.hpp"
#include "card/javacard/vm/class_initialisation.hpp"
#include "card/javacard/vm/native_call.hpp"
#include "card/javacard/vm/package.hpp"
#include "card/javacard/vm/runtime_class.hpp"
#include "card/javacard/vm/vm_types.hpp"
#include "core/error.hpp"

namespace sefleet::card {
class AppletRegistry;
}

namespace sefleet::card::javacard::vm {

class Rom;

// A registered applet instance.
struct Instance {
  InstanceId id = kNoInstance;
  Bytes aid;
  Ref applet = kNull;      // the Applet object
  Ref aid_object = kNull;  // the JCRE-owned AID object (a permanent entry point object)
  Package* package = nullptr;
  const RtClass* cls = nullptr;
  bool multi_selectable = false;      // implements javacard.framework.MultiSelectable
  bool extended_length = false;       // implements javacardx.apdu.ExtendedLength
  std::uint32_t active_channels = 0;  // bit per logical channel it is selected on (RAM only)
};

// One call into Java from the card.
struct EntryState {
  card::AppletContext* applet_context = nullptr;
  Instance* instance = nullptr;  // the applet the entry runs for (null: package initialisation)
  ApduState* apdu = nullptr;     // select()/process() only
  std::uint64_t executed = 0;    // bytecodes executed so far
  bool selecting = false;        // the APDU is the SELECT that selected the applet
  bool reselecting = false;      // ... and it was already selected on this channel
  // install(): the instance AID the applet must register with, and the instance once registered.
  std::optional<Bytes> install_aid;
  InstanceId install_instance = kNoInstance;  // the id the instance gets (objects made before register())
  Instance* registered = nullptr;
  ContextId install_context = kJcreContext;
  bool deletion_requested = false;
  // A deferred task of org.sefleet.deferred runs: the transaction is the executor's (JCSystem's
  // commitTransaction/abortTransaction are refused with ILLEGAL_USE).
  bool deferred_task = false;
  std::vector<Ref> global_arrays;  // JCSystem.makeGlobalArray: freed when the entry ends
};

class Vm {
 public:
  explicit Vm(const VmServices& services);
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  const VmServices& services() const noexcept { return services_; }
  // The card's registry once JavaCardVm::attach() gave it (null before): the GlobalPlatform natives use
  // it where no AppletContext is at hand (install()).
  AppletRegistry* card_registry() const noexcept { return card_registry_; }
  void set_card_registry(AppletRegistry* registry) noexcept { card_registry_ = registry; }
  const VmLimits& limits() const noexcept { return services_.limits; }
  heap::Heap& heap() noexcept { return *heap_; }
  const heap::Heap& heap() const noexcept { return *heap_; }
  VirtualClock& clock() const noexcept { return *services_.clock; }

  // ---- classes ----
  // A class of the ROM or of a loaded package; nullptr when there is none.
  const RtClass* find_class(std::string_view name) const;
  // A ROM class the VM itself needs (VmAbort when the ROM lacks it).
  const RtClass& rom_class(std::string_view name) const;
  const Rom& rom() const noexcept { return *rom_; }

  // ---- packages ----
  std::vector<std::unique_ptr<Package>>& packages() noexcept { return packages_; }
  const std::vector<std::unique_ptr<Package>>& packages() const noexcept { return packages_; }
  Package* find_package(ByteView aid) const;
  // Links `load_file` against the ROM and the packages on the card (nothing changes). Throws LoadError.
  std::unique_ptr<Package> link_package(const LoadFile& load_file) const;
  // Adds a linked package (assigning it a context and class ids) and, `with_statics`, creates its
  // statics objects (a load, inside a heap batch; then run_static_initialisers()). At card open the
  // statics objects come from the heap instead: attach_statics().
  Package& add_package(std::unique_ptr<Package> package, ContextId context, bool with_statics);
  void attach_statics(const RtClass& cls, Ref ref);
  void run_static_initialisers(Package& package);
  void detach_package_statics(const Package& package);
  void remove_package(Package& package);
  ContextId next_free_context() const;

  // ---- statics ----
  heap::Object& statics(const RtClass& cls) const {
    heap::Object* object = statics_objects_[cls.id];
    if (object == nullptr) throw VmAbort("class " + cls.name + " has no static fields");
    return *object;
  }
  Ref statics_ref(const RtClass& cls) const { return statics_[cls.id]; }

  // ---- instances ----
  std::vector<std::unique_ptr<Instance>>& instances() noexcept { return instances_; }
  Instance* find_instance(ByteView aid) const;
  Instance* find_instance(InstanceId id) const;
  // Registers the applet object `applet` of the running install() entry with `aid`.
  Instance& register_instance(Ref applet, ByteView aid);
  InstanceId next_instance_id() const;
  // The AID object of an instance, made on first use (persistent, JCRE-owned entry point).
  Ref aid_object(Instance& instance);
  // The AID object of an application of the card that is no Java instance (the ISD, a built-in applet),
  // for JCSystem.lookupAID: made like an instance's, once per run, and reused while it lives.
  Ref card_application_aid_object(ByteView aid);

  // ---- entries and execution ----
  // Runs `method` with `args` (this first for instance methods) in `context` for `instance`, inside
  // the current entry. Returns the result slot (0 for void). JavaThrow escapes when uncaught.
  std::int32_t call(const RtMethod& method, std::span<const std::int32_t> args, ContextId context, InstanceId instance);
  EntryState& entry() noexcept { return entry_; }
  // The frame that called the running native (a native has no frame of its own): its context, whether
  // it is ROM code, and the instance that was active before its last context switch.
  ContextId caller_context() const noexcept { return depth_ > 0 ? frames_[depth_ - 1].context : kJcreContext; }
  bool caller_privileged() const noexcept { return depth_ == 0 || frames_[depth_ - 1].privileged; }
  InstanceId caller_previous_instance() const noexcept {
    return depth_ > 0 ? frames_[depth_ - 1].previous_instance : kNoInstance;
  }
  // Starts/ends an entry: budget, applet context; end aborts an open transaction, runs requested
  // object deletion and releases freed handles.
  void begin_entry(EntryState state);
  void end_entry() noexcept;
  bool in_entry() const noexcept { return in_entry_; }

  // ---- exceptions ----
  Ref exception_instance(const RtClass& cls);  // the JCRE-owned instance (temporary entry point)
  [[noreturn]] void throw_vm(VmException kind);
  [[noreturn]] void throw_api(std::string_view class_name, std::int16_t reason);
  // The reason of a CardException / CardRuntimeException object (its `reason` field).
  std::int16_t exception_reason(Ref exception);

  // ---- allocation in a context ----
  Ref new_instance(const RtClass& cls, ContextId context, InstanceId instance);
  Ref new_array(ArrayType type, std::int32_t length, ContextId context, InstanceId instance, Transience transience,
                const RtClass* element_class = nullptr);
  // Objects the VM creates for itself (ROM static initialisation, exceptions, APDU): RAM only,
  // owned by the JCRE.
  bool creating_rom_objects() const noexcept { return rom_init_; }
  // Handles below this one belong to the objects of the ROM's static initialisation.
  Ref rom_handle_limit() const noexcept { return rom_handle_limit_; }

  // ---- native side table ----
  NativeCacheEntry* find_cache(Ref object, const void* type) const;
  void store_cache(Ref object, const void* type, std::unique_ptr<NativeCacheEntry> entry);
  void drop_cache(Ref object);
  // Card reset: drops every entry but those kept_on_reset().
  void drop_all_caches() noexcept;

  // ---- transient events ----
  void on_reset();
  void on_deselect(ContextId context);

  // The APDU object and buffer (RAM-only, JCRE-owned, created at start).
  Ref apdu_object() const noexcept { return apdu_object_; }
  Ref apdu_buffer() const noexcept { return apdu_buffer_; }
  Ref extended_apdu_buffer() const noexcept { return extended_apdu_buffer_; }

  // ---- object deletion ----
  void collect_garbage();
  // Objects owned by `instance` that a root other than the instance itself reaches (JCRE 11.3.4: the
  // instance cannot be deleted while they exist).
  bool instance_referenced_elsewhere(const Instance& instance);
  // Objects of the package's classes that a root other than the package's statics reaches.
  bool package_objects_referenced_elsewhere(const Package& package);

  // ---- NVM records of packages and instances (vm_store.cpp) ----
  // Rebuilds packages, objects and instances from the store (card open). Error(integrity_error).
  void load_stored_state();
  void write_package_record(const Package& package);
  Bytes rom_record() const;
  void erase_package_record(const Package& package);
  void write_instance_record(const Instance& instance);
  void erase_instance_record(const Instance& instance);
  // Runs `changes` as one atomic step: a heap batch and one NVM transaction (joined when the store
  // already has one open). On an exception the heap's RAM state is rolled back and it passes on.
  template <typename Changes>
  void atomically(Changes&& changes);

 private:
  bool store_in_transaction() const;
  void store_begin();
  void store_commit();
  void store_abort() noexcept;

  // One activation: its locals start in the slot stack, its operand stack follows them.
  struct Frame {
    const RtMethod* method = nullptr;
    const std::uint8_t* pc = nullptr;  // the current instruction (a call site while a callee runs)
    std::int32_t* locals = nullptr;
    std::int32_t* stack_base = nullptr;
    std::int32_t* sp = nullptr;
    ContextId context = kJcreContext;
    InstanceId instance = kNoInstance;
    InstanceId previous_instance = kNoInstance;  // the active instance before the last context switch
    bool privileged = false;                     // ROM code: the JCRE's implementation
  };

  std::int32_t execute(const RtMethod& method, std::int32_t* args, ContextId context, InstanceId instance);
  bool dispatch_exception(Ref exception, std::uint16_t base_depth);
  Ref capacity_exception(const heap::CapacityExceeded& full);
  Ref allocate_instance(const RtClass& cls, ContextId context, InstanceId instance);
  Ref new_aid_object(ByteView aid_bytes);  // JCRE-owned, persistent, a permanent entry point
  Ref allocate_array(heap::ObjectKind kind, std::int32_t length, ContextId context, InstanceId instance,
                     Transience transience, const RtClass* element_class);
  void create_statics(const RtClass& cls, ContextId context, std::uint8_t flags);
  // Runs the static initialisers of `classes` (class_initialisation.hpp gives the order).
  void initialise_classes(const std::vector<const RtClass*>& classes, ContextId context);
  void run_initialisers(std::span<const ClassInitialiser> order, ContextId context);
  void initialise_rom();

  VmServices services_;
  AppletRegistry* card_registry_ = nullptr;
  const Rom* rom_;
  std::unique_ptr<heap::Heap> heap_;
  std::vector<std::unique_ptr<Package>> packages_;
  std::unordered_map<std::string_view, const RtClass*> package_classes_;
  std::vector<Ref> statics_;                    // by class id: the statics object (kNull: none)
  std::vector<heap::Object*> statics_objects_;  // by class id: the same object (the interpreter's path)
  std::vector<Frame> frames_;                   // max_call_depth frames, reused
  std::vector<std::unique_ptr<Instance>> instances_;
  std::unordered_map<const RtClass*, Ref> exception_instances_;
  std::vector<std::pair<Bytes, Ref>> card_application_aids_;  // card_application_aid_object()
  std::unordered_map<Ref, std::vector<std::pair<const void*, std::unique_ptr<NativeCacheEntry>>>> cache_;
  Ref apdu_object_ = kNull;
  Ref apdu_buffer_ = kNull;
  Ref extended_apdu_buffer_ = kNull;
  std::vector<std::int32_t> slots_;  // the slot stack of every frame of an entry
  std::size_t slot_top_ = 0;
  std::uint16_t depth_ = 0;
  EntryState entry_;
  bool in_entry_ = false;
  bool rom_init_ = false;
  Ref rom_handle_limit_ = kNull;
  std::uint32_t next_class_id_ = 0;
  const RtField* runtime_reason_ = nullptr;  // CardRuntimeException.reason
  const RtField* checked_reason_ = nullptr;  // CardException.reason
};

template <typename Changes>
void Vm::atomically(Changes&& changes) {
  nvm::NvmStore* store = services_.store;
  const bool own = store != nullptr && !store_in_transaction();
  if (own) store_begin();
  heap_->begin_batch();
  try {
    changes();
    heap_->commit_batch();
    if (own) store_commit();
  } catch (...) {
    if (heap_->in_batch()) heap_->abort_batch();
    if (own) store_abort();
    throw;
  }
}

}  // namespace sefleet::card::javacard::vm

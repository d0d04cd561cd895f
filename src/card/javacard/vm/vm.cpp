#include "card/javacard/vm/vm.hpp"

#include <algorithm>
#include <cstring>
#include <iterator>

#include "card/javacard/vm/rom.hpp"
#include "core/log.hpp"

namespace sefleet::card::javacard::vm {

namespace {

constexpr std::string_view kCardRuntimeException = "javacard/framework/CardRuntimeException";
constexpr std::string_view kCardException = "javacard/framework/CardException";
constexpr std::string_view kTransactionException = "javacard/framework/TransactionException";
constexpr std::string_view kSystemException = "javacard/framework/SystemException";
constexpr std::int16_t kTransactionBufferFull = 3;
constexpr std::int16_t kSystemNoTransientSpace = 2;
constexpr std::int16_t kSystemNoResource = 5;

std::string_view vm_exception_class(VmException kind) {
  switch (kind) {
    case VmException::arithmetic:
      return "java/lang/ArithmeticException";
    case VmException::array_index_out_of_bounds:
      return "java/lang/ArrayIndexOutOfBoundsException";
    case VmException::array_store:
      return "java/lang/ArrayStoreException";
    case VmException::class_cast:
      return "java/lang/ClassCastException";
    case VmException::negative_array_size:
      return "java/lang/NegativeArraySizeException";
    case VmException::null_pointer:
      return "java/lang/NullPointerException";
    case VmException::security:
      return "java/lang/SecurityException";
  }
  return "java/lang/RuntimeException";
}

heap::ObjectKind kind_of(ArrayType type) {
  switch (type) {
    case ArrayType::boolean_:
      return heap::ObjectKind::array_boolean;
    case ArrayType::byte_:
      return heap::ObjectKind::array_byte;
    case ArrayType::short_:
      return heap::ObjectKind::array_short;
    case ArrayType::int_:
      return heap::ObjectKind::array_int;
    case ArrayType::reference:
      return heap::ObjectKind::array_reference;
  }
  return heap::ObjectKind::array_byte;
}

}  // namespace

Vm::Vm(const VmServices& services) : services_(services), rom_(&Rom::instance()) {
  if (services_.clock == nullptr || services_.random == nullptr) {
    throw Error(Errc::invalid_argument, "Java Card VM: a clock and a random source are required");
  }
  heap::HeapLimits heap_limits;
  heap_limits.persistent_capacity = services_.limits.persistent_capacity;
  heap_limits.transient_capacity = services_.limits.transient_capacity;
  heap_limits.commit_capacity = services_.limits.commit_capacity;
  heap_ = std::make_unique<heap::Heap>(services_.store, *services_.clock, heap_limits);
  slots_.resize(services_.limits.slot_stack);
  frames_.resize(services_.limits.max_call_depth);
  next_class_id_ = static_cast<std::uint32_t>(rom_->classes().size());
  statics_.assign(next_class_id_, kNull);
  statics_objects_.assign(next_class_id_, nullptr);
  if (const RtClass* cls = rom_->find(kCardRuntimeException)) runtime_reason_ = cls->find_field("reason");
  if (const RtClass* cls = rom_->find(kCardException)) checked_reason_ = cls->find_field("reason");
  if (runtime_reason_ == nullptr || checked_reason_ == nullptr) {
    throw VmAbort("the ROM's CardException/CardRuntimeException have no reason field");
  }
  initialise_rom();
}

Vm::~Vm() = default;

// ---- classes -------------------------------------------------------------------------------------

const RtClass* Vm::find_class(std::string_view name) const {
  if (const RtClass* cls = rom_->find(name)) return cls;
  const auto it = package_classes_.find(name);
  return it != package_classes_.end() ? it->second : nullptr;
}

const RtClass& Vm::rom_class(std::string_view name) const {
  const RtClass* cls = rom_->find(name);
  if (cls == nullptr) throw VmAbort("the ROM has no class " + std::string(name));
  return *cls;
}

// ---- ROM start -----------------------------------------------------------------------------------

// The ROM's static fields and the objects its static initialisers create live in RAM only and are the
// JCRE's; they are made again at every start (a card's ROM is not state). The APDU object and its
// buffers are made here too.
void Vm::initialise_rom() {
  rom_init_ = true;
  for (const auto& cls : rom_->classes()) {
    if (cls->static_slots > 0) create_statics(*cls, kJcreContext, 0);
  }
  const RtClass& apdu = rom_class("javacard/framework/APDU");
  apdu_object_ = heap_->new_instance(apdu, heap::Owner{}, heap::flag::kTemporaryEntryPoint);
  apdu_buffer_ = heap_->new_array(heap::ObjectKind::array_byte, kApduBufferSize, heap::Owner{}, heap::flag::kGlobal);
  extended_apdu_buffer_ =
      heap_->new_array(heap::ObjectKind::array_byte, kExtendedApduBufferSize, heap::Owner{}, heap::flag::kGlobal);
  EntryState state;
  begin_entry(std::move(state));
  try {
    run_initialisers(rom_->initialisers(), kJcreContext);
  } catch (...) {
    end_entry();
    rom_init_ = false;
    throw;
  }
  end_entry();
  rom_init_ = false;
  // Everything made so far is the ROM's: the same handles at every start of the same ROM, never
  // collected, so that a stored field may refer to one of them (a permanent entry point object).
  rom_handle_limit_ = static_cast<Ref>(heap_->table_size());
}

void Vm::create_statics(const RtClass& cls, ContextId context, std::uint8_t flags) {
  const Ref ref = heap_->new_statics(cls, context, flags);
  if (cls.id >= statics_.size()) {
    statics_.resize(cls.id + 1, kNull);
    statics_objects_.resize(cls.id + 1, nullptr);
  }
  statics_[cls.id] = ref;
  statics_objects_[cls.id] = heap_->find(ref);
  // ConstantValue attributes initialise static final fields before any initialiser runs (JVMS 5.5).
  heap::Object& object = *statics_objects_[cls.id];
  for (const auto& field : cls.fields) {
    if (field.is_static && field.constant) {
      heap_->write_slot(ref, object, field.slot, *field.constant, Atomicity::atomic);
    }
  }
}

// ---- execution -----------------------------------------------------------------------------------

std::int32_t Vm::call(const RtMethod& method, std::span<const std::int32_t> args, ContextId context,
                      InstanceId instance) {
  if (args.size() != method.arg_slots) throw VmAbort("wrong argument count calling " + method.qualified_name());
  std::vector<std::int32_t> copy(args.begin(), args.end());
  return execute(method, copy.data(), context, instance);
}

void Vm::begin_entry(EntryState state) {
  entry_ = std::move(state);
  entry_.executed = 0;
  in_entry_ = true;
}

void Vm::end_entry() noexcept {
  try {
    clock().charge(SeOperation::bytecode, entry_.executed);
    if (heap_->in_transaction()) {
      spdlog::warn("Java Card VM: aborting the transaction left open at the end of the entry");
      heap_->abort_transaction();
    }
    // Global arrays cannot be stored anywhere (firewall), so nothing reaches them after the entry.
    heap_->free_objects(entry_.global_arrays);
    if (entry_.deletion_requested && !heap_->in_batch()) collect_garbage();
  } catch (const std::exception& e) {
    spdlog::error("Java Card VM: ending the entry failed: {}", e.what());
  }
  heap_->release_quarantine();
  entry_ = EntryState{};
  in_entry_ = false;
  depth_ = 0;
  slot_top_ = 0;
}

// ---- exceptions ----------------------------------------------------------------------------------

Ref Vm::exception_instance(const RtClass& cls) {
  if (const auto it = exception_instances_.find(&cls); it != exception_instances_.end()) return it->second;
  const Ref ref = heap_->new_instance(cls, heap::Owner{}, heap::flag::kTemporaryEntryPoint);
  exception_instances_.emplace(&cls, ref);
  return ref;
}

void Vm::throw_vm(VmException kind) {
  throw JavaThrow{exception_instance(rom_class(vm_exception_class(kind)))};
}

void Vm::throw_api(std::string_view class_name, std::int16_t reason) {
  const RtClass* cls = find_class(class_name);
  if (cls == nullptr || !cls->is_throwable) throw VmAbort("no exception class " + std::string(class_name));
  const Ref ref = exception_instance(*cls);
  heap::Object& object = *heap_->find(ref);
  if (cls->is_assignable_to(*runtime_reason_->owner)) {
    object.set_slot(runtime_reason_->slot, reason);
  } else if (cls->is_assignable_to(*checked_reason_->owner)) {
    object.set_slot(checked_reason_->slot, reason);
  }
  throw JavaThrow{ref};
}

std::int16_t Vm::exception_reason(Ref exception) {
  const heap::Object* object = heap_->find(exception);
  if (object == nullptr || object->kind != heap::ObjectKind::instance) return 0;
  if (object->cls->is_assignable_to(*runtime_reason_->owner)) {
    return static_cast<std::int16_t>(object->slot(runtime_reason_->slot));
  }
  if (object->cls->is_assignable_to(*checked_reason_->owner)) {
    return static_cast<std::int16_t>(object->slot(checked_reason_->slot));
  }
  return 0;
}

Ref Vm::capacity_exception(const heap::CapacityExceeded& full) {
  const auto make = [&](std::string_view name, std::int16_t reason) {
    try {
      throw_api(name, reason);
    } catch (const JavaThrow& thrown) {
      return thrown.exception;
    }
  };
  switch (full.kind) {
    case heap::CapacityExceeded::Kind::commit_buffer:
      return make(kTransactionException, kTransactionBufferFull);
    case heap::CapacityExceeded::Kind::transient:
      return make(kSystemException, kSystemNoTransientSpace);
    case heap::CapacityExceeded::Kind::persistent:
      break;
  }
  return make(kSystemException, kSystemNoResource);
}

// ---- allocation ----------------------------------------------------------------------------------

Ref Vm::allocate_instance(const RtClass& cls, ContextId context, InstanceId instance) {
  if (rom_init_) {
    return heap_->new_instance(
        cls, heap::Owner{},
        cls.permanent_entry_point ? heap::flag::kPermanentEntryPoint : heap::flag::kTemporaryEntryPoint);
  }
  return heap_->new_instance(cls, heap::Owner{context, instance}, heap::flag::kPersistent);
}

Ref Vm::allocate_array(heap::ObjectKind kind, std::int32_t length, ContextId context, InstanceId instance,
                       Transience transience, const RtClass* element_class) {
  if (length < 0) throw_vm(VmException::negative_array_size);
  if (kind == heap::ObjectKind::array_reference && element_class == nullptr) {
    element_class = &rom_class("java/lang/Object");
  }
  if (rom_init_) {
    const std::uint8_t flags = transience == Transience::clear_on_reset      ? heap::flag::kClearOnReset
                               : transience == Transience::clear_on_deselect ? heap::flag::kClearOnDeselect
                                                                             : 0;
    return heap_->new_array(kind, length, heap::Owner{}, flags, element_class);
  }
  std::uint8_t flags = heap::flag::kPersistent;
  if (transience == Transience::clear_on_reset) flags |= heap::flag::kClearOnReset;
  if (transience == Transience::clear_on_deselect) flags |= heap::flag::kClearOnDeselect;
  return heap_->new_array(kind, length, heap::Owner{context, instance}, flags, element_class);
}

Ref Vm::new_instance(const RtClass& cls, ContextId context, InstanceId instance) {
  return allocate_instance(cls, context, instance);
}

Ref Vm::new_array(ArrayType type, std::int32_t length, ContextId context, InstanceId instance, Transience transience,
                  const RtClass* element_class) {
  return allocate_array(kind_of(type), length, context, instance, transience, element_class);
}

// ---- native side table ---------------------------------------------------------------------------

NativeCacheEntry* Vm::find_cache(Ref object, const void* type) const {
  const auto it = cache_.find(object);
  if (it == cache_.end()) return nullptr;
  for (const auto& [key, entry] : it->second) {
    if (key == type) return entry.get();
  }
  return nullptr;
}

void Vm::store_cache(Ref object, const void* type, std::unique_ptr<NativeCacheEntry> entry) {
  auto& entries = cache_[object];
  for (auto& [key, existing] : entries) {
    if (key == type) {
      existing = std::move(entry);
      return;
    }
  }
  entries.emplace_back(type, std::move(entry));
}

void Vm::drop_cache(Ref object) {
  cache_.erase(object);
}

void Vm::drop_all_caches() noexcept {
  for (auto it = cache_.begin(); it != cache_.end();) {
    std::erase_if(it->second, [](const auto& entry) { return !entry.second->kept_on_reset(); });
    it = it->second.empty() ? cache_.erase(it) : std::next(it);
  }
}

// ---- transient events ----------------------------------------------------------------------------

void Vm::on_reset() {
  heap_->clear_transient_on_reset();
  for (const auto& package : packages_) heap_->clear_transient_on_deselect(package->context);
  heap_->clear_transient_on_deselect(kJcreContext);
  for (auto& instance : instances_) instance->active_channels = 0;
  drop_all_caches();
}

void Vm::on_deselect(ContextId context) {
  heap_->clear_transient_on_deselect(context);
}

// ---- instances -----------------------------------------------------------------------------------

Instance* Vm::find_instance(ByteView aid) const {
  for (const auto& instance : instances_) {
    if (std::ranges::equal(instance->aid, aid)) return instance.get();
  }
  return nullptr;
}

Instance* Vm::find_instance(InstanceId id) const {
  for (const auto& instance : instances_) {
    if (instance->id == id) return instance.get();
  }
  return nullptr;
}

InstanceId Vm::next_instance_id() const {
  InstanceId id = 1;
  for (const auto& instance : instances_) id = std::max<InstanceId>(id, static_cast<InstanceId>(instance->id + 1));
  return id;
}

namespace {
const RtField& aid_bytes_field(const RtClass& aid_class) {
  const RtField* field = aid_class.find_field("aid");
  if (field == nullptr) throw VmAbort("javacard/framework/AID has no aid field");
  return *field;
}
}  // namespace

Ref Vm::aid_object(Instance& instance) {
  if (instance.aid_object != kNull && heap_->find(instance.aid_object) != nullptr) return instance.aid_object;
  instance.aid_object = new_aid_object(instance.aid);
  return instance.aid_object;
}

Ref Vm::card_application_aid_object(ByteView aid) {
  const RtClass& aid_class = rom_class("javacard/framework/AID");
  const RtField& field = aid_bytes_field(aid_class);
  for (const auto& [bytes, ref] : card_application_aids_) {
    if (!std::ranges::equal(bytes, aid)) continue;
    // Still that object (requestObjectDeletion may have deleted it and reused the handle)?
    const heap::Object* object = heap_->find(ref);
    const heap::Object* array = object != nullptr && object->cls == &aid_class
                                    ? heap_->find(static_cast<Ref>(object->slot(field.slot)))
                                    : nullptr;
    if (array != nullptr && array->kind == heap::ObjectKind::array_byte &&
        std::ranges::equal(ByteView(array->bytes(), array->byte_size()), aid)) {
      return ref;
    }
  }
  const Bytes copy(aid.begin(), aid.end());
  const Ref ref = new_aid_object(copy);
  std::erase_if(card_application_aids_, [&](const auto& entry) { return entry.first == copy; });
  card_application_aids_.emplace_back(copy, ref);
  return ref;
}

Ref Vm::new_aid_object(ByteView aid_bytes) {
  const RtClass& aid_class = rom_class("javacard/framework/AID");
  const RtField& bytes_field = aid_bytes_field(aid_class);
  const Ref bytes = heap_->new_array(heap::ObjectKind::array_byte, static_cast<std::int32_t>(aid_bytes.size()),
                                     heap::Owner{}, heap::flag::kPersistent);
  heap::Object& array = *heap_->find(bytes);
  heap_->write_bytes(bytes, array, 0, aid_bytes, Atomicity::atomic);
  const Ref aid =
      heap_->new_instance(aid_class, heap::Owner{}, heap::flag::kPersistent | heap::flag::kPermanentEntryPoint);
  heap_->write_slot(aid, *heap_->find(aid), bytes_field.slot, static_cast<std::int32_t>(bytes), Atomicity::atomic);
  return aid;
}

}  // namespace sefleet::card::javacard::vm

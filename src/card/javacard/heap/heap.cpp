#include "card/javacard/heap/heap.hpp"

#include <algorithm>
#include <cstring>
#include <utility>

#include "card/javacard/vm/runtime_class.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/error.hpp"

namespace sefleet::card::javacard::heap {

namespace {

// Bookkeeping bits of Object::flags that are never stored (see heap_store.cpp).
inline constexpr std::uint8_t kCreatedInTransaction = 0x40;
inline constexpr std::uint8_t kCreatedInBatch = 0x80;

std::unique_ptr<std::uint8_t[]> zeroed(std::size_t size) {
  // At least one byte, so that an empty array still has a block (data() is never null).
  return std::make_unique<std::uint8_t[]>(std::max<std::size_t>(size, 1));
}

std::uint64_t chunk_of(Ref ref, std::size_t chunk) {
  return (static_cast<std::uint64_t>(ref) << 32) | static_cast<std::uint32_t>(chunk);
}

}  // namespace

Heap::Heap(nvm::NvmStore* store, VirtualClock& clock, HeapLimits limits)
    : store_(store), clock_(&clock), limits_(limits) {
  table_.resize(1);  // handle 0 is null
}

Heap::~Heap() = default;

// ---- allocation ----------------------------------------------------------------------------------

Ref Heap::allocate_handle() {
  if (!free_handles_.empty()) {
    const Ref ref = free_handles_.back();
    free_handles_.pop_back();
    return ref;
  }
  if (table_.size() >= 0xFFFFFFFFu) throw CapacityExceeded{CapacityExceeded::Kind::persistent};
  table_.emplace_back();
  return static_cast<Ref>(table_.size() - 1);
}

void Heap::charge_capacity(const Object& object) {
  if ((object.flags & flag::kPersistent) == 0) return;
  const bool transient = (object.flags & flag::kTransient) != 0;
  const std::size_t stored = kObjectOverhead + (transient ? 0 : object.byte_size());
  if (persistent_bytes_ + stored > limits_.persistent_capacity) {
    throw CapacityExceeded{CapacityExceeded::Kind::persistent};
  }
  if (transient && transient_bytes_ + object.byte_size() > limits_.transient_capacity) {
    throw CapacityExceeded{CapacityExceeded::Kind::transient};
  }
  persistent_bytes_ += stored;
  if (transient) transient_bytes_ += object.byte_size();
}

void Heap::release_capacity(const Object& object) noexcept {
  if ((object.flags & flag::kPersistent) == 0) return;
  const bool transient = (object.flags & flag::kTransient) != 0;
  persistent_bytes_ -= kObjectOverhead + (transient ? 0 : object.byte_size());
  if (transient) transient_bytes_ -= object.byte_size();
}

Ref Heap::install(std::unique_ptr<Object> object) {
  charge_capacity(*object);
  // Only stored objects take part in transactions and batches: a RAM-only object of the JCRE (an
  // exception instance made while a transaction was open, a global array) outlives their abort.
  const bool persistent = (object->flags & flag::kPersistent) != 0;
  if (persistent && transaction_open_) object->flags |= kCreatedInTransaction;
  if (persistent && batch_open_) object->flags |= kCreatedInBatch;
  Ref ref = 0;
  try {
    ref = allocate_handle();
  } catch (...) {
    release_capacity(*object);
    throw;
  }
  if ((object->flags & flag::kTransient) != 0) transient_arrays_.insert(ref);
  table_[ref] = std::move(object);
  ++live_count_;
  if (persistent && transaction_open_) created_in_transaction_.push_back(ref);
  if (persistent && batch_open_) created_in_batch_.push_back(ref);
  if (persistent) {
    dirty_headers_.insert(ref);
    if (!transaction_open_ && !batch_open_) flush();
  }
  return ref;
}

Ref Heap::new_instance(const vm::RtClass& cls, Owner owner, std::uint8_t flags) {
  auto object = std::make_unique<Object>();
  object->kind = ObjectKind::instance;
  object->flags = flags;
  object->context = owner.context;
  object->owner = owner.instance;
  object->length = cls.instance_slots;
  object->cls = &cls;
  object->data = zeroed(object->byte_size());
  return install(std::move(object));
}

Ref Heap::new_statics(const vm::RtClass& cls, ContextId context, std::uint8_t flags) {
  auto object = std::make_unique<Object>();
  object->kind = ObjectKind::statics;
  object->flags = flags;
  object->context = context;
  object->length = cls.static_slots;
  object->cls = &cls;
  object->data = zeroed(object->byte_size());
  return install(std::move(object));
}

Ref Heap::new_array(ObjectKind kind, std::int32_t length, Owner owner, std::uint8_t flags,
                    const vm::RtClass* element_class) {
  auto object = std::make_unique<Object>();
  object->kind = kind;
  object->flags = flags;
  object->context = owner.context;
  object->owner = owner.instance;
  object->length = length;
  object->cls = element_class;
  object->data = zeroed(object->byte_size());
  return install(std::move(object));
}

void Heap::add_flags(Ref ref, std::uint8_t flags) noexcept {
  if (Object* object = find(ref)) object->flags |= flags;
}

// ---- the write barrier ---------------------------------------------------------------------------

void Heap::before_write(Ref ref, Object& object, std::size_t offset, std::size_t size, vm::Atomicity atomicity) {
  if (transaction_open_ && atomicity == vm::Atomicity::atomic && (object.flags & kCreatedInTransaction) == 0) {
    // An object created in this transaction disappears on abort: its writes need no journal.
    if (journal_bytes_ + size + kJournalEntryOverhead > limits_.commit_capacity) {
      throw CapacityExceeded{CapacityExceeded::Kind::commit_buffer};
    }
    undo_.push_back({ref, static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(size), undo_pool_.size()});
    undo_pool_.insert(undo_pool_.end(), object.bytes() + offset, object.bytes() + offset + size);
    journal_bytes_ += size + kJournalEntryOverhead;
  }
  if (batch_open_ && (object.flags & kCreatedInBatch) == 0) {
    const std::size_t first = offset / kChunkBytes;
    const std::size_t last = (offset + size - 1) / kChunkBytes;
    for (std::size_t chunk = first; chunk <= last; ++chunk) {
      const ChunkKey key = chunk_of(ref, chunk);
      if (batch_snapshots_.contains(key)) continue;
      const std::size_t begin = chunk * kChunkBytes;
      const std::size_t end = std::min(begin + kChunkBytes, object.byte_size());
      batch_snapshots_.emplace(key, Bytes(object.bytes() + begin, object.bytes() + end));
    }
  }
}

void Heap::after_write(Ref ref, const Object& object, std::size_t offset, std::size_t size, vm::Atomicity atomicity) {
  clock_->charge(atomicity == vm::Atomicity::atomic ? SeOperation::nvm_write_atomic : SeOperation::nvm_write_nonatomic,
                 size);
  if (batch_open_) {
    mark_dirty(ref, object, offset, size);
  } else if (!transaction_open_) {
    mark_dirty(ref, object, offset, size);
    flush();
  } else if (atomicity == vm::Atomicity::atomic) {
    mark_dirty(ref, object, offset, size);  // committed by commit_transaction()
  } else if ((object.flags & kCreatedInTransaction) != 0) {
    mark_dirty(ref, object, offset, size);  // its header is stored by the commit too (or it is freed)
  } else {
    flush_outside_transaction(ref, object, offset, size);
  }
}

void Heap::mark_dirty(Ref ref, const Object& object, std::size_t offset, std::size_t size) {
  (void)object;
  const std::size_t first = offset / kChunkBytes;
  const std::size_t last = (offset + size - 1) / kChunkBytes;
  for (std::size_t chunk = first; chunk <= last; ++chunk) dirty_chunks_.insert(chunk_of(ref, chunk));
}

void Heap::write_slot(Ref ref, Object& object, std::int32_t index, std::int32_t value, vm::Atomicity atomicity) {
  if (!object.persistent_data()) {
    object.set_slot(index, value);
    return;
  }
  const std::size_t offset = static_cast<std::size_t>(index) * 4;
  before_write(ref, object, offset, 4, atomicity);
  object.set_slot(index, value);
  after_write(ref, object, offset, 4, atomicity);
}

void Heap::write_short(Ref ref, Object& object, std::int32_t index, std::int16_t value, vm::Atomicity atomicity) {
  if (!object.persistent_data()) {
    object.set_short(index, value);
    return;
  }
  const std::size_t offset = static_cast<std::size_t>(index) * 2;
  before_write(ref, object, offset, 2, atomicity);
  object.set_short(index, value);
  after_write(ref, object, offset, 2, atomicity);
}

void Heap::write_byte(Ref ref, Object& object, std::int32_t index, std::uint8_t value, vm::Atomicity atomicity) {
  if (!object.persistent_data()) {
    object.bytes()[index] = value;
    return;
  }
  const auto offset = static_cast<std::size_t>(index);
  before_write(ref, object, offset, 1, atomicity);
  object.bytes()[index] = value;
  after_write(ref, object, offset, 1, atomicity);
}

void Heap::write_bytes(Ref ref, Object& object, std::int32_t offset, ByteView data, vm::Atomicity atomicity) {
  if (data.empty()) return;
  if (!object.persistent_data()) {
    std::memmove(object.bytes() + offset, data.data(), data.size());
    return;
  }
  const auto start = static_cast<std::size_t>(offset);
  before_write(ref, object, start, data.size(), atomicity);
  std::memmove(object.bytes() + start, data.data(), data.size());
  after_write(ref, object, start, data.size(), atomicity);
}

void Heap::fill_bytes(Ref ref, Object& object, std::int32_t offset, std::int32_t length, std::uint8_t value,
                      vm::Atomicity atomicity) {
  if (length <= 0) return;
  if (!object.persistent_data()) {
    std::memset(object.bytes() + offset, value, static_cast<std::size_t>(length));
    return;
  }
  const auto start = static_cast<std::size_t>(offset);
  const auto size = static_cast<std::size_t>(length);
  before_write(ref, object, start, size, atomicity);
  std::memset(object.bytes() + start, value, size);
  after_write(ref, object, start, size, atomicity);
}

// ---- transactions --------------------------------------------------------------------------------

std::size_t Heap::unused_commit_capacity() const noexcept {
  return transaction_open_ ? limits_.commit_capacity - journal_bytes_ : limits_.commit_capacity;
}

void Heap::begin_transaction() {
  transaction_open_ = true;
  journal_bytes_ = 0;
  undo_.clear();
  undo_pool_.clear();
  created_in_transaction_.clear();
}

void Heap::commit_transaction() {
  for (const Ref ref : created_in_transaction_) {
    if (Object* object = find(ref)) object->flags &= static_cast<std::uint8_t>(~kCreatedInTransaction);
  }
  transaction_open_ = false;
  undo_.clear();
  undo_pool_.clear();
  created_in_transaction_.clear();
  journal_bytes_ = 0;
  if (!batch_open_) {
    clock_->charge(SeOperation::transaction_commit);
    flush();
  }
}

void Heap::abort_transaction() {
  for (auto entry = undo_.rbegin(); entry != undo_.rend(); ++entry) {
    if (Object* object = find(entry->ref)) {
      if (entry->size > 0) std::memcpy(object->bytes() + entry->offset, undo_pool_.data() + entry->pool, entry->size);
    }
  }
  // Objects created in the transaction become unreachable from persistent state (the journal
  // restored every field that pointed at them) and are freed, as Java Card requires.
  const std::vector<Ref> created = std::move(created_in_transaction_);
  transaction_open_ = false;
  undo_.clear();
  undo_pool_.clear();
  created_in_transaction_.clear();
  journal_bytes_ = 0;
  for (const Ref ref : created) {
    if (find(ref) == nullptr) continue;
    dirty_headers_.erase(ref);
    std::erase(created_in_batch_, ref);
    remove_object(ref);
  }
  if (!batch_open_) {
    // Outside a batch every journalled chunk still holds, in the store, what RAM holds again now
    // (non-atomic writes were committed without the journalled changes).
    dirty_chunks_.clear();
    dirty_headers_.clear();
  }
}

// ---- batches -------------------------------------------------------------------------------------

void Heap::begin_batch() {
  batch_open_ = true;
  batch_snapshots_.clear();
  created_in_batch_.clear();
}

void Heap::commit_batch() {
  if (transaction_open_) abort_transaction();
  for (const Ref ref : created_in_batch_) {
    if (Object* object = find(ref)) object->flags &= static_cast<std::uint8_t>(~kCreatedInBatch);
  }
  batch_open_ = false;
  batch_snapshots_.clear();
  created_in_batch_.clear();
  clock_->charge(SeOperation::transaction_commit);
  flush();
}

void Heap::abort_batch() {
  if (transaction_open_) abort_transaction();
  for (const auto& [key, bytes] : batch_snapshots_) {
    const auto ref = static_cast<Ref>(key >> 32);
    const std::size_t chunk = key & 0xFFFFFFFFu;
    Object* object = find(ref);
    if (object != nullptr && !bytes.empty())
      std::memcpy(object->bytes() + chunk * kChunkBytes, bytes.data(), bytes.size());
  }
  const std::vector<Ref> created = std::move(created_in_batch_);
  batch_open_ = false;
  batch_snapshots_.clear();
  created_in_batch_.clear();
  for (const Ref ref : created) {
    if (find(ref) != nullptr) remove_object(ref);
  }
  // Nothing of the batch reached the store.
  dirty_chunks_.clear();
  dirty_headers_.clear();
  erased_.clear();
}

// ---- transient data ------------------------------------------------------------------------------

void Heap::clear_transient_on_reset() {
  for (const Ref ref : transient_arrays_) {
    Object* object = find(ref);
    if (object != nullptr && (object->flags & flag::kClearOnReset) != 0 && object->byte_size() > 0) {
      std::memset(object->bytes(), 0, object->byte_size());
    }
  }
}

void Heap::clear_transient_on_deselect(ContextId context) {
  for (const Ref ref : transient_arrays_) {
    Object* object = find(ref);
    if (object != nullptr && (object->flags & flag::kClearOnDeselect) != 0 && object->context == context &&
        object->byte_size() > 0) {
      std::memset(object->bytes(), 0, object->byte_size());
    }
  }
}

// ---- deletion ------------------------------------------------------------------------------------

void Heap::remove_object(Ref ref) {
  std::unique_ptr<Object> object = std::move(table_[ref]);
  if (!object) return;
  release_capacity(*object);
  transient_arrays_.erase(ref);
  const std::uint64_t low = chunk_of(ref, 0);
  const std::uint64_t high = chunk_of(ref, 0xFFFFFFFFu);
  dirty_chunks_.erase(dirty_chunks_.lower_bound(low), dirty_chunks_.upper_bound(high));
  batch_snapshots_.erase(batch_snapshots_.lower_bound(low), batch_snapshots_.upper_bound(high));
  dirty_headers_.erase(ref);
  --live_count_;
  quarantine_.push_back(ref);
}

void Heap::free_objects(const std::vector<Ref>& refs) {
  for (const Ref ref : refs) {
    const Object* object = find(ref);
    if (object == nullptr) continue;
    const bool stored =
        (object->flags & flag::kPersistent) != 0 && (object->flags & (kCreatedInBatch | kCreatedInTransaction)) == 0;
    if (stored) erased_[ref] = static_cast<std::uint32_t>((object->byte_size() + kChunkBytes - 1) / kChunkBytes);
    remove_object(ref);
  }
  if (!batch_open_ && !transaction_open_) flush();
}

void Heap::release_quarantine() {
  free_handles_.insert(free_handles_.end(), quarantine_.begin(), quarantine_.end());
  quarantine_.clear();
}

std::vector<Ref> Heap::live_refs() const {
  std::vector<Ref> refs;
  refs.reserve(live_count_);
  for (std::size_t ref = 1; ref < table_.size(); ++ref) {
    if (table_[ref]) refs.push_back(static_cast<Ref>(ref));
  }
  return refs;
}

}  // namespace sefleet::card::javacard::heap

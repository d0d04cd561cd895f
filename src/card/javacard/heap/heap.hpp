// The object store of the Java Card VM: a handle table of objects in RAM, persistent objects mirrored
// in the card's NvmStore, Java Card transactions, transient arrays and atomic batches.
//
// Persistence (docs/javacard.md "Persistence"): each persistent object has a header record
// "jc/o/<handle>" and its data in chunks "jc/o/<handle>/<chunk>" of kChunkBytes (big-endian
// elements; a chunk never written is zeros), so one element write rewrites one small record.
//
// Writes to persistent data go through the write barrier (write_*):
//  - no transaction, no batch: the changed chunk is committed at once as one NVM transaction (the
//    single write is atomic and durable);
//  - inside JCSystem.beginTransaction(): atomic writes are journalled (undo log, commit capacity) and
//    committed together by commit_transaction(); abort_transaction() undoes them in RAM and frees
//    the objects created since begin; non-atomic writes are not journalled (and are committed at once,
//    without the journalled changes of the same chunk);
//  - inside a batch (install, package load, static initialisers, deletion): nothing is committed
//    until commit_batch(), which writes every change as one NVM transaction; abort_batch() restores
//    the RAM state of the batch's start.
// If the NvmStore already has an open transaction when the heap commits, the heap's writes join it
// and the opener commits or aborts it (the ISD makes INSTALL one transaction with its own records).
// Transient arrays keep their header persistent and their data in RAM only; RAM-only objects (the
// JCRE's: APDU, exception instances, global arrays) are never stored.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "card/javacard/heap/object.hpp"
#include "card/javacard/vm/vm_types.hpp"
#include "core/bytes.hpp"

namespace sefleet::card {
class VirtualClock;
namespace nvm {
class NvmStore;
}
}  // namespace sefleet::card

namespace sefleet::card::javacard::heap {

inline constexpr std::size_t kChunkBytes = 128;
inline constexpr std::size_t kObjectOverhead = 16;       // bytes charged per object against the capacities
inline constexpr std::size_t kJournalEntryOverhead = 8;  // commit capacity used per journalled write
inline constexpr std::string_view kObjectKeyPrefix = "jc/o/";

struct HeapLimits {
  std::size_t persistent_capacity = 1024 * 1024;
  std::size_t transient_capacity = 16 * 1024;
  std::size_t commit_capacity = 5120;
};

// A capacity the heap cannot exceed; the VM throws the Java exception of the kind.
struct CapacityExceeded {
  enum class Kind : std::uint8_t { commit_buffer, persistent, transient } kind;
};

// Who owns a new object.
struct Owner {
  ContextId context = vm::kJcreContext;
  InstanceId instance = vm::kNoInstance;
};

// Resolves class names of stored objects when the heap is reloaded.
using ClassByName = std::function<const vm::RtClass*(std::string_view internal_name)>;

class Heap {
 public:
  Heap(nvm::NvmStore* store, VirtualClock& clock, HeapLimits limits);
  ~Heap();
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // ---- access ----
  Object* find(Ref ref) const noexcept { return ref < table_.size() ? table_[ref].get() : nullptr; }
  std::size_t table_size() const noexcept { return table_.size(); }

  // ---- allocation (CapacityExceeded when full; the object is zeroed) ----
  // `flags`: kPersistent for stored objects, kClearOnReset/kClearOnDeselect for transient arrays,
  // kGlobal and the entry point kinds for JCRE objects.
  Ref new_instance(const vm::RtClass& cls, Owner owner, std::uint8_t flags);
  Ref new_statics(const vm::RtClass& cls, ContextId context, std::uint8_t flags);
  Ref new_array(ObjectKind kind, std::int32_t length, Owner owner, std::uint8_t flags,
                const vm::RtClass* element_class = nullptr);
  // Marks a RAM-only JCRE object as an entry point / global (kTemporaryEntryPoint, ...).
  void add_flags(Ref ref, std::uint8_t flags) noexcept;

  // ---- the write barrier (index/offset already checked by the caller) ----
  void write_slot(Ref ref, Object& object, std::int32_t index, std::int32_t value, vm::Atomicity atomicity);
  void write_short(Ref ref, Object& object, std::int32_t index, std::int16_t value, vm::Atomicity atomicity);
  void write_byte(Ref ref, Object& object, std::int32_t index, std::uint8_t value, vm::Atomicity atomicity);
  void write_bytes(Ref ref, Object& object, std::int32_t offset, ByteView data, vm::Atomicity atomicity);
  void fill_bytes(Ref ref, Object& object, std::int32_t offset, std::int32_t length, std::uint8_t value,
                  vm::Atomicity atomicity);

  // ---- Java Card transactions (the caller checks depth rules and throws the Java exceptions) ----
  bool in_transaction() const noexcept { return transaction_open_; }
  void begin_transaction();
  void commit_transaction();
  void abort_transaction();
  std::size_t max_commit_capacity() const noexcept { return limits_.commit_capacity; }
  std::size_t unused_commit_capacity() const noexcept;

  // ---- batches: one atomic NVM update for a group of changes (install, load, deletion) ----
  bool in_batch() const noexcept { return batch_open_; }
  void begin_batch();
  void commit_batch();
  void abort_batch();

  // ---- transient data ----
  void clear_transient_on_reset();                      // every CLEAR_ON_RESET array
  void clear_transient_on_deselect(ContextId context);  // CLEAR_ON_DESELECT arrays of a context

  // ---- deletion ----
  // Frees the objects (RAM and NVM, one update unless a batch is open). Their handles are reused only
  // after release_quarantine() (the end of the VM entry: no frame may hold them any more).
  void free_objects(const std::vector<Ref>& refs);
  void release_quarantine();
  // Every live handle (for the mark phase of object deletion).
  std::vector<Ref> live_refs() const;

  // ---- persistence ----
  // Rebuilds the persistent objects from the store (after the classes exist). Throws
  // Error(integrity_error) for a record that does not parse or names an unknown class.
  void load(const ClassByName& classes);
  std::size_t persistent_bytes() const noexcept { return persistent_bytes_; }
  std::size_t transient_bytes() const noexcept { return transient_bytes_; }
  std::size_t object_count() const noexcept { return live_count_; }

 private:
  struct UndoEntry {
    Ref ref;
    std::uint32_t offset;  // byte offset in the RAM data
    std::uint32_t size;
    std::size_t pool;  // position of the old bytes in undo_pool_
  };
  using ChunkKey = std::uint64_t;  // handle << 32 | chunk index

  Ref allocate_handle();
  Ref install(std::unique_ptr<Object> object);
  void charge_capacity(const Object& object);
  void charge_capacity_on_load(const Object& object);
  void release_capacity(const Object& object) noexcept;
  // Before changing [offset, offset+size) of a persistent object's RAM data.
  void before_write(Ref ref, Object& object, std::size_t offset, std::size_t size, vm::Atomicity atomicity);
  // After the change: marks the chunks dirty and commits when nothing is open.
  void after_write(Ref ref, const Object& object, std::size_t offset, std::size_t size, vm::Atomicity atomicity);
  void mark_dirty(Ref ref, const Object& object, std::size_t offset, std::size_t size);
  void flush();
  // Commits the chunks of a non-atomic write made inside a transaction, without the transaction's
  // journalled changes (their old values, from the undo log, are what the store keeps).
  void flush_outside_transaction(Ref ref, const Object& object, std::size_t offset, std::size_t size);
  Bytes encode_chunk(const Object& object, std::uint32_t chunk) const;
  Bytes encode_header(const Object& object) const;
  void remove_object(Ref ref);
  template <typename Writes>
  void commit_to_store(Writes&& writes);

  nvm::NvmStore* store_;
  VirtualClock* clock_;
  HeapLimits limits_;
  std::vector<std::unique_ptr<Object>> table_;  // [0] stays empty: null
  std::vector<Ref> free_handles_;
  std::vector<Ref> quarantine_;
  std::size_t live_count_ = 0;
  std::size_t persistent_bytes_ = 0;
  std::size_t transient_bytes_ = 0;
  std::set<Ref> transient_arrays_;

  // Changes not yet committed to the store.
  std::set<ChunkKey> dirty_chunks_;
  std::set<Ref> dirty_headers_;
  std::map<Ref, std::uint32_t> erased_;  // freed stored objects -> their chunk count

  bool transaction_open_ = false;
  std::vector<UndoEntry> undo_;
  Bytes undo_pool_;
  std::size_t journal_bytes_ = 0;
  std::vector<Ref> created_in_transaction_;

  bool batch_open_ = false;
  std::map<ChunkKey, Bytes> batch_snapshots_;  // RAM chunk contents before the batch's first write
  std::vector<Ref> created_in_batch_;
};

// "jc/o/0000002a" and "jc/o/0000002a/0003".
std::string object_key(Ref ref);
std::string chunk_key(Ref ref, std::uint32_t chunk);

}  // namespace sefleet::card::javacard::heap

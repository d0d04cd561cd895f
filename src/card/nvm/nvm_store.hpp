// The card's persistent memory: named objects (key -> bytes) in one state file, changed only by atomic
// transactions. After a power loss at any physical write, reopening yields exactly the state before or
// exactly the state after the interrupted transaction. A corrupt or truncated file is refused at open
// with Error(Errc::integrity_error). Format, recovery and fsync points: docs/nvm.md.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "card/nvm/nvm_device.hpp"
#include "card/nvm/nvm_format.hpp"

namespace sefleet::card::nvm {

struct NvmOptions {
  // A commit rewrites the whole state as one snapshot (instead of appending its journal record) once
  // the journal after the last snapshot would exceed both this many bytes and the size of a snapshot.
  std::uint64_t compact_after_bytes = 64 * 1024;
};

struct NvmStats {
  std::uint64_t commits = 0;  // durable commits made through this object (compactions included)
  std::uint64_t compactions = 0;
  std::uint64_t syncs = 0;              // device syncs made through this object
  std::uint64_t last_commit_syncs = 0;  // syncs made by the last commit() or compact()
  std::uint64_t journal_bytes = 0;      // committed record bytes after the base snapshot
  std::uint64_t snapshot_bytes = 0;     // size a snapshot of the committed state would have
};

class NvmStore {
 public:
  // Writes an empty store onto an empty device (one write, one sync). Not atomic by itself: use
  // create_file() for files, which formats a temporary file and renames it into place.
  static void format(NvmDevice& device);
  // Creates a new, empty state file at `path` (refuses to replace an existing one), durably.
  static void create_file(const std::filesystem::path& path);
  // Opens the state file at `path`, creating an empty one first when `create_if_missing`.
  static NvmStore open_file(const std::filesystem::path& path, bool create_if_missing, NvmOptions options = {});

  // Opens and recovers the store on `device`: validates header, commit slots and every committed
  // record, discards an uncommitted (torn) tail, and loads the state. Throws Error(integrity_error).
  explicit NvmStore(std::unique_ptr<NvmDevice> device, NvmOptions options = {});
  NvmStore(NvmStore&&) noexcept;
  NvmStore& operator=(NvmStore&&) noexcept;
  ~NvmStore();

  // Reads see the open transaction's own writes and erases.
  std::optional<Bytes> get(std::string_view key) const;
  bool contains(std::string_view key) const;
  std::vector<std::string> keys() const;  // sorted
  // The committed state only (ignores an open transaction).
  const std::map<std::string, Bytes, std::less<>>& committed() const noexcept { return state_; }

  void begin();
  void write(std::string_view key, ByteView value);
  // The same, keeping `value`'s buffer: it is written to the device from where it is and becomes the
  // committed object as it is (no copy on the way).
  void write(std::string_view key, Bytes&& value);
  void erase(std::string_view key);  // erasing a missing key does nothing
  // Adds `tail` at the end of the object's value, creating the object when it is missing. The
  // commit records only `tail`, so an object that grows by small pieces costs each transaction its
  // piece, not the whole value (a staged image arrives this way).
  void append(std::string_view key, ByteView tail);
  // The same, keeping `tail`'s buffer: when the object is missing it becomes the object as it is.
  void append(std::string_view key, Bytes&& tail);
  // Renames the committed object `from` to `to`, replacing any value `to` has, without copying the
  // value: the record holds the two names (a copy operation and the erase of `from`), and the commit
  // hands `from`'s buffer to `to`. `from` must be committed and unchanged in this transaction, `to`
  // unchanged in it and another key; otherwise Error(state_error) (invalid_argument for a bad key).
  // Later changes of either key in the transaction apply on top, as after a write and an erase.
  void move(std::string_view from, std::string_view to);
  // Makes the open transaction's commit write the whole new state as one snapshot, whatever the
  // journal's size: for a transaction after which the journal is mostly bytes a snapshot would not
  // hold (an image activated from its staged appends), so that the medium shrinks to the state now
  // rather than at some later commit. Still one commit, at most 2 syncs.
  void compact_at_commit();
  // The same, and the snapshot leaves room in front of it for a snapshot `growth` bytes larger than
  // itself: the state once a stream of that size, staged after this commit, is activated. That later
  // compaction then writes at the front of the record area and the medium shrinks to it, instead of
  // writing behind the journal the stream filled. The room is a gap of the record area (a hole in a
  // file), which recovery never reads.
  void compact_at_commit(std::uint64_t growth);
  // Lets the journal grow to `bytes` before a commit compacts it (otherwise a commit compacts once the
  // journal exceeds both NvmOptions::compact_after_bytes and a snapshot's size), until the next
  // compaction: for appends that a known later commit compacts anyway (a staged stream, rewritten by
  // its activation), so that no snapshot of the half-staged stream is written in between. Not kept
  // across a reopen. Outside a transaction only.
  void allow_journal(std::uint64_t bytes);
  // Makes the transaction durable: at most 2 syncs. A transaction without changes does no I/O.
  void commit();
  // One tail to add at the end of an object (commit_appends).
  struct Append {
    std::string_view key;
    ByteView tail;
  };
  // Appends each tail to its object as ONE transaction and commits it, outside a transaction: the
  // same as begin(), append() of each, commit() (the same state, record, writes and syncs). When the
  // objects all exist, the keys differ, the record is short and no compaction is due (a short block
  // added to the staged stream and its length to the block list), the record is framed and
  // checksummed in one buffer straight from the tails, and each tail goes to the end of its object:
  // none of the pending-change bookkeeping a general transaction needs. Anything else takes the
  // general path.
  void commit_appends(std::span<const Append> appends);
  void abort();  // drops the open transaction; nothing was written
  bool in_transaction() const noexcept { return in_transaction_; }

  // Rewrites the state as one snapshot now (normally commit() decides). Outside a transaction only.
  void compact();

  const NvmStats& stats() const noexcept { return stats_; }
  const std::string& name() const;

 private:
  using State = std::map<std::string, Bytes, std::less<>>;
  // One key's change in the open transaction.
  struct Change {
    // move: the key gets the committed value of `source`, whose own change is an erase (or what
    // replaced that erase); the bytes are empty until apply() takes the source's buffer.
    enum class Kind : std::uint8_t { put, erase, append, move } kind;
    Bytes bytes;  // put: the new value; append: the bytes to add to the committed value
    // The key's committed entry (null when it has none), found once when the change is made: the
    // state does not change while a transaction is open, and its nodes never move, so the commit
    // needs no look-up of its own.
    State::value_type* committed = nullptr;
    State::value_type* source = nullptr;  // move: the committed entry whose value the key gets
  };
  using Pending = std::map<std::string, Change, std::less<>>;

  // Adds a change with empty bytes for a key not yet in pending_ at `hint` (its lower bound), reusing
  // a node of an earlier commit (and a short value buffer it kept) when there is one.
  Change& add_pending(Pending::iterator hint, std::string_view key, Change::Kind kind, State::value_type* committed);
  // The change an append of `tail_size` bytes to `key` goes into: the key's pending change, or a new
  // append change with empty bytes. Refuses an object that would exceed the size limit.
  Change& change_for_append(std::string_view key, std::size_t tail_size);
  // Keeps the emptied node of an applied or dropped change for the next transaction.
  void recycle(Pending::node_type&& node);
  // The committed entry of `key` (null when it has none), looked for among the recent appends' first.
  State::value_type* find_for_append(std::string_view key);
  // Drops `entry` from the recent appends before the state erases it.
  void forget_entry(const State::value_type* entry) noexcept;

  void recover();
  void replay(ByteView area, const format::CommitSlot& slot);
  void require_usable() const;
  void require_transaction(const char* operation) const;
  void sync();
  // Writes `record` at `offset`, syncs, then publishes `next` in its slot and syncs again.
  void publish(std::uint64_t offset, const format::RecordWriter& record, const format::CommitSlot& next);
  // After the record's sync: writes `next` in its slot and syncs (the commit point).
  void publish_slot(const format::CommitSlot& next);
  // commit_appends without the fast path: one general transaction.
  void commit_appends_in_transaction(std::span<const Append> appends);
  // The whole state with `overlay` applied, as one record that refers to the values where they are.
  format::RecordWriter snapshot_record(std::uint64_t sequence, const Pending& overlay) const;
  std::uint64_t snapshot_size_after(const Pending& overlay) const;
  void commit_changes(Pending&& changes, bool force_compaction, std::uint64_t growth = 0);
  // Whether a commit that makes the journal `journal_after` bytes long, with a snapshot of
  // `snapshot_size` bytes, compacts instead of appending its record.
  bool compaction_due(std::uint64_t journal_after, std::uint64_t snapshot_size) const noexcept;
  // Moves the committed values into the state.
  void apply(Pending&& changes);

  std::unique_ptr<NvmDevice> device_;
  NvmOptions options_;
  format::CommitSlot slot_;
  State state_;
  std::uint64_t live_op_bytes_ = 0;  // sum of put_op_size over state_ (snapshot size minus framing)
  Pending pending_;
  // Kept from one commit to the next so that a small transaction (a short block appended: two keys,
  // a few hundred bytes) allocates nothing for its bookkeeping: the map nodes of the changes, the
  // record's buffer and the list of pieces of the gathered write.
  std::vector<Pending::node_type> spare_nodes_;
  format::RecordWriter record_{format::RecordType::transaction, 0};
  std::vector<ByteView> gather_;
  // The record of commit_appends' fast path, framed in place; kept for its capacity.
  Bytes short_record_;
  // The committed entries the last appends went to. A store that appends to the same two objects in
  // every transaction (WRITE BLOCK: the current segment and the block list) finds them without a
  // look-up in the state (a third of a short block's bookkeeping). Entries never move; one leaves
  // this list before the state erases it.
  std::array<State::value_type*, 2> recent_appends_{};
  bool in_transaction_ = false;
  bool compact_at_commit_ = false;       // compact_at_commit() was called in the open transaction
  std::uint64_t compaction_growth_ = 0;  // its growth (0: no room in front of the snapshot)
  std::uint64_t journal_allowance_ = 0;  // allow_journal(), until the next compaction
  // move() was called in the open (or last) transaction: without one, a commit skips the passes that
  // only moves need (a short block's commit is a few thousand instructions).
  bool has_moves_ = false;
  // Set when an I/O error or power loss interrupted a commit: memory may no longer match the file,
  // so the object refuses everything until the store is reopened (which recovers).
  bool broken_ = false;
  NvmStats stats_;
};

// Runs `writes` (calls to store.write/erase) as one transaction and commits it; on any failure before
// the commit point the transaction is aborted and the exception passes on, so the store is left
// exactly without it. The one way the card's state classes change NVM.
template <typename Writes>
void run_transaction(NvmStore& store, Writes&& writes) {
  store.begin();
  try {
    writes();
    store.commit();
  } catch (...) {
    if (store.in_transaction()) store.abort();
    throw;
  }
}

}  // namespace sefleet::card::nvm

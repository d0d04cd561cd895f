// The applet's persistent objects with Java Card transaction rules (JCSystem begin/commit/abort),
// over the card's nvm::NvmStore. Names are the applet's own; the runtime keeps each applet's objects
// apart under "app/<AID hex>/<name>" so no applet can reach another's (or the ISD's) state.
//
// Rules (JCRE §7, Oracle TransactionException):
//  - begin_transaction() with one open -> TransactionError(in_progress);
//    commit/abort without one -> TransactionError(not_in_progress).
//  - Inside a transaction every write/erase is journalled: it costs commit capacity (value length +
//    name length + kJournalEntryOverhead bytes); a change that would exceed it ->
//    TransactionError(buffer_full), the change is not made and the transaction stays open.
//  - write() outside a transaction is a one-write transaction (atomic, Util.arrayCopy);
//    write_nonatomic() outside a transaction is charged as a non-atomic write (arrayCopyNonAtomic)
//    and refused inside one (TransactionError(illegal_use): the store cannot bypass the journal).
//  - A transaction the applet leaves open when select/process/deselect/install/uninstall returns is
//    aborted by the runtime (the status word is not changed).
//  - Inside a deferred task the executor owns the transaction: depth is 1, begin -> in_progress,
//    commit/abort -> illegal_use (a task ends its transaction by returning or throwing).
// Costs on the clock: nvm_read per read, nvm_write_atomic per write inside a transaction or as its own
// transaction, nvm_write_nonatomic per write_nonatomic, transaction_commit per commit.
// Without a store (RuntimeConfig::store == nullptr) reads find nothing and changes throw
// StatusWordError(6A84, not enough memory): the card has no persistent memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "card/runtime/applet.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/bytes.hpp"

namespace sefleet::card {

namespace nvm {
class NvmStore;
}

inline constexpr std::size_t kDefaultCommitCapacity = 5120;  // JCOP4 getMaxCommitCapacity()
inline constexpr std::size_t kJournalEntryOverhead = 8;      // per journalled change (header)

// TransactionException as a status word error: every reason answers 6F00 if the applet lets it
// escape process() (a Java Card TransactionException is not an ISOException either).
class TransactionError : public StatusWordError {
 public:
  enum class Reason : std::uint8_t { in_progress, not_in_progress, buffer_full, illegal_use };
  explicit TransactionError(Reason reason);
  Reason reason() const noexcept { return reason_; }

 private:
  Reason reason_;
};
std::string_view transaction_error_reason_name(TransactionError::Reason reason) noexcept;

class PersistentMemory {
 public:
  PersistentMemory(nvm::NvmStore* store, VirtualClock& clock,
                   std::size_t max_commit_capacity = kDefaultCommitCapacity) noexcept
      : store_(store), clock_(&clock), capacity_(max_commit_capacity) {}

  std::optional<Bytes> read(std::string_view name);
  void write(std::string_view name, ByteView value);  // atomic: inside a transaction, or a one-write transaction
  void write_nonatomic(std::string_view name, ByteView value);
  void erase(std::string_view name);
  void begin_transaction();
  void commit_transaction();
  void abort_transaction();
  std::uint8_t transaction_depth() const noexcept { return open_ ? 1 : 0; }
  std::size_t max_commit_capacity() const noexcept { return capacity_; }
  std::size_t unused_commit_capacity() const noexcept { return capacity_ - (open_ ? journal_bytes_ : 0); }

  // ---- runtime side ----
  // The applet whose namespace the next calls use (its registry AID).
  void bind(ByteView aid);
  // "app/<AID hex>/" for `aid`; every object of the applet lives under it.
  static std::string namespace_prefix(ByteView aid);
  // Opens the transaction a deferred task runs in (owned by the executor).
  void begin_system_transaction();
  void commit_system_transaction();
  // Aborts an open transaction (applet's or system's) silently; true when one was open.
  bool abort_open() noexcept;
  bool system_owned() const noexcept { return open_ && system_; }
  nvm::NvmStore* store() const noexcept { return store_; }
  void rebind_clock(VirtualClock& clock) noexcept { clock_ = &clock; }

 private:
  std::string key(std::string_view name) const;
  void require_store() const;
  void journal(std::size_t bytes);
  void commit_open();

  nvm::NvmStore* store_;
  VirtualClock* clock_;
  std::size_t capacity_;
  std::string prefix_;
  bool open_ = false;
  bool system_ = false;
  std::size_t journal_bytes_ = 0;
};

}  // namespace sefleet::card

#include "card/runtime/persistent_memory.hpp"

#include <string>

#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace {
std::string reason_text(TransactionError::Reason reason) {
  return "TransactionException " + std::string(transaction_error_reason_name(reason));
}
}  // namespace

std::string_view transaction_error_reason_name(TransactionError::Reason reason) noexcept {
  switch (reason) {
    case TransactionError::Reason::in_progress:
      return "IN_PROGRESS";
    case TransactionError::Reason::not_in_progress:
      return "NOT_IN_PROGRESS";
    case TransactionError::Reason::buffer_full:
      return "BUFFER_FULL";
    case TransactionError::Reason::illegal_use:
      return "ILLEGAL_USE";
  }
  return "unknown";
}

TransactionError::TransactionError(Reason reason)
    : StatusWordError(iso7816::sw::kUnknown, reason_text(reason)), reason_(reason) {}

std::string PersistentMemory::namespace_prefix(ByteView aid) {
  return "app/" + to_hex(aid) + "/";
}

void PersistentMemory::bind(ByteView aid) {
  std::string prefix = namespace_prefix(aid);
  if (prefix != prefix_) prefix_ = std::move(prefix);
}

std::string PersistentMemory::key(std::string_view name) const {
  if (prefix_.empty()) throw Error(Errc::state_error, "persistent memory: no applet bound");
  if (name.empty()) throw Error(Errc::invalid_argument, "persistent memory: empty object name");
  std::string out = prefix_;
  out += name;
  return out;
}

void PersistentMemory::require_store() const {
  if (store_ == nullptr) throw StatusWordError(iso7816::sw::kNotEnoughMemory, "the card has no persistent memory");
}

std::optional<Bytes> PersistentMemory::read(std::string_view name) {
  const std::string k = key(name);
  if (store_ == nullptr) return std::nullopt;
  auto value = store_->get(k);
  clock_->charge(SeOperation::nvm_read, value ? value->size() : 0);
  return value;
}

void PersistentMemory::journal(std::size_t bytes) {
  if (bytes > capacity_ - journal_bytes_) throw TransactionError(TransactionError::Reason::buffer_full);
  journal_bytes_ += bytes;
}

void PersistentMemory::write(std::string_view name, ByteView value) {
  const std::string k = key(name);
  require_store();
  if (open_) {
    journal(value.size() + name.size() + kJournalEntryOverhead);
    store_->write(k, value);
    clock_->charge(SeOperation::nvm_write_atomic, value.size());
    return;
  }
  // One-write transaction (Util.arrayCopy): atomic on its own; its commit is part of the atomic cost.
  if (value.size() + name.size() + kJournalEntryOverhead > capacity_) {
    throw TransactionError(TransactionError::Reason::buffer_full);
  }
  clock_->charge(SeOperation::nvm_write_atomic, value.size());
  nvm::run_transaction(*store_, [&] { store_->write(k, value); });
}

void PersistentMemory::write_nonatomic(std::string_view name, ByteView value) {
  const std::string k = key(name);
  require_store();
  if (open_) throw TransactionError(TransactionError::Reason::illegal_use);
  clock_->charge(SeOperation::nvm_write_nonatomic, value.size());
  nvm::run_transaction(*store_, [&] { store_->write(k, value); });
}

void PersistentMemory::erase(std::string_view name) {
  const std::string k = key(name);
  require_store();
  if (open_) {
    journal(name.size() + kJournalEntryOverhead);
    store_->erase(k);
    clock_->charge(SeOperation::nvm_write_atomic, 0);
    return;
  }
  clock_->charge(SeOperation::nvm_write_atomic, 0);
  nvm::run_transaction(*store_, [&] { store_->erase(k); });
}

void PersistentMemory::begin_transaction() {
  if (open_) throw TransactionError(TransactionError::Reason::in_progress);
  if (store_ != nullptr) {
    // An applet that opened the raw store's transaction (AppletContext::store()) holds it already.
    if (store_->in_transaction()) throw TransactionError(TransactionError::Reason::in_progress);
    store_->begin();
  }
  open_ = true;
  system_ = false;
  journal_bytes_ = 0;
}

void PersistentMemory::commit_open() {
  // Closed first: a commit that throws (I/O error, power loss) leaves no transaction to abort twice.
  open_ = false;
  system_ = false;
  journal_bytes_ = 0;
  clock_->charge(SeOperation::transaction_commit);
  if (store_ != nullptr) store_->commit();
}

void PersistentMemory::commit_transaction() {
  if (!open_) throw TransactionError(TransactionError::Reason::not_in_progress);
  if (system_) throw TransactionError(TransactionError::Reason::illegal_use);
  commit_open();
}

void PersistentMemory::abort_transaction() {
  if (!open_) throw TransactionError(TransactionError::Reason::not_in_progress);
  if (system_) throw TransactionError(TransactionError::Reason::illegal_use);
  abort_open();
}

void PersistentMemory::begin_system_transaction() {
  begin_transaction();
  system_ = true;
}

void PersistentMemory::commit_system_transaction() {
  if (!open_ || !system_) throw Error(Errc::state_error, "persistent memory: no system transaction open");
  commit_open();
}

bool PersistentMemory::abort_open() noexcept {
  const bool was_open = open_;
  open_ = false;
  system_ = false;
  journal_bytes_ = 0;
  if (store_ != nullptr && store_->in_transaction()) {
    try {
      store_->abort();
    } catch (...) {  // abort() only drops memory
    }
    return true;
  }
  return was_open;
}

}  // namespace sefleet::card

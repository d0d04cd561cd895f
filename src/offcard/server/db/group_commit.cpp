#include "offcard/server/db/group_commit.hpp"

#include <algorithm>

namespace sefleet::offcard::db {

void CommitGroup::run_erased(Durability durability, std::function<void(Transaction&)> fn) {
  Pending me{std::move(fn), durability, nullptr, false, false};
  run_pending({&me});
  if (me.error) std::rethrow_exception(me.error);
}

std::vector<std::exception_ptr> CommitGroup::run_together(std::vector<Member> members) {
  std::vector<Pending> pending;
  pending.reserve(members.size());
  for (auto& member : members) {
    pending.push_back(Pending{std::move(member.fn), member.durability, nullptr, false, !pending.empty()});
  }
  std::vector<Pending*> queued;
  for (auto& one : pending) queued.push_back(&one);
  run_pending(queued);
  std::vector<std::exception_ptr> errors;
  for (const auto& one : pending) errors.push_back(one.error);
  return errors;
}

void CommitGroup::run_pending(const std::vector<Pending*>& mine) {
  std::unique_lock lock(mutex_);
  queue_.insert(queue_.end(), mine.begin(), mine.end());
  const auto all_done = [&] {
    return std::all_of(mine.begin(), mine.end(), [](const Pending* one) { return one->done; });
  };
  while (!all_done()) {
    if (leading_) {
      finished_.wait(lock);
      continue;
    }
    // Nobody leads: this thread runs the next batch (which holds its own function unless more than
    // kMaxBatch arrived before it; then it leads again afterwards, or joins a later leader's batch).
    // Functions queued together stay together, past kMaxBatch if need be.
    leading_ = true;
    std::size_t taken = std::min(queue_.size(), kMaxBatch);
    while (taken < queue_.size() && queue_[taken]->with_previous) ++taken;
    const auto size = static_cast<std::ptrdiff_t>(taken);
    const std::vector<Pending*> batch(queue_.begin(), queue_.begin() + size);
    queue_.erase(queue_.begin(), queue_.begin() + size);
    const bool full = std::any_of(batch.begin(), batch.end(),
                                  [](const Pending* pending) { return pending->durability == Durability::full; });
    lock.unlock();
    commit_batch(batch, full ? Durability::full : Durability::relaxed);
    lock.lock();
    for (Pending* pending : batch) pending->done = true;
    ++stats_.batches;
    if (full) ++stats_.full_batches;
    stats_.functions += batch.size();
    leading_ = false;
    finished_.notify_all();
  }
}

void CommitGroup::commit_batch(const std::vector<Pending*>& batch, Durability durability) {
  try {
    // Database::run / run_relaxed run the whole batch again on a transient conflict (PostgreSQL
    // serialization failure), as they would one function.
    const auto members = [&](Transaction& tx) { run_members(tx, batch); };
    if (durability == Durability::full) {
      database_.run(members);
    } else {
      database_.run_relaxed(members);
    }
  } catch (...) {
    // The transaction itself failed (could not start or commit, or kept conflicting): no function's
    // rows were committed.
    for (Pending* pending : batch) pending->error = std::current_exception();
  }
}

void CommitGroup::run_members(Transaction& tx, const std::vector<Pending*>& batch) {
  if (batch.size() == 1) {
    // Alone in its batch (the usual case below saturation): a refusal fails the transaction itself,
    // which rolls back what the function wrote, as its savepoint would, and reaches this one caller
    // only. Without the savepoint, SQLite keeps no statement journal of the pages the function
    // changes, and neither backend runs the three savepoint statements.
    batch.front()->error = nullptr;
    batch.front()->fn(tx);
    return;
  }
  for (Pending* pending : batch) {
    pending->error = nullptr;  // from an earlier attempt of the batch
    tx.exec("SAVEPOINT grouped_write");
    try {
      pending->fn(tx);
    } catch (const TransientConflict&) {
      throw;  // the transaction is lost: the whole batch runs again
    } catch (...) {
      pending->error = std::current_exception();
      // Undoes this function's writes only. Should the transaction itself be gone (SQLite rolls it
      // back on a full disk or an I/O error; a broken PostgreSQL connection), this throws, and the
      // whole batch fails with that error.
      tx.exec("ROLLBACK TO SAVEPOINT grouped_write");
    }
    tx.exec("RELEASE SAVEPOINT grouped_write");
  }
}

CommitGroup::Stats CommitGroup::stats() const {
  std::lock_guard lock(mutex_);
  Stats stats = stats_;
  stats.waiting = queue_.size();
  return stats;
}

}  // namespace sefleet::offcard::db

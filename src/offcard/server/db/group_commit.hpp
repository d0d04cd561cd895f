// Group commit: several threads' small write transactions committed as one.
//
// SQLite has one writer at a time, and the server's most frequent writes (an authorization recorded,
// a report) are a handful of rows each: most of such a transaction's cost is its commit (the WAL frames
// of every page it touched, the same campaign and index pages each time, and for a full commit the
// sync). A CommitGroup runs the functions that wait to write together in one transaction, each inside
// its own savepoint, and commits once. The thread that finds no batch running leads the next one: it
// takes every function queued so far (its own included, at most kMaxBatch), runs them in arrival order
// and commits; the others sleep until their batch has committed. Each function asks for a durability;
// the batch commits full when any of its functions asked for full, relaxed otherwise. Nobody returns
// before the commit that holds its rows, so what a caller was told is at least as durable as with
// Database::run (full) or Database::run_relaxed (relaxed): a relaxed function that shares a batch with
// a full one is committed full.
//
// One function's failure is its own: its savepoint is rolled back and its exception goes to its caller
// only; the others of the batch still commit. A function alone in its batch runs without a savepoint
// (its failure rolls the transaction back instead: the same rows undone, fewer statements). What a function sees is
// what it would see alone, run after the functions before it in the batch (their rows are there, not yet committed).
// Only a failure of the transaction itself (BEGIN, COMMIT, a savepoint that cannot be rolled back) reaches every
// function of the batch. A transient conflict (PostgreSQL serialization failure) runs the whole batch
// again, as Database::run does; the functions must therefore be safe to repeat, as run()'s.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "offcard/server/db/database.hpp"

namespace sefleet::offcard::db {

class CommitGroup {
 public:
  // Enough to take what eight route workers queue while one batch commits; bounds a batch's latency.
  static constexpr std::size_t kMaxBatch = 32;

  explicit CommitGroup(Database& database) : database_(database) {}
  CommitGroup(const CommitGroup&) = delete;
  CommitGroup& operator=(const CommitGroup&) = delete;

  // Runs fn(Transaction&) in a write transaction shared with other callers' functions, committed at
  // least as durably as `durability` asks; returns what fn returns (or throws what it throws) once that
  // transaction committed.
  template <typename Fn>
  auto run(Durability durability, Fn&& fn) -> std::invoke_result_t<Fn&, Transaction&> {
    using Result = std::invoke_result_t<Fn&, Transaction&>;
    if constexpr (std::is_void_v<Result>) {
      run_erased(durability, [&](Transaction& tx) { fn(tx); });
    } else {
      std::optional<Result> result;
      run_erased(durability, [&](Transaction& tx) { result.emplace(fn(tx)); });
      return std::move(*result);
    }
  }
  // Several functions of one caller, in this order, in the same batch (so in one transaction); each is
  // still on its own (its savepoint, its error): returns each one's error (null when it succeeded),
  // once the transaction committed. The batch commits full when any of them asks for full.
  struct Member {
    Durability durability = Durability::relaxed;
    std::function<void(Transaction&)> fn;
  };
  std::vector<std::exception_ptr> run_together(std::vector<Member> members);
  // The same with a relaxed commit (unless a full function shares the batch).
  template <typename Fn>
  auto run(Fn&& fn) -> std::invoke_result_t<Fn&, Transaction&> {
    return run(Durability::relaxed, std::forward<Fn>(fn));
  }

  // How many batches ran and how many functions they held, and how many functions wait for the next
  // batch now (for tests and benchmarks).
  struct Stats {
    std::size_t batches = 0;
    std::size_t full_batches = 0;  // of the batches, those committed full
    std::size_t functions = 0;
    std::size_t waiting = 0;
  };
  Stats stats() const;

 private:
  struct Pending {
    std::function<void(Transaction&)> fn;
    Durability durability = Durability::relaxed;
    std::exception_ptr error;
    bool done = false;
    bool with_previous = false;  // queued by run_together after the one before it: never split from it
  };

  void run_erased(Durability durability, std::function<void(Transaction&)> fn);
  // Queues `mine` (in order, at the end) and waits until each is done, leading batches when nobody does.
  void run_pending(const std::vector<Pending*>& mine);
  // The leader's work: the batch in one transaction (full when any function asked for full), retried
  // whole on a transient conflict.
  void commit_batch(const std::vector<Pending*>& batch, Durability durability);
  // Each function in its own savepoint of `tx`; a function's refusal is recorded as its error.
  static void run_members(Transaction& tx, const std::vector<Pending*>& batch);

  Database& database_;
  mutable std::mutex mutex_;
  std::condition_variable finished_;
  std::vector<Pending*> queue_;  // waiting for the next batch, oldest first
  bool leading_ = false;         // a batch is being run
  Stats stats_;
};

}  // namespace sefleet::offcard::db

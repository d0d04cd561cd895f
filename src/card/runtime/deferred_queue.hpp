// The runtime side of the deferred executor: the tasks of every applet, the FIFO of scheduled ones,
// their results, the per-applet "ended since the previous command" lists, and the small persistent
// record that lets results survive a power loss (format and NVM cost: docs/deferred-execution.md).
// Not an applet API: applets see DeferredExecutor through AppletContext::deferred().
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "card/runtime/deferred_executor.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/bytes.hpp"

namespace sefleet::card {

// NVM keys of the records: "rt/deferred/<AID hex>/<task name>" (outside every applet's "app/" space).
inline constexpr std::string_view kDeferredRecordPrefix = "rt/deferred/";

// Orders AIDs as byte strings. Transparent: the look-up made for every command finds an applet's
// lists by the AID's view, without building a key.
struct AidLess {
  using is_transparent = void;
  bool operator()(ByteView a, ByteView b) const noexcept { return std::ranges::lexicographical_compare(a, b); }
};

class DeferredQueue {
 public:
  // Runs a task's work in a context for its applet (built by the runtime).
  using Invoker = std::function<void(const DeferredTask& task, const DeferredWork& work)>;

  // Reads the persisted records (recovery): a record still "pending" is a task that power loss
  // interrupted. Throws Error(integrity_error) for a malformed record.
  DeferredQueue(PersistentMemory& persistent, VirtualClock& clock, bool defer_after_response, Invoker invoker);

  std::shared_ptr<DeferredTask> create(ByteView aid, DeferredTaskOptions options, DeferredWork work);
  // Queues `task` for after the response. Baseline mode: runs it at once in its own transaction when
  // `may_run_now` and no transaction is open, else when the applet's call returns.
  void schedule(ByteView aid, DeferredTask& task, bool may_run_now = true);
  bool pending() const noexcept { return !queue_.empty(); }
  // Runs every queued task in FIFO order (tasks scheduled meanwhile run too). Never throws.
  void run_all() noexcept;
  // The applet `aid` receives a command: what ended since its previous one becomes its check list.
  void begin_command(ByteView aid);
  const std::vector<std::pair<std::string, DeferredResult>>& checked(ByteView aid);
  // Power off / reset: queued tasks did not run -> interrupted (resumable ones run at power_on()).
  void power_lost() noexcept;
  // Power on: interrupted resumable tasks are scheduled again, in their original order.
  void power_on();
  // Uninstall: forget the applet's tasks and lists (records are erased by the caller's transaction).
  void forget(ByteView aid) noexcept;
  // True once power was lost inside the store: nothing more runs until the card is reopened.
  bool dead() const noexcept { return dead_; }

 private:
  struct Record {
    DeferredResult result;
    bool resumable = false;
    std::uint64_t sequence = 0;
  };
  using TaskKey = std::pair<Bytes, std::string>;

  static std::string record_key(ByteView aid, std::string_view name);
  static Bytes encode_record(const DeferredResult& result, bool resumable, std::uint64_t sequence);
  void load_records();
  void persist_scheduled();
  void run_one(const std::shared_ptr<DeferredTask>& task);
  void finish(DeferredTask& task, DeferredResult result);
  // Queues `result` for the owner's next command (ended_), the one way anything enters those lists.
  void report_ended(const Bytes& aid, const std::string& name, DeferredResult result);
  void write_record(const DeferredTask& task, const DeferredResult& result);  // inside an open transaction
  void enqueue(const std::shared_ptr<DeferredTask>& task);
  void interrupt_queue(const char* reason) noexcept;
  TaskKey key_of(const DeferredTask& task) const;

  PersistentMemory& persistent_;
  VirtualClock& clock_;
  bool defer_;
  Invoker invoker_;
  std::map<TaskKey, std::weak_ptr<DeferredTask>> tasks_;
  std::map<TaskKey, Record> records_;  // persisted results found at open (and kept current)
  std::deque<std::shared_ptr<DeferredTask>> queue_;
  std::vector<std::shared_ptr<DeferredTask>> resume_;  // interrupted resumable tasks for power_on()
  std::map<TaskKey, std::uint64_t> sequence_;          // schedule order of queued tasks
  std::map<Bytes, std::vector<std::pair<std::string, DeferredResult>>, AidLess> ended_;
  std::map<Bytes, std::vector<std::pair<std::string, DeferredResult>>, AidLess> checked_;
  // False when every list of ended_ and checked_ is known to be empty: begin_command(), run for every
  // command, then looks nothing up.
  bool lists_in_use_ = false;
  std::uint64_t next_sequence_ = 1;
  std::vector<std::shared_ptr<DeferredTask>> unrecorded_;  // queued, "pending" record not yet written
  bool running_ = false;
  bool powered_ = false;
  bool dead_ = false;  // power was lost inside the store: nothing more runs until reopened
};

// The DeferredExecutor an applet sees: the queue, bound to the applet's AID for one call.
class BoundDeferredExecutor final : public DeferredExecutor {
 public:
  BoundDeferredExecutor(DeferredQueue& queue, ByteView aid) noexcept : queue_(&queue), aid_(aid) {}
  std::shared_ptr<DeferredTask> create_task(DeferredTaskOptions options, DeferredWork work) override {
    return queue_->create(aid_, std::move(options), std::move(work));
  }
  void schedule(DeferredTask& task) override { queue_->schedule(aid_, task); }
  void schedule_after_call(DeferredTask& task) override { queue_->schedule(aid_, task, false); }
  bool pending() const override { return queue_->pending(); }
  DeferredResult result(const DeferredTask& task) const override { return task.result(); }
  std::vector<std::pair<std::string, DeferredResult>> completed_since_last_command() override {
    return queue_->checked(aid_);
  }

 private:
  DeferredQueue* queue_;
  ByteView aid_;
};

}  // namespace sefleet::card

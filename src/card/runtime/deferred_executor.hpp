// Deferred execution (docs/deferred-execution.md §2-§4): an applet creates task objects
// (at install or while processing), schedules them for "after this response", and learns their
// results on its next command. The runtime runs scheduled tasks in FIFO order after the R-APDU has
// left the card (Runtime::after_response), each in its own atomic transaction; while work is pending
// no command is dispatched (transmit() first completes it and reports the wait).
// Full API and rules: docs/deferred-execution.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card {

class AppletContext;

enum class DeferredState : std::uint8_t { idle, pending, done, failed, interrupted };
std::string_view deferred_state_name(DeferredState state) noexcept;

struct DeferredResult {
  DeferredState state = DeferredState::idle;
  std::string reason;            // failed: the exception's message; interrupted: "power loss"
  std::uint64_t virtual_ns = 0;  // virtual time the last run took (0 when it did not run)

  friend bool operator==(const DeferredResult&, const DeferredResult&) = default;
};

struct DeferredTaskOptions {
  std::string name;           // unique per applet; 1..32 chars [a-z0-9_-]; the key of its persisted state
  bool resumable = false;     // rescheduled automatically after a power loss interrupted it
  std::uint8_t priority = 0;  // for the splitting helper
};

// The work of a task: runs with its own transaction open (ctx.persistent().transaction_depth() == 1),
// ctx.apdu() == nullptr, ctx.deferred() refused. Returning commits; throwing rolls back (failed).
using DeferredWork = std::function<void(AppletContext&)>;

class DeferredQueue;

// A task handle. The applet owns it (std::shared_ptr); a scheduled task stays alive until it ran.
class DeferredTask {
 public:
  const std::string& name() const noexcept { return options_.name; }
  const DeferredTaskOptions& options() const noexcept { return options_; }
  ByteView owner_aid() const noexcept { return owner_; }
  const DeferredResult& result() const noexcept { return result_; }

  // Construction is the executor's (create_task): only DeferredQueue can make a Key.
  class Key {
    Key() = default;
    friend class DeferredQueue;
  };
  DeferredTask(const Key&, Bytes owner, DeferredTaskOptions options, DeferredWork work)
      : owner_(std::move(owner)), options_(std::move(options)), work_(std::move(work)) {}

 private:
  friend class DeferredQueue;
  Bytes owner_;
  DeferredTaskOptions options_;
  DeferredWork work_;
  DeferredResult result_;
  bool queued_ = false;
};

// What an applet sees (AppletContext::deferred()): bound to the applet that calls it.
class DeferredExecutor {
 public:
  virtual ~DeferredExecutor() = default;
  // Error(invalid_argument) for a bad name or one a live task of this applet already uses; an empty
  // work function is refused too. A task created after a power loss with the name of an interrupted
  // one starts with that result (and, when resumable, is scheduled again).
  virtual std::shared_ptr<DeferredTask> create_task(DeferredTaskOptions options, DeferredWork work) = 0;
  // After this response (or at once, in its own transaction, with defer_after_response=false).
  // StatusWordError(6985) when the task is already scheduled and has not run yet, or belongs to
  // another applet.
  virtual void schedule(DeferredTask& task) = 0;
  // schedule() for a caller that cannot run the task's work inside this call (the Java Card VM, which
  // is executing the applet's own method): the same after the response; in the baseline mode the task
  // runs when the applet's call has returned, still before the response (as for an applet that holds an
  // open transaction), never at once inside this call.
  virtual void schedule_after_call(DeferredTask& task) = 0;
  // The deferred-pending flag (Runtime::deferred_pending()): scheduled work has not run yet.
  virtual bool pending() const = 0;
  virtual DeferredResult result(const DeferredTask& task) const = 0;
  // Results of this applet's tasks that ended since its previous command (the "check on the next
  // command"), in the order they ended; the same list for the whole command.
  virtual std::vector<std::pair<std::string, DeferredResult>> completed_since_last_command() = 0;

 protected:
  DeferredExecutor() = default;
  DeferredExecutor(const DeferredExecutor&) = default;
  DeferredExecutor& operator=(const DeferredExecutor&) = default;
};

}  // namespace sefleet::card

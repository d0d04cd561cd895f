#include "card/runtime/deferred_queue.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace {

// Record value: version(1) state(1) flags(1, bit 0 resumable) sequence(8, big endian) reason(rest).
constexpr std::uint8_t kRecordVersion = 1;
constexpr std::size_t kRecordHeader = 11;
constexpr std::size_t kMaxReason = 64;  // a failure reason is kept short: NVM is scarce

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::ranges::all_of(
      name, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'; });
}

Bytes aid_bytes(ByteView aid) {
  return Bytes(aid.begin(), aid.end());
}

}  // namespace

std::string_view deferred_state_name(DeferredState state) noexcept {
  switch (state) {
    case DeferredState::idle:
      return "idle";
    case DeferredState::pending:
      return "pending";
    case DeferredState::done:
      return "done";
    case DeferredState::failed:
      return "failed";
    case DeferredState::interrupted:
      return "interrupted";
  }
  return "unknown";
}

DeferredQueue::DeferredQueue(PersistentMemory& persistent, VirtualClock& clock, bool defer_after_response,
                             Invoker invoker)
    : persistent_(persistent), clock_(clock), defer_(defer_after_response), invoker_(std::move(invoker)) {
  load_records();
}

std::string DeferredQueue::record_key(ByteView aid, std::string_view name) {
  std::string key(kDeferredRecordPrefix);
  key += to_hex(aid);
  key += '/';
  key += name;
  return key;
}

DeferredQueue::TaskKey DeferredQueue::key_of(const DeferredTask& task) const {
  return {aid_bytes(task.owner_aid()), task.name()};
}

Bytes DeferredQueue::encode_record(const DeferredResult& result, bool resumable, std::uint64_t sequence) {
  Bytes out;
  out.reserve(kRecordHeader + result.reason.size());
  out.push_back(kRecordVersion);
  out.push_back(static_cast<std::uint8_t>(result.state));
  out.push_back(resumable ? 0x01 : 0x00);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(sequence >> shift));
  const std::size_t reason_size = std::min(result.reason.size(), kMaxReason);
  out.insert(out.end(), result.reason.begin(), result.reason.begin() + static_cast<std::ptrdiff_t>(reason_size));
  return out;
}

void DeferredQueue::load_records() {
  nvm::NvmStore* store = persistent_.store();
  if (store == nullptr) return;
  const auto& committed = store->committed();
  for (auto it = committed.lower_bound(kDeferredRecordPrefix); it != committed.end(); ++it) {
    const std::string& key = it->first;
    if (!key.starts_with(kDeferredRecordPrefix)) break;
    const std::string rest = key.substr(kDeferredRecordPrefix.size());
    const auto slash = rest.find('/');
    const Bytes& value = it->second;
    if (slash == std::string::npos || value.size() < kRecordHeader || value[0] != kRecordVersion ||
        value[1] > static_cast<std::uint8_t>(DeferredState::interrupted)) {
      throw Error(Errc::integrity_error, "deferred executor: malformed record " + key);
    }
    Record record;
    record.result.state = static_cast<DeferredState>(value[1]);
    record.resumable = (value[2] & 0x01) != 0;
    for (std::size_t i = 3; i < kRecordHeader; ++i) record.sequence = (record.sequence << 8) | value[i];
    record.result.reason.assign(value.begin() + kRecordHeader, value.end());
    if (record.result.state == DeferredState::pending) {
      // Scheduled (the record was committed) but its own transaction never committed: power loss.
      record.result = DeferredResult{DeferredState::interrupted, "power loss", 0};
    }
    next_sequence_ = std::max(next_sequence_, record.sequence + 1);
    records_[{from_hex(rest.substr(0, slash)), rest.substr(slash + 1)}] = std::move(record);
  }
}

std::shared_ptr<DeferredTask> DeferredQueue::create(ByteView aid, DeferredTaskOptions options, DeferredWork work) {
  if (!valid_name(options.name)) {
    throw Error(Errc::invalid_argument,
                "deferred task name must be 1..32 characters of [a-z0-9_-], got '" + options.name + "'");
  }
  if (!work) throw Error(Errc::invalid_argument, "deferred task '" + options.name + "' has no work");
  TaskKey key{aid_bytes(aid), options.name};
  auto existing = tasks_.find(key);
  if (existing != tasks_.end() && !existing->second.expired()) {
    throw Error(Errc::invalid_argument, "deferred task '" + options.name + "' already exists for this applet");
  }
  auto task = std::make_shared<DeferredTask>(DeferredTask::Key{}, aid_bytes(aid), std::move(options), std::move(work));
  tasks_[key] = task;
  if (auto record = records_.find(key); record != records_.end()) {
    task->result_ = record->second.result;
    // A record that power loss interrupted: report it on the next command; a resumable task runs again.
    if (task->result_.state == DeferredState::interrupted) {
      report_ended(key.first, task->name(), task->result_);
      if (task->options().resumable) {
        resume_.push_back(task);
        if (powered_) power_on();  // created after power-up: scheduled now, before the next command
      }
    }
  }
  return task;
}

void DeferredQueue::enqueue(const std::shared_ptr<DeferredTask>& task) {
  task->queued_ = true;
  task->result_ = DeferredResult{DeferredState::pending, {}, 0};
  sequence_[key_of(*task)] = next_sequence_++;
  queue_.push_back(task);
  unrecorded_.push_back(task);
}

void DeferredQueue::schedule(ByteView aid, DeferredTask& task, bool may_run_now) {
  if (!std::ranges::equal(task.owner_aid(), aid)) {
    throw StatusWordError(iso7816::sw::kConditionsNotSatisfied, "deferred task of another applet");
  }
  if (task.queued_) {
    throw StatusWordError(iso7816::sw::kConditionsNotSatisfied,
                          "deferred task '" + task.name() + "' is already scheduled");
  }
  if (dead_) throw StatusWordError(iso7816::sw::kUnknown, "power lost");
  auto owned = tasks_[key_of(task)].lock();
  if (!owned) throw Error(Errc::state_error, "deferred task not created by this executor");
  if (!defer_ && may_run_now && persistent_.transaction_depth() == 0 && !running_) {
    // Baseline: the same work, at once, in its own transaction, before the response.
    owned->queued_ = true;
    owned->result_ = DeferredResult{DeferredState::pending, {}, 0};
    run_one(owned);
    return;
  }
  enqueue(owned);
}

void DeferredQueue::persist_scheduled() {
  nvm::NvmStore* store = persistent_.store();
  if (unrecorded_.empty()) return;
  if (store == nullptr || !defer_) {
    unrecorded_.clear();
    return;
  }
  // One commit records the whole batch as "pending": after a power loss these are the interrupted
  // tasks. It runs after the response, so it costs deferred time, not SEHT.
  std::vector<std::pair<std::string, Bytes>> writes;
  writes.reserve(unrecorded_.size());
  for (const auto& task : unrecorded_) {
    Bytes value = encode_record(task->result_, task->options().resumable, sequence_[key_of(*task)]);
    clock_.charge(SeOperation::nvm_write_atomic, value.size());
    writes.emplace_back(record_key(task->owner_aid(), task->name()), std::move(value));
  }
  unrecorded_.clear();
  clock_.charge(SeOperation::transaction_commit);
  nvm::run_transaction(*store, [&] {
    for (const auto& [key, value] : writes) store->write(key, value);
  });
}

void DeferredQueue::write_record(const DeferredTask& task, const DeferredResult& result) {
  nvm::NvmStore* store = persistent_.store();
  if (store == nullptr) return;
  Bytes value = encode_record(result, task.options().resumable, sequence_[key_of(task)]);
  clock_.charge(SeOperation::nvm_write_atomic, value.size());
  store->write(record_key(task.owner_aid(), task.name()), value);
}

void DeferredQueue::finish(DeferredTask& task, DeferredResult result) {
  task.queued_ = false;
  task.result_ = result;
  TaskKey key = key_of(task);
  sequence_.erase(key);
  if (persistent_.store() != nullptr) records_[key] = Record{result, task.options().resumable, 0};
  report_ended(key.first, task.name(), std::move(result));
}

void DeferredQueue::report_ended(const Bytes& aid, const std::string& name, DeferredResult result) {
  ended_[aid].emplace_back(name, std::move(result));
  lists_in_use_ = true;
}

void DeferredQueue::run_one(const std::shared_ptr<DeferredTask>& task) {
  const std::uint64_t start = clock_.now_ns();
  running_ = true;
  try {
    persistent_.bind(task->owner_aid());
    persistent_.begin_system_transaction();
    invoker_(*task, task->work_);
    // The "done" record commits with the task's own writes: both or neither survive a power loss.
    write_record(*task, DeferredResult{DeferredState::done, {}, clock_.now_ns() - start});
    persistent_.commit_system_transaction();
    running_ = false;
    finish(*task, DeferredResult{DeferredState::done, {}, clock_.now_ns() - start});
    return;
  } catch (const nvm::PowerLoss&) {
    running_ = false;
    persistent_.abort_open();
    dead_ = true;
    finish(*task, DeferredResult{DeferredState::interrupted, "power loss", clock_.now_ns() - start});
    interrupt_queue("power loss");
    return;
  } catch (const std::exception& e) {
    running_ = false;
    persistent_.abort_open();
    DeferredResult failed{DeferredState::failed, e.what(), 0};
    if (failed.reason.size() > kMaxReason) failed.reason.resize(kMaxReason);
    try {
      if (nvm::NvmStore* store = persistent_.store()) {
        clock_.charge(SeOperation::transaction_commit);
        nvm::run_transaction(*store, [&] { write_record(*task, failed); });
      }
    } catch (const nvm::PowerLoss&) {
      dead_ = true;
      failed = DeferredResult{DeferredState::interrupted, "power loss", 0};
    } catch (const std::exception& record_error) {
      spdlog::error("deferred executor: cannot record the failure of '{}': {}", task->name(), record_error.what());
    }
    failed.virtual_ns = clock_.now_ns() - start;
    spdlog::warn("deferred executor: task '{}' of {} ended {}: {}", task->name(), to_hex(task->owner_aid()),
                 deferred_state_name(failed.state), failed.reason);
    finish(*task, std::move(failed));
    if (dead_) interrupt_queue("power loss");
  }
}

void DeferredQueue::run_all() noexcept {
  if (dead_) return;
  try {
    persist_scheduled();
  } catch (const nvm::PowerLoss&) {
    dead_ = true;
    interrupt_queue("power loss");
    return;
  } catch (const std::exception& e) {
    // Without the record the tasks still run; only their report after a power loss is lost.
    spdlog::error("deferred executor: cannot record the scheduled tasks: {}", e.what());
  }
  while (!queue_.empty() && !dead_) {
    auto task = std::move(queue_.front());
    queue_.pop_front();
    run_one(task);
  }
}

void DeferredQueue::interrupt_queue(const char* reason) noexcept {
  try {
    while (!queue_.empty()) {
      auto task = std::move(queue_.front());
      queue_.pop_front();
      finish(*task, DeferredResult{DeferredState::interrupted, reason, 0});
      if (task->options().resumable) resume_.push_back(task);
    }
    unrecorded_.clear();
  } catch (...) {  // only allocation can fail here; the queue is cleared either way
    queue_.clear();
  }
}

void DeferredQueue::begin_command(ByteView aid) {
  if (!lists_in_use_) return;  // every list is empty: nothing to move, nothing to clear
  auto it = ended_.find(aid);
  auto checked = checked_.find(aid);
  if (it == ended_.end() || it->second.empty()) {
    if (checked != checked_.end()) checked->second.clear();
  } else {
    if (checked == checked_.end()) checked = checked_.try_emplace(aid_bytes(aid)).first;
    checked->second = std::move(it->second);
    it->second.clear();
  }
  const auto in_use = [](const auto& lists) {
    return std::ranges::any_of(lists, [](const auto& entry) { return !entry.second.empty(); });
  };
  lists_in_use_ = in_use(ended_) || in_use(checked_);
}

const std::vector<std::pair<std::string, DeferredResult>>& DeferredQueue::checked(ByteView aid) {
  auto found = checked_.find(aid);
  if (found == checked_.end()) found = checked_.try_emplace(aid_bytes(aid)).first;
  return found->second;
}

void DeferredQueue::power_lost() noexcept {
  powered_ = false;
  interrupt_queue("power loss");
}

void DeferredQueue::power_on() {
  powered_ = true;
  if (dead_) return;
  std::vector<std::shared_ptr<DeferredTask>> resume = std::move(resume_);
  resume_.clear();
  // Original schedule order: by persisted sequence (records), else creation order.
  std::ranges::stable_sort(resume, [this](const auto& a, const auto& b) {
    auto ra = records_.find(key_of(*a));
    auto rb = records_.find(key_of(*b));
    const std::uint64_t sa = ra != records_.end() ? ra->second.sequence : 0;
    const std::uint64_t sb = rb != records_.end() ? rb->second.sequence : 0;
    return sa < sb;
  });
  for (const auto& task : resume) {
    if (!task->queued_) enqueue(task);
  }
}

void DeferredQueue::forget(ByteView aid) noexcept {
  const Bytes key = aid_bytes(aid);
  std::erase_if(queue_, [&](const auto& task) { return std::ranges::equal(task->owner_aid(), key); });
  std::erase_if(unrecorded_, [&](const auto& task) { return std::ranges::equal(task->owner_aid(), key); });
  std::erase_if(resume_, [&](const auto& task) { return std::ranges::equal(task->owner_aid(), key); });
  std::erase_if(tasks_, [&](const auto& entry) { return entry.first.first == key; });
  std::erase_if(records_, [&](const auto& entry) { return entry.first.first == key; });
  ended_.erase(key);
  checked_.erase(key);
}

}  // namespace sefleet::card

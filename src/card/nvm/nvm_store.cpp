#include "card/nvm/nvm_store.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "card/nvm/crc32c.hpp"
#include "card/nvm/file_device.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"

namespace sefleet::card::nvm {

namespace {

using format::CommitSlot;

[[noreturn]] void corrupt(const std::string& name, const std::string& what) {
  throw Error(Errc::integrity_error, "NVM state file " + name + ": " + what + "; refusing to use it");
}

void check_key(std::string_view key) {
  if (key.empty() || key.size() > format::kMaxKeySize) {
    throw Error(Errc::invalid_argument, "NVM object key must be 1 to " + std::to_string(format::kMaxKeySize) +
                                            " bytes, got " + std::to_string(key.size()));
  }
}

std::uint64_t slot_offset(std::uint64_t generation) {
  return format::kSlotOffsets[generation % 2];
}

}  // namespace

void NvmStore::format(NvmDevice& device) {
  if (device.size() != 0) throw Error(Errc::state_error, "refusing to format non-empty NVM device " + device.name());
  // Generation 1 in slot 1 and generation 0 in slot 0: both valid, both empty, so the next commit
  // (generation 2) overwrites slot 0 and slot 1 stays the fallback while it is written.
  Bytes image = format::encode_file_header();
  sefleet::append(image, format::encode_slot(CommitSlot{0, format::kDataStart, format::kDataStart, 0}));
  sefleet::append(image, format::encode_slot(CommitSlot{1, format::kDataStart, format::kDataStart, 0}));
  device.write(0, image);
  device.sync();
}

void NvmStore::create_file(const std::filesystem::path& path) {
  if (std::filesystem::exists(path)) {
    throw Error(Errc::io_error, "create " + path.string() + ": a file already exists there");
  }
  // Format under a temporary name and rename: a crash leaves either no state file or a complete one.
  std::filesystem::path temporary = path;
  temporary += ".new";
  std::filesystem::remove(temporary);
  {
    FileDevice device(temporary, FileDevice::Mode::create_new);
    format(device);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    throw Error(Errc::io_error, "rename " + temporary.string() + " to " + path.string() + " failed");
  }
  sync_directory(path.parent_path());
}

NvmStore NvmStore::open_file(const std::filesystem::path& path, bool create_if_missing, NvmOptions options) {
  if (create_if_missing && !std::filesystem::exists(path)) create_file(path);
  return NvmStore(std::make_unique<FileDevice>(path, FileDevice::Mode::open_existing), options);
}

NvmStore::NvmStore(std::unique_ptr<NvmDevice> device, NvmOptions options)
    : device_(std::move(device)), options_(options) {
  recover();
}

NvmStore::NvmStore(NvmStore&&) noexcept = default;
NvmStore& NvmStore::operator=(NvmStore&&) noexcept = default;
NvmStore::~NvmStore() = default;

const std::string& NvmStore::name() const {
  return device_->name();
}

void NvmStore::recover() {
  const std::string& file = device_->name();
  const std::uint64_t size = device_->size();
  if (size < format::kDataStart) {
    corrupt(file, "truncated: " + std::to_string(size) + " bytes, the header alone needs " +
                      std::to_string(format::kDataStart));
  }
  Bytes head(format::kDataStart);
  device_->read(0, head);
  if (const std::string problem = format::file_header_problem(ByteView(head).first(format::kFileHeaderSize));
      !problem.empty()) {
    corrupt(file, problem);
  }
  const auto slot0 = format::decode_slot(ByteView(head).subspan(format::kSlotOffsets[0], format::kSlotSize));
  const auto slot1 = format::decode_slot(ByteView(head).subspan(format::kSlotOffsets[1], format::kSlotSize));
  // Power loss can tear only the slot being written, so at least one slot is always valid; the newest
  // valid one is the last commit. Two valid slots are one generation apart, each in its own place.
  if (!slot0 && !slot1) corrupt(file, "both commit slots are corrupt");
  if (slot0 && slot0->generation % 2 != 0) corrupt(file, "commit slot 0 holds an odd generation");
  if (slot1 && slot1->generation % 2 != 1) corrupt(file, "commit slot 1 holds an even generation");
  if (slot0 && slot1 &&
      std::max(slot0->generation, slot1->generation) - std::min(slot0->generation, slot1->generation) != 1) {
    corrupt(file, "commit slots are not consecutive generations");
  }
  const CommitSlot slot = !slot1 || (slot0 && slot0->generation > slot1->generation) ? *slot0 : *slot1;
  if (slot.base < format::kDataStart || slot.end < slot.base) corrupt(file, "commit slot has an invalid extent");
  if (slot.end > size) {
    corrupt(file, "truncated: committed data ends at byte " + std::to_string(slot.end) + " but the file has " +
                      std::to_string(size) + " bytes");
  }
  Bytes area(slot.end - slot.base);
  if (!area.empty()) device_->read(slot.base, area);
  replay(area, slot);
  slot_ = slot;
  // Bytes past the committed end are a transaction that was cut before its commit slot was written
  // (or the tail a compaction left): they were never committed, so dropping them loses nothing.
  if (size > slot.end) device_->truncate(slot.end);
}

void NvmStore::replay(ByteView area, const CommitSlot& slot) {
  const std::string& file = device_->name();
  std::size_t offset = 0;
  std::uint64_t expected = 1;  // a store that was never compacted starts at sequence 1
  bool first = true;
  while (offset < area.size()) {
    const std::string where = "committed record at byte " + std::to_string(slot.base + offset);
    std::string problem;
    const auto record = format::parse_record(area.subspan(offset), problem);
    if (!record) corrupt(file, where + ": " + problem);
    if (record->type == format::RecordType::snapshot) {
      if (!first) corrupt(file, where + ": snapshot record after the start of the committed area");
      expected = record->sequence;
      stats_.journal_bytes = 0;
    } else {
      stats_.journal_bytes += record->size;
    }
    if (record->sequence != expected) {
      corrupt(file,
              where + ": sequence " + std::to_string(record->sequence) + ", expected " + std::to_string(expected));
    }
    for (const auto& op : record->ops) {
      const auto found = state_.find(op.key);
      if (op.code == format::OpCode::put) {
        if (record->type == format::RecordType::snapshot && found != state_.end()) {
          corrupt(file, where + ": key '" + op.key + "' twice in a snapshot");
        }
        if (found != state_.end()) live_op_bytes_ -= format::put_op_size(found->first.size(), found->second.size());
        live_op_bytes_ += format::put_op_size(op.key.size(), op.value.size());
        state_.insert_or_assign(op.key, Bytes(op.value.begin(), op.value.end()));
      } else if (op.code == format::OpCode::append) {
        if (found == state_.end()) {
          live_op_bytes_ += format::put_op_size(op.key.size(), op.value.size());
          state_.emplace(op.key, Bytes(op.value.begin(), op.value.end()));
        } else {
          if (found->second.size() + op.value.size() > format::kMaxValueSize) {
            corrupt(file, where + ": append makes key '" + op.key + "' larger than an object may be");
          }
          live_op_bytes_ += op.value.size();
          sefleet::append(found->second, op.value);
        }
      } else if (op.code == format::OpCode::copy) {
        const std::string_view source_key(reinterpret_cast<const char*>(op.value.data()), op.value.size());
        const auto source = state_.find(source_key);
        if (source == state_.end() || source_key == op.key) {
          corrupt(file, where + ": copy of missing key '" + std::string(source_key) + "' to '" + op.key + "'");
        }
        if (found != state_.end()) live_op_bytes_ -= format::put_op_size(found->first.size(), found->second.size());
        live_op_bytes_ += format::put_op_size(op.key.size(), source->second.size());
        state_.insert_or_assign(op.key, source->second);
      } else {
        if (found == state_.end()) corrupt(file, where + ": erase of missing key '" + op.key + "'");
        live_op_bytes_ -= format::put_op_size(found->first.size(), found->second.size());
        forget_entry(&*found);
        state_.erase(found);
      }
    }
    offset += record->size;
    ++expected;
    first = false;
  }
  const std::uint64_t last = first ? 0 : expected - 1;
  if (last != slot.last_sequence) {
    corrupt(file, "commit slot names sequence " + std::to_string(slot.last_sequence) +
                      " but the committed records end at " + std::to_string(last));
  }
  stats_.snapshot_bytes = format::kEmptyRecordSize + live_op_bytes_;
}

void NvmStore::require_usable() const {
  if (broken_) {
    throw Error(Errc::state_error,
                "NVM store " + device_->name() + " was interrupted by an I/O failure; reopen it to recover");
  }
}

void NvmStore::require_transaction(const char* operation) const {
  require_usable();
  if (!in_transaction_) throw Error(Errc::state_error, std::string("NVM ") + operation + " outside a transaction");
}

std::optional<Bytes> NvmStore::get(std::string_view key) const {
  const auto committed = state_.find(key);
  if (in_transaction_) {
    if (const auto found = pending_.find(key); found != pending_.end()) {
      const Change& change = found->second;
      if (change.kind == Change::Kind::erase) return std::nullopt;
      if (change.kind == Change::Kind::move) return change.source->second;
      if (change.kind == Change::Kind::put || committed == state_.end()) return change.bytes;
      Bytes value = committed->second;
      sefleet::append(value, change.bytes);
      return value;
    }
  }
  if (committed != state_.end()) return committed->second;
  return std::nullopt;
}

bool NvmStore::contains(std::string_view key) const {
  if (in_transaction_) {
    if (const auto found = pending_.find(key); found != pending_.end()) {
      return found->second.kind != Change::Kind::erase;
    }
  }
  return state_.find(key) != state_.end();
}

std::vector<std::string> NvmStore::keys() const {
  std::vector<std::string> out;
  for (const auto& [key, value] : state_) {
    if (in_transaction_ && pending_.count(key) != 0) continue;
    out.push_back(key);
  }
  if (in_transaction_) {
    for (const auto& [key, change] : pending_) {
      if (change.kind != Change::Kind::erase) out.push_back(key);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

NvmStore::Change& NvmStore::add_pending(Pending::iterator hint, std::string_view key, Change::Kind kind,
                                        State::value_type* committed) {
  if (spare_nodes_.empty()) {
    return pending_.emplace_hint(hint, std::string(key), Change{kind, {}, committed, nullptr})->second;
  }
  Pending::node_type node = std::move(spare_nodes_.back());
  spare_nodes_.pop_back();
  node.key().assign(key);
  Change& change = node.mapped();
  change.kind = kind;
  change.committed = committed;  // change.bytes is empty: recycle() left it so
  change.source = nullptr;
  return pending_.insert(hint, std::move(node))->second;
}

void NvmStore::recycle(Pending::node_type&& node) {
  // A few nodes cover the small transactions; a large one does not leave thousands behind.
  constexpr std::size_t kSpareNodes = 8;
  // A short value's buffer stays with its node, so the next small change (the 4-byte length a
  // staged block appends) needs no allocation; a larger one (a block's own buffer, an image chunk) is
  // freed rather than kept alive until the next commit.
  constexpr std::size_t kSpareValueCapacity = 64;
  if (spare_nodes_.size() >= kSpareNodes) return;  // the node is freed here
  node.key().clear();
  Bytes& bytes = node.mapped().bytes;
  if (bytes.capacity() > kSpareValueCapacity) {
    bytes = Bytes{};
  } else {
    secure_zero(bytes.data(), bytes.size());  // a key set's record is this short: nothing of it stays behind
    bytes.clear();
  }
  spare_nodes_.push_back(std::move(node));
}

void NvmStore::begin() {
  require_usable();
  if (in_transaction_) throw Error(Errc::state_error, "NVM transaction already open");
  in_transaction_ = true;
  compact_at_commit_ = false;
  compaction_growth_ = 0;
  has_moves_ = false;
  pending_.clear();
}

void NvmStore::write(std::string_view key, ByteView value) {
  write(key, Bytes(value.begin(), value.end()));
}

void NvmStore::write(std::string_view key, Bytes&& value) {
  require_transaction("write");
  check_key(key);
  if (value.size() > format::kMaxValueSize) {
    throw Error(Errc::invalid_argument, "NVM object '" + std::string(key) + "' of " + std::to_string(value.size()) +
                                            " bytes exceeds the limit of " + std::to_string(format::kMaxValueSize));
  }
  if (const auto found = pending_.lower_bound(key); found != pending_.end() && found->first == key) {
    found->second.kind = Change::Kind::put;
    found->second.bytes = std::move(value);
    found->second.source = nullptr;
  } else {
    const auto committed = state_.find(key);
    add_pending(found, key, Change::Kind::put, committed == state_.end() ? nullptr : &*committed).bytes =
        std::move(value);
  }
}

void NvmStore::erase(std::string_view key) {
  require_transaction("erase");
  check_key(key);
  const auto found = pending_.lower_bound(key);
  const bool pending = found != pending_.end() && found->first == key;
  if (const auto committed = state_.find(key); committed != state_.end()) {
    if (pending) {
      found->second.kind = Change::Kind::erase;
      found->second.bytes = Bytes{};
      found->second.source = nullptr;
    } else {
      add_pending(found, key, Change::Kind::erase, &*committed);
    }
  } else if (pending) {
    recycle(pending_.extract(found));  // created and erased in the same transaction: nothing to record
  }
}

void NvmStore::append(std::string_view key, ByteView tail) {
  Change& change = change_for_append(key, tail.size());
  // After an erase in the same transaction the object starts again from nothing: a put of `tail`
  // (an erase's bytes are empty).
  if (change.kind == Change::Kind::erase) change.kind = Change::Kind::put;
  // Into the capacity a recycled node kept, for a new change.
  sefleet::append(change.bytes, tail);
}

void NvmStore::append(std::string_view key, Bytes&& tail) {
  Change& change = change_for_append(key, tail.size());
  if (change.kind == Change::Kind::erase) change.kind = Change::Kind::put;  // as above
  if (change.bytes.empty()) {
    change.bytes = std::move(tail);  // a new change keeps the buffer: it becomes the object as it is
  } else {
    sefleet::append(change.bytes, tail);
  }
}

void NvmStore::move(std::string_view from, std::string_view to) {
  require_transaction("move");
  check_key(from);
  check_key(to);
  if (from == to) throw Error(Errc::state_error, "NVM move of '" + std::string(from) + "' onto itself");
  // Unchanged keys only: every copy in the record then reads a value no other operation of the
  // transaction wrote, so the copies need no order among themselves and go before everything else.
  const auto from_pending = pending_.lower_bound(from);
  const auto source = state_.find(from);
  if ((from_pending != pending_.end() && from_pending->first == from) || source == state_.end()) {
    throw Error(Errc::state_error,
                "NVM move: '" + std::string(from) + "' is not a committed object unchanged in this transaction");
  }
  const auto to_pending = pending_.lower_bound(to);
  if (to_pending != pending_.end() && to_pending->first == to) {
    throw Error(Errc::state_error, "NVM move: '" + std::string(to) + "' already changed in this transaction");
  }
  const auto target = state_.find(to);
  add_pending(to_pending, to, Change::Kind::move, target == state_.end() ? nullptr : &*target).source = &*source;
  add_pending(pending_.lower_bound(from), from, Change::Kind::erase, &*source);
  has_moves_ = true;
}

NvmStore::State::value_type* NvmStore::find_for_append(std::string_view key) {
  for (State::value_type* const entry : recent_appends_) {
    if (entry != nullptr && entry->first == key) return entry;
  }
  const auto found = state_.find(key);
  if (found == state_.end()) return nullptr;
  recent_appends_[1] = recent_appends_[0];
  recent_appends_[0] = &*found;
  return &*found;
}

void NvmStore::forget_entry(const State::value_type* entry) noexcept {
  for (State::value_type*& recent : recent_appends_) {
    if (recent == entry) recent = nullptr;
  }
}

NvmStore::Change& NvmStore::change_for_append(std::string_view key, std::size_t tail_size) {
  require_transaction("append");
  check_key(key);
  const auto found = pending_.lower_bound(key);
  const bool pending = found != pending_.end() && found->first == key;
  State::value_type* const committed = pending ? found->second.committed : find_for_append(key);
  // The size the value has with the open transaction applied.
  std::size_t size = committed == nullptr ? 0 : committed->second.size();
  if (pending) {
    const Change& change = found->second;
    size = change.kind == Change::Kind::put     ? change.bytes.size()
           : change.kind == Change::Kind::erase ? 0
           : change.kind == Change::Kind::move  ? change.source->second.size()
                                                : size + change.bytes.size();
  }
  if (tail_size > format::kMaxValueSize - size) {
    throw Error(Errc::invalid_argument, "NVM object '" + std::string(key) + "' of " + std::to_string(size) +
                                            " bytes cannot grow by " + std::to_string(tail_size) +
                                            " beyond the limit of " + std::to_string(format::kMaxValueSize));
  }
  if (pending) {
    Change& change = found->second;
    // An append to a moved value: a put of a copy of it, the appended bytes follow (a rare case; the
    // move itself stays without a copy).
    if (change.kind == Change::Kind::move) {
      change.bytes = change.source->second;
      change.kind = Change::Kind::put;
      change.source = nullptr;
    }
    // A pending erase stays over the committed entry: the put the caller makes of it replaces that.
    return change;
  }
  return add_pending(found, key, Change::Kind::append, committed);
}

void NvmStore::abort() {
  require_transaction("abort");
  while (!pending_.empty()) recycle(pending_.extract(pending_.begin()));
  in_transaction_ = false;
}

void NvmStore::compact_at_commit() {
  require_transaction("compact_at_commit");
  compact_at_commit_ = true;
}

void NvmStore::compact_at_commit(std::uint64_t growth) {
  require_transaction("compact_at_commit");
  // A few objects at the size limit: more is a caller's mistake, not a plan.
  if (growth > format::kMaxValueSize * std::uint64_t{4}) {
    throw Error(Errc::invalid_argument, "NVM compaction room of " + std::to_string(growth) + " bytes is too large");
  }
  compact_at_commit_ = true;
  compaction_growth_ = growth;
}

void NvmStore::allow_journal(std::uint64_t bytes) {
  require_usable();
  if (in_transaction_) throw Error(Errc::state_error, "NVM allow_journal inside a transaction");
  journal_allowance_ = bytes;
}

bool NvmStore::compaction_due(std::uint64_t journal_after, std::uint64_t snapshot_size) const noexcept {
  return journal_after > std::max(options_.compact_after_bytes, journal_allowance_) && journal_after > snapshot_size;
}

void NvmStore::commit() {
  require_transaction("commit");
  Pending changes = std::move(pending_);
  pending_.clear();
  in_transaction_ = false;
  stats_.last_commit_syncs = 0;
  if (changes.empty()) return;
  commit_changes(std::move(changes), compact_at_commit_, compaction_growth_);
}

void NvmStore::compact() {
  require_usable();
  if (in_transaction_) throw Error(Errc::state_error, "NVM compaction inside a transaction");
  stats_.last_commit_syncs = 0;
  commit_changes(Pending{}, true);
}

void NvmStore::sync() {
  device_->sync();
  ++stats_.syncs;
  ++stats_.last_commit_syncs;
}

void NvmStore::publish(std::uint64_t offset, const format::RecordWriter& record, const CommitSlot& next) {
  // Sync 1: the record (or snapshot) must be durable before any slot points at it; otherwise the
  // device could persist the slot first and a power loss would leave it naming garbage.
  record.pieces(gather_);
  device_->write_gather(offset, gather_);
  sync();
  publish_slot(next);
}

void NvmStore::publish_slot(const CommitSlot& next) {
  // Sync 2: the commit point. The slot is the only thing that makes the new bytes part of the state.
  const format::SlotBytes slot = format::encode_slot_bytes(next);
  device_->write(slot_offset(next.generation), slot);
  sync();
}

void NvmStore::commit_appends_in_transaction(std::span<const Append> appends) {
  begin();
  try {
    for (const Append& item : appends) append(item.key, item.tail);
    commit();
  } catch (...) {
    if (in_transaction_) abort();
    throw;
  }
}

void NvmStore::commit_appends(std::span<const Append> appends) {
  require_usable();
  if (in_transaction_) throw Error(Errc::state_error, "NVM transaction already open");
  // A short block's record is about 300 bytes: framing it in one buffer costs less than the general
  // path's bookkeeping. A long record (a 64 KB block) is written from its buffers by that path.
  constexpr std::size_t kMaxAppends = 4;
  constexpr std::uint64_t kMaxShortRecord = 4096;
  std::array<State::value_type*, kMaxAppends> entries{};
  if (appends.empty() || appends.size() > kMaxAppends) return commit_appends_in_transaction(appends);
  // The ops in key order, as the general path's pending changes (a sorted map) put them.
  std::array<std::size_t, kMaxAppends> order{};
  for (std::size_t i = 0; i < appends.size(); ++i) {
    std::size_t at = i;
    for (; at > 0 && appends[order[at - 1]].key > appends[i].key; --at) order[at] = order[at - 1];
    order[at] = i;
  }
  std::uint64_t record_size = format::kEmptyRecordSize;
  std::uint64_t added = 0;
  for (std::size_t i = 0; i < appends.size(); ++i) {
    const Append& item = appends[i];
    // Refusals (a bad key, an object at its size limit) and new objects are the general path's.
    if (item.key.empty() || item.key.size() > format::kMaxKeySize) return commit_appends_in_transaction(appends);
    State::value_type* const entry = find_for_append(item.key);
    if (entry == nullptr || item.tail.size() > format::kMaxValueSize - entry->second.size()) {
      return commit_appends_in_transaction(appends);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (entries[j] == entry) return commit_appends_in_transaction(appends);  // one op per key there
    }
    entries[i] = entry;
    record_size += format::put_op_size(item.key.size(), item.tail.size());
    added += item.tail.size();
  }
  // The general path's compaction rule, for a record of appends to existing objects.
  const std::uint64_t journal_after = stats_.journal_bytes + record_size;
  const std::uint64_t snapshot_size = format::kEmptyRecordSize + live_op_bytes_ + added;
  if (record_size > kMaxShortRecord || compaction_due(journal_after, snapshot_size)) {
    return commit_appends_in_transaction(appends);
  }

  // The record, byte for byte what format::RecordWriter makes of the same appends.
  const std::uint64_t sequence = slot_.last_sequence + 1;
  Bytes& record = short_record_;
  record.resize(record_size);
  std::uint8_t* out = record.data();
  format::encode_record_start(out, format::RecordType::transaction,
                              record_size - format::kRecordHeaderSize - format::kRecordTrailerSize, sequence,
                              static_cast<std::uint32_t>(appends.size()));
  out += format::kRecordStartSize;
  for (std::size_t i = 0; i < appends.size(); ++i) {
    const Append& item = appends[order[i]];
    out = format::encode_op_header(out, format::OpCode::append, item.key, item.tail.size());
    out = std::copy(item.tail.begin(), item.tail.end(), out);
  }
  const std::size_t body = record.size() - format::kRecordTrailerSize;
  format::store_be<format::kRecordTrailerSize>(out, crc32c(ByteView(record).first(body)));

  CommitSlot next = slot_;
  next.generation = slot_.generation + 1;
  next.last_sequence = sequence;
  next.end = slot_.end + record_size;
  stats_.last_commit_syncs = 0;
  broken_ = true;  // as in commit_changes: until the commit completes
  // Sync 1 as in publish(): the record is durable before the slot names it.
  device_->write(slot_.end, record);
  sync();
  publish_slot(next);
  slot_ = next;
  stats_.journal_bytes += record_size;
  for (std::size_t i = 0; i < appends.size(); ++i) {
    sefleet::append(entries[i]->second, appends[i].tail);
    live_op_bytes_ += appends[i].tail.size();
  }
  stats_.snapshot_bytes = format::kEmptyRecordSize + live_op_bytes_;
  ++stats_.commits;
  if (device_->size() > slot_.end) device_->truncate(slot_.end);  // as commit_changes (an old torn tail)
  broken_ = false;
}

std::uint64_t NvmStore::snapshot_size_after(const Pending& overlay) const {
  std::uint64_t ops = live_op_bytes_;
  for (const auto& [key, change] : overlay) {
    if (change.kind == Change::Kind::append && change.committed != nullptr) {
      ops += change.bytes.size();
      continue;
    }
    if (change.committed != nullptr) ops -= format::put_op_size(key.size(), change.committed->second.size());
    if (change.kind == Change::Kind::move) {
      ops += format::put_op_size(key.size(), change.source->second.size());
    } else if (change.kind != Change::Kind::erase) {
      ops += format::put_op_size(key.size(), change.bytes.size());
    }
  }
  return format::kEmptyRecordSize + ops;
}

format::RecordWriter NvmStore::snapshot_record(std::uint64_t sequence, const Pending& overlay) const {
  format::RecordWriter writer(format::RecordType::snapshot, sequence);
  for (const auto& [key, value] : state_) {
    const auto change = overlay.find(key);
    if (change == overlay.end()) {
      writer.put(key, value);
    } else if (change->second.kind == Change::Kind::append) {
      writer.put(key, value, change->second.bytes);  // the committed value and what this commit adds
    }
  }
  for (const auto& [key, change] : overlay) {
    if (change.kind == Change::Kind::put || (change.kind == Change::Kind::append && change.committed == nullptr)) {
      writer.put(key, change.bytes);
    } else if (change.kind == Change::Kind::move) {
      writer.put(key, change.source->second);  // the source's buffer, still in the state
    }
  }
  writer.finish();
  return writer;
}

void NvmStore::commit_changes(Pending&& changes, bool force_compaction, std::uint64_t growth) {
  const std::uint64_t sequence = slot_.last_sequence + 1;
  // The record refers to the values in `changes` (and a snapshot to those in the state), which stay
  // where they are until apply() moves them into the state after the commit.
  format::RecordWriter& record = record_;
  record.reset(format::RecordType::transaction, sequence);
  // The copies first: each reads its source as committed, before the erase that follows it.
  if (has_moves_) {
    for (const auto& [key, change] : changes) {
      if (change.kind == Change::Kind::move) record.copy(key, change.source->first);
    }
  }
  for (const auto& [key, change] : changes) {
    switch (change.kind) {
      case Change::Kind::move:
        break;
      case Change::Kind::put:
        record.put(key, change.bytes);
        break;
      case Change::Kind::erase:
        record.erase(key);
        break;
      case Change::Kind::append:
        record.append(key, change.bytes);
        break;
    }
  }
  // The record's size with its checksum; the checksum itself only when the record is written (a
  // compaction writes a snapshot instead, and an activation's record may be as large as the image).
  const std::uint64_t record_size = changes.empty() ? 0 : record.size() + format::kRecordTrailerSize;
  const std::uint64_t snapshot_size = snapshot_size_after(changes);
  const std::uint64_t journal_after = stats_.journal_bytes + record_size;
  const bool compacting = force_compaction || compaction_due(journal_after, snapshot_size);

  CommitSlot next = slot_;
  next.generation = slot_.generation + 1;
  next.last_sequence = sequence;
  broken_ = true;  // until the commit completes: an exception leaves memory and file out of step
  if (compacting) {
    const format::RecordWriter snapshot = snapshot_record(sequence, changes);
    // The snapshot goes where no committed byte lives: before the current base when it fits there,
    // else after the current end. The committed records stay intact until the new slot is durable.
    // With room for a larger snapshot in front (compact_at_commit(growth)), it starts no earlier
    // than that room's end: behind a gap when the committed records end before it.
    const std::uint64_t front = format::kDataStart + (growth == 0 ? 0 : snapshot.size() + growth);
    next.base = front + snapshot.size() <= slot_.base ? front : std::max(slot_.end, front);
    next.end = next.base + snapshot.size();
    publish(next.base, snapshot, next);
    stats_.journal_bytes = 0;
    journal_allowance_ = 0;
    ++stats_.compactions;
  } else {
    record.finish();
    next.end = slot_.end + record_size;
    publish(slot_.end, record, next);
    stats_.journal_bytes += record_size;
  }
  slot_ = next;
  apply(std::move(changes));
  ++stats_.commits;
  // After a compaction to the front, everything past the new end is dead: give the space back. Not
  // synced on purpose: a lost truncate only leaves an uncommitted tail, which recovery drops again.
  if (device_->size() > slot_.end) device_->truncate(slot_.end);
  broken_ = false;
}

void NvmStore::apply(Pending&& changes) {
  // A moved value changes owner before any change is applied (its source's change may come first in
  // key order and erase the entry). The source keeps an empty value until its own change replaces or
  // erases it, and is counted as such.
  for (auto& [key, change] : changes) {
    if (!has_moves_) break;  // nothing to hand over
    if (change.kind != Change::Kind::move) continue;
    Bytes& value = change.source->second;
    live_op_bytes_ -= value.size();
    change.bytes = std::move(value);
    value = Bytes{};
    change.kind = Change::Kind::put;
  }
  while (!changes.empty()) {
    auto node = changes.extract(changes.begin());  // key and value move on, neither is copied
    std::string& key = node.key();
    Change& change = node.mapped();
    State::value_type* const committed = change.committed;
    if (committed != nullptr && change.kind == Change::Kind::append) {
      live_op_bytes_ += change.bytes.size();
      sefleet::append(committed->second, change.bytes);
    } else {
      if (committed != nullptr) live_op_bytes_ -= format::put_op_size(key.size(), committed->second.size());
      if (change.kind == Change::Kind::erase) {
        if (committed != nullptr) {
          forget_entry(committed);
          state_.erase(key);
        }
      } else {
        live_op_bytes_ += format::put_op_size(key.size(), change.bytes.size());
        if (committed != nullptr) {
          committed->second = std::move(change.bytes);
        } else {
          state_.emplace(std::move(key), std::move(change.bytes));
        }
      }
    }
    recycle(std::move(node));
  }
  stats_.snapshot_bytes = format::kEmptyRecordSize + live_op_bytes_;
}

}  // namespace sefleet::card::nvm

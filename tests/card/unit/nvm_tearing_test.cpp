// THE tearing test: power is cut at every physical write of an operation (and during the recovery
// that follows), with several amounts of the torn write reaching the medium. Each time, reopening must
// give exactly the state before or exactly the state after the operation, never anything in between,
// and the recovered store must keep working.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <limits>
#include <string>

#include "card/nvm/file_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "core/error.hpp"
#include "nvm_test_util.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;
using test::State;

// How much of the torn write reaches the medium: nothing, one byte, part of a slot, part of a record
// header, and all of it (the power dies right after the write, before anything else).
constexpr std::size_t kKeepBytes[] = {0, 1, 23, 40, std::numeric_limits<std::size_t>::max()};

struct Scenario {
  std::function<void(NvmStore&)> prepare;    // builds the committed before-state (default options, not torn)
  NvmOptions options;                        // for the operation
  std::function<void(NvmStore&)> operation;  // the operation under test
  // What the operation must do, so that each scenario provably takes the storage path it is about.
  std::uint64_t expected_writes;
  std::uint64_t expected_compactions;
};

std::unique_ptr<NvmDevice> open_device(const std::filesystem::path& path) {
  return std::make_unique<FileDevice>(path, FileDevice::Mode::open_existing);
}

// The multi-object transaction of the tearing test: overwrite, create, a 3 KB value, and an erase.
void multi_object_transaction(NvmStore& store) {
  store.begin();
  store.write("isd/seq", Bytes{0, 0, 0x2A});
  store.write("isd/keyset/31", pattern(48, 7));
  store.write("applet/blob", pattern(3000, 8));
  store.erase("isd/keyset/30");
  store.write("isd/lifecycle", Bytes{0x0F});
  store.commit();
}

// A transaction of appends: to an object committed earlier (log/0), to a missing one (which creates
// it), and twice to the same object, next to an ordinary write.
void append_transaction(NvmStore& store) {
  store.begin();
  store.append("log/0", pattern(239, 9));
  store.append("stream/new", pattern(100, 10));
  store.append("stream/new", pattern(700, 11));
  store.write("isd/seq", Bytes{0, 0, 0x2B});
  store.commit();
}

// A short block's commit through NvmStore::commit_appends: two appends to committed objects, framed
// in one buffer (or, when a compaction is due, the general path's transaction).
void short_appends(NvmStore& store) {
  const Bytes block = pattern(239, 16);
  const Bytes length{0, 0, 0, 239};
  const NvmStore::Append appends[] = {{"log/0", block}, {"log/1", length}};
  store.commit_appends(appends);
}

// A staging opened with room in front of its snapshot (NvmStore::compact_at_commit(growth)): the
// snapshot lands behind a gap the file did not have.
void compaction_with_room(NvmStore& store) {
  store.begin();
  store.write("img/staging", pattern(30, 17));
  store.compact_at_commit(50000);
  store.commit();
}

// A transaction made after an aborted one on the same store object, so that its changes live in the
// map nodes the aborted one left for reuse: an erase and then an append over a committed object (a
// put of the new bytes), appends to committed and missing objects, a name too long to be kept inline.
void transaction_after_abort(NvmStore& store) {
  store.begin();
  store.append("log/0", pattern(239, 12));
  store.write("stream/aborted", pattern(600, 13));
  store.erase("isd/lifecycle");
  store.abort();
  store.begin();
  store.erase("log/1");
  store.append("log/1", pattern(239, 14));
  store.append("log/0", pattern(239, 15));
  store.append("img/a-name-longer-than-fifteen", Bytes{1, 2, 3, 4});
  store.commit();
}

// A transaction of renames, as an image activation makes them: a key moved onto a committed one (which
// it replaces) and one moved to a new name, a name sorting before its source and one after it, next
// to an erase and a write.
void move_transaction(NvmStore& store) {
  store.begin();
  store.move("log/0", "img/active/chunk/0000");
  store.move("log/1", "zz/moved");
  store.erase("log/2");
  store.write("isd/seq", Bytes{0, 0, 0x2C});
  store.commit();
}

// Committed state with a journal much larger than the state itself (the same keys rewritten), so
// that a low compaction threshold makes the next commit compact.
void base_state(NvmStore& store) {
  store.begin();
  store.write("isd/keyset/30", pattern(48, 1));
  store.write("isd/lifecycle", Bytes{0x07});
  store.commit();
  for (int i = 0; i < 12; ++i) {
    store.begin();
    store.write("isd/seq", Bytes{0, 0, static_cast<std::uint8_t>(i + 2)});
    store.write("log/" + std::to_string(i % 3), pattern(400, static_cast<std::uint8_t>(i)));
    store.commit();
  }
}

class NvmTearingTest : public ::testing::Test {
 protected:
  void run(const Scenario& scenario) {
    const auto golden = dir_.path() / "golden.nvm";
    State before;
    {
      NvmStore store = NvmStore::open_file(golden, true);
      scenario.prepare(store);
      before = store.committed();
    }
    // A dry run through a counting device gives the after-state and the number of physical writes.
    const auto dry = dir_.path() / "dry.nvm";
    std::filesystem::copy_file(golden, dry);
    State after;
    std::uint64_t writes = 0;
    std::uint64_t at_open = 0;
    {
      auto counting = std::make_unique<TearingDevice>(open_device(dry), 0);
      TearingDevice* device = counting.get();
      NvmStore store(std::move(counting), scenario.options);
      at_open = device->physical_writes();
      const std::uint64_t syncs_before = device->syncs();
      scenario.operation(store);
      writes = device->physical_writes() - at_open;
      EXPECT_EQ(store.stats().compactions, scenario.expected_compactions);
      EXPECT_LE(device->syncs() - syncs_before, 2u) << "more than 2 syncs for one commit";
      after = store.committed();
    }
    ASSERT_EQ(writes, scenario.expected_writes) << "the scenario did not take the intended path";
    ASSERT_EQ(test::reopen_state(dry), after);

    bool saw_before = false;
    bool saw_after = false;
    for (std::uint64_t tear_at = 1; tear_at <= writes; ++tear_at) {
      for (const std::size_t keep : kKeepBytes) {
        SCOPED_TRACE("power cut at write " + std::to_string(tear_at) + ", keeping " + std::to_string(keep) + " bytes");
        const auto torn = dir_.path() / "torn.nvm";
        std::filesystem::remove(torn);
        std::filesystem::copy_file(golden, torn);
        {
          // Writes made while opening (none for a clean file) come before the operation's.
          auto tearing = std::make_unique<TearingDevice>(open_device(torn), at_open + tear_at, keep);
          NvmStore store(std::move(tearing), scenario.options);
          EXPECT_THROW(scenario.operation(store), PowerLoss);
          EXPECT_THROW(store.begin(), Error) << "a store interrupted mid-commit must refuse further use";
        }
        const State recovered = recover_with_tears(torn, scenario.options);
        const bool is_before = recovered == before;
        const bool is_after = recovered == after;
        EXPECT_TRUE(is_before || is_after) << "recovered a state that is neither before nor after";
        saw_before = saw_before || is_before;
        saw_after = saw_after || is_after;
        // The recovered store keeps working.
        NvmStore store = NvmStore::open_file(torn, false, scenario.options);
        store.begin();
        store.write("post/recovery", Bytes{1});
        store.commit();
        State expected = recovered;
        expected["post/recovery"] = Bytes{1};
        EXPECT_EQ(test::reopen_state(torn), expected);
      }
    }
    EXPECT_TRUE(saw_before);
    EXPECT_TRUE(saw_after);
  }

  // Recovers `path` while also cutting power at every physical write recovery itself makes; each
  // interrupted recovery must leave a file that recovers to the same state.
  State recover_with_tears(const std::filesystem::path& path, const NvmOptions& options) {
    const auto reference = dir_.path() / "reference.nvm";
    std::filesystem::remove(reference);
    std::filesystem::copy_file(path, reference);
    const State expected = NvmStore::open_file(reference, false, options).committed();
    for (std::uint64_t tear_at = 1;; ++tear_at) {
      const auto attempt = dir_.path() / "attempt.nvm";
      std::filesystem::remove(attempt);
      std::filesystem::copy_file(path, attempt);
      bool interrupted = false;
      try {
        NvmStore store(std::make_unique<TearingDevice>(open_device(attempt), tear_at), options);
      } catch (const PowerLoss&) {
        interrupted = true;
      }
      EXPECT_EQ(test::reopen_state(attempt), expected) << "after power loss at recovery write " << tear_at;
      if (!interrupted) break;
    }
    return expected;
  }

  sefleet::test::TempDir dir_;
};

TEST_F(NvmTearingTest, MultiObjectTransactionAppended) {
  run(Scenario{base_state, NvmOptions{}, multi_object_transaction, 2, 0});
}

TEST_F(NvmTearingTest, MultiObjectTransactionThatCompactsBehindTheJournal) {
  // The low threshold makes this commit rewrite the whole state; the journal starts at the front of
  // the record area, so the snapshot lands after it (record, slot: 2 writes).
  run(Scenario{base_state, NvmOptions{1024}, multi_object_transaction, 2, 1});
}

TEST_F(NvmTearingTest, MultiObjectTransactionThatCompactsToTheFrontAndTruncates) {
  // After one compaction behind the journal, the front of the record area is free: the next
  // compaction writes there and then truncates the file (snapshot, slot, truncate: 3 writes).
  const auto prepare = [](NvmStore& store) {
    base_state(store);
    store.compact();
    for (int i = 0; i < 8; ++i) {
      store.begin();
      store.write("isd/seq", pattern(400, static_cast<std::uint8_t>(i)));
      store.commit();
    }
  };
  run(Scenario{prepare, NvmOptions{1024}, multi_object_transaction, 3, 1});
}

TEST_F(NvmTearingTest, AppendTransactionAppended) {
  run(Scenario{base_state, NvmOptions{}, append_transaction, 2, 0});
}

TEST_F(NvmTearingTest, AppendTransactionThatCompacts) {
  // The snapshot carries each appended object whole: its committed value followed by the new bytes.
  run(Scenario{base_state, NvmOptions{1024}, append_transaction, 2, 1});
}

TEST_F(NvmTearingTest, ShortAppendsAppended) {
  run(Scenario{base_state, NvmOptions{}, short_appends, 2, 0});
}

TEST_F(NvmTearingTest, ShortAppendsThatCompact) {
  run(Scenario{base_state, NvmOptions{1024}, short_appends, 2, 1});
}

TEST_F(NvmTearingTest, CompactionWithRoomInFront) {
  run(Scenario{base_state, NvmOptions{}, compaction_with_room, 2, 1});
}

TEST_F(NvmTearingTest, CompactionIntoTheRoomTruncates) {
  // The stream appended behind the room, then its activation: a snapshot in the room, the slot, and
  // the truncate of everything behind it (3 writes).
  const auto prepare = [](NvmStore& store) {
    base_state(store);
    compaction_with_room(store);
    store.allow_journal(100000);
    for (int i = 0; i < 20; ++i) short_appends(store);
  };
  const auto activate = [](NvmStore& store) {
    store.begin();
    store.move("log/0", "img/active/01/chunk/0000");
    store.erase("img/staging");
    store.compact_at_commit();
    store.commit();
  };
  run(Scenario{prepare, NvmOptions{}, activate, 3, 1});
}

TEST_F(NvmTearingTest, MoveTransactionAppended) {
  // The record holds the copies and erases by name; recovery replays them.
  const auto prepare = [](NvmStore& store) {
    base_state(store);
    store.begin();
    store.write("img/active/chunk/0000", pattern(300, 20));
    store.commit();
  };
  run(Scenario{prepare, NvmOptions{}, move_transaction, 2, 0});
}

TEST_F(NvmTearingTest, MoveTransactionThatCompacts) {
  // The snapshot writes each moved value under its new name from the source's buffer.
  run(Scenario{base_state, NvmOptions{1024}, move_transaction, 2, 1});
}

TEST_F(NvmTearingTest, TransactionInReusedNodesAppended) {
  run(Scenario{base_state, NvmOptions{}, transaction_after_abort, 2, 0});
}

TEST_F(NvmTearingTest, TransactionInReusedNodesThatCompacts) {
  run(Scenario{base_state, NvmOptions{1024}, transaction_after_abort, 2, 1});
}

TEST_F(NvmTearingTest, ExplicitCompaction) {
  const auto compact = [](NvmStore& store) { store.compact(); };
  run(Scenario{base_state, NvmOptions{}, compact, 2, 1});
}

TEST_F(NvmTearingTest, TornRecoveryOfTornTail) {
  // A torn tail makes recovery truncate; cutting power at that truncate must change nothing.
  const auto path = dir_.path() / "tail.nvm";
  State state;
  {
    NvmStore store = NvmStore::open_file(path, true);
    base_state(store);
    state = store.committed();
  }
  Bytes bytes = test::read_file(path);
  append(bytes, pattern(99, 2));
  test::write_file(path, bytes);
  EXPECT_EQ(recover_with_tears(path, NvmOptions{}), state);
}

}  // namespace
}  // namespace sefleet::card::nvm

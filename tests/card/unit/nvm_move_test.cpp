// NvmStore::move: a rename inside a transaction that hands the value's buffer to the new name (no
// copy), records only the two names (a copy operation and the erase of the source), replays after a
// reopen, and refuses what would make the record's order matter. Power cuts: nvm_tearing_test.cpp.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_format.hpp"
#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"
#include "nvm_test_util.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;
using test::State;

class NvmMoveTest : public ::testing::Test {
 protected:
  NvmMoveTest() {
    MemoryDevice device(medium_);
    NvmStore::format(device);
  }
  NvmStore open() { return NvmStore(std::make_unique<MemoryDevice>(medium_)); }
  State reopened() { return open().committed(); }

  // "src/a" (4 KB), "src/b" (600 B) and "dst/old" committed.
  void commit_sources(NvmStore& store) {
    store.begin();
    store.write("src/a", pattern(4096, 1));
    store.write("src/b", pattern(600, 2));
    store.write("dst/old", pattern(100, 3));
    store.commit();
  }

  MemoryDevice::Medium medium_ = std::make_shared<Bytes>();
};

TEST_F(NvmMoveTest, AMoveRenamesTheValueWithoutCopyingItAndReplays) {
  NvmStore store = open();
  commit_sources(store);
  const std::uint8_t* const buffer = store.committed().at("src/a").data();
  const std::uint64_t end_before = medium_->size();
  store.begin();
  store.move("src/a", "dst/new");  // a new name
  store.move("src/b", "dst/old");  // onto a committed object, which it replaces
  // Reads inside the transaction see the renames; the committed state is untouched until the commit.
  EXPECT_EQ(store.get("dst/new"), pattern(4096, 1));
  EXPECT_EQ(store.get("dst/old"), pattern(600, 2));
  EXPECT_FALSE(store.get("src/a").has_value());
  EXPECT_FALSE(store.contains("src/b"));
  EXPECT_EQ(store.keys(), (std::vector<std::string>{"dst/new", "dst/old"}));
  EXPECT_EQ(store.committed().at("src/a"), pattern(4096, 1));
  store.commit();
  // The record holds names, not the 4.6 KB of values.
  EXPECT_LT(medium_->size() - end_before, 200u);
  EXPECT_EQ(store.committed().at("dst/new").data(), buffer) << "the value was copied";
  const State expected{{"dst/new", pattern(4096, 1)}, {"dst/old", pattern(600, 2)}};
  EXPECT_EQ(store.committed(), expected);
  EXPECT_EQ(reopened(), expected);
  // The compaction estimate followed the renames: a snapshot has exactly the size it announced (the
  // second compaction goes to the front and truncates, so the medium is that snapshot).
  store.compact();
  store.compact();
  EXPECT_EQ(store.stats().snapshot_bytes, medium_->size() - format::kDataStart);
  EXPECT_EQ(reopened(), expected);
}

TEST_F(NvmMoveTest, LaterChangesInTheTransactionApplyOnTopOfAMove) {
  NvmStore store = open();
  commit_sources(store);
  store.begin();
  store.move("src/a", "dst/appended");
  store.append("dst/appended", Bytes{0xEE});  // a put of the moved value and the new byte
  store.move("src/b", "dst/rewritten");
  store.write("dst/rewritten", Bytes{1});
  store.write("src/b", Bytes{2});  // the source gets a new value after its rename
  store.move("dst/old", "dst/dropped");
  store.erase("dst/dropped");  // renamed, then erased: both names are gone
  store.commit();
  Bytes appended = pattern(4096, 1);
  appended.push_back(0xEE);
  const State expected{{"dst/appended", appended}, {"dst/rewritten", Bytes{1}}, {"src/b", Bytes{2}}};
  EXPECT_EQ(store.committed(), expected);
  EXPECT_EQ(reopened(), expected);
}

TEST_F(NvmMoveTest, AnAbortedMoveChangesNothing) {
  NvmStore store = open();
  commit_sources(store);
  const State before = store.committed();
  store.begin();
  store.move("src/a", "dst/new");
  store.abort();
  EXPECT_EQ(store.committed(), before);
  // The nodes the aborted move left behind serve the next transaction.
  store.begin();
  store.move("src/a", "dst/new");
  store.commit();
  EXPECT_EQ(reopened().count("dst/new"), 1u);
  EXPECT_EQ(reopened().count("src/a"), 0u);
}

TEST_F(NvmMoveTest, MovesThatWouldMakeTheRecordsOrderMatterAreRefused) {
  NvmStore store = open();
  commit_sources(store);
  const State before = store.committed();
  const auto expect_error = [](Errc code, auto&& action) {
    try {
      action();
      ADD_FAILURE() << "move accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), code) << error.what();
    }
  };
  expect_error(Errc::state_error, [&] { store.move("src/a", "dst/new"); });  // outside a transaction
  store.begin();
  expect_error(Errc::state_error, [&] { store.move("missing", "dst/new"); });
  expect_error(Errc::state_error, [&] { store.move("src/a", "src/a"); });
  expect_error(Errc::invalid_argument, [&] { store.move("", "dst/new"); });
  expect_error(Errc::invalid_argument, [&] { store.move("src/a", std::string(format::kMaxKeySize + 1, 'k')); });
  store.write("src/b", Bytes{1});
  expect_error(Errc::state_error, [&] { store.move("src/b", "dst/new"); });  // the source changed
  store.erase("dst/old");
  expect_error(Errc::state_error, [&] { store.move("src/a", "dst/old"); });  // the target changed
  store.move("src/a", "dst/new");
  expect_error(Errc::state_error, [&] { store.move("dst/new", "dst/other"); });  // a moved value
  expect_error(Errc::state_error, [&] { store.move("src/a", "dst/other"); });    // a moved source
  store.abort();
  EXPECT_EQ(reopened(), before);
}

TEST_F(NvmMoveTest, ATransactionAskedToCompactIsCommittedAsASnapshot) {
  NvmStore store = open();
  commit_sources(store);
  EXPECT_THROW(store.compact_at_commit(), Error) << "outside a transaction";
  // Asked, then aborted: the next transaction is an ordinary journal record.
  store.begin();
  store.compact_at_commit();
  store.abort();
  store.begin();
  store.write("isd/seq", Bytes{1});
  store.commit();
  EXPECT_EQ(store.stats().compactions, 0u);
  store.begin();
  store.move("src/a", "dst/new");
  store.compact_at_commit();
  store.commit();
  EXPECT_EQ(store.stats().compactions, 1u);
  EXPECT_EQ(store.stats().last_commit_syncs, 2u);
  EXPECT_EQ(store.stats().journal_bytes, 0u);
  const State expected{
      {"dst/new", pattern(4096, 1)}, {"dst/old", pattern(100, 3)}, {"isd/seq", Bytes{1}}, {"src/b", pattern(600, 2)}};
  EXPECT_EQ(store.committed(), expected);
  EXPECT_EQ(reopened(), expected);
}

TEST_F(NvmMoveTest, ARecordCopyingAMissingObjectIsCorruption) {
  // A transaction record whose copy names an object the state does not hold, committed by hand.
  format::RecordWriter record(format::RecordType::transaction, 1);
  record.copy("dst/new", "src/missing");
  record.finish();
  const Bytes bytes = record.bytes();
  MemoryDevice device(medium_);
  device.write(format::kDataStart, bytes);
  device.write(format::kSlotOffsets[0],
               format::encode_slot(format::CommitSlot{2, format::kDataStart, format::kDataStart + bytes.size(), 1}));
  try {
    open();
    FAIL() << "a copy of a missing object was replayed";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::integrity_error) << error.what();
    EXPECT_NE(std::string(error.what()).find("copy of missing key 'src/missing'"), std::string::npos) << error.what();
  }
}

TEST_F(NvmMoveTest, ACopyIsParsedInTransactionRecordsOnly) {
  format::RecordWriter transaction(format::RecordType::transaction, 5);
  transaction.copy("dst/new", "src/a");
  transaction.finish();
  std::string problem;
  const Bytes record = transaction.bytes();  // the parsed record's keys and values are views into it
  const auto parsed = format::parse_record(record, problem);
  ASSERT_TRUE(parsed.has_value()) << problem;
  ASSERT_EQ(parsed->ops.size(), 1u);
  EXPECT_EQ(parsed->ops[0].code, format::OpCode::copy);
  EXPECT_EQ(parsed->ops[0].key, "dst/new");
  EXPECT_EQ(std::string(parsed->ops[0].value.begin(), parsed->ops[0].value.end()), "src/a");

  format::RecordWriter snapshot(format::RecordType::snapshot, 5);
  snapshot.copy("dst/new", "src/a");
  snapshot.finish();
  EXPECT_FALSE(format::parse_record(snapshot.bytes(), problem).has_value());
  EXPECT_NE(problem.find("malformed operation 0"), std::string::npos) << problem;
}

}  // namespace
}  // namespace sefleet::card::nvm

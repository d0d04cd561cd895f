// A compaction that leaves room in front of its snapshot (NvmStore::compact_at_commit(growth)) and a
// journal allowed to grow (NvmStore::allow_journal): how a short staged stream is journaled without
// snapshots of it on the way, and activated by a compaction that lands at the front of the medium.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"
#include "nvm_test_util.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;
using test::State;

constexpr std::uint64_t kGrowth = 20000;

std::unique_ptr<NvmStore> fresh_store(MemoryDevice::Medium& medium, NvmOptions options = {}) {
  auto device = std::make_unique<MemoryDevice>("room");
  medium = device->medium();
  NvmStore::format(*device);
  auto store = std::make_unique<NvmStore>(std::move(device), options);
  store->begin();
  store->write("isd/keys", pattern(300, 1));
  store->write("isd/seq", Bytes{0, 1});
  store->commit();
  return store;
}

void append_blocks(NvmStore& store, std::size_t blocks, std::size_t size) {
  for (std::size_t i = 0; i < blocks; ++i) {
    const Bytes block = pattern(size, static_cast<std::uint8_t>(i));
    const Bytes length{0, 0, 0, static_cast<std::uint8_t>(size)};
    const NvmStore::Append appends[] = {{"img/staged/0000", block}, {"img/block-sizes", length}};
    store.commit_appends(appends);
  }
}

TEST(NvmRoom, TheStagedStreamIsJournaledWithoutSnapshotsAndItsActivationCompactsToTheFront) {
  MemoryDevice::Medium medium;
  auto store = fresh_store(medium, NvmOptions{1024});
  store->begin();
  store->write("img/staged/0000", Bytes{});
  store->write("img/block-sizes", Bytes{});
  store->compact_at_commit(kGrowth);
  store->commit();
  const std::uint64_t snapshot = store->stats().snapshot_bytes;
  EXPECT_EQ(store->stats().compactions, 1u);
  // The snapshot sits behind room for itself and kGrowth more bytes; the gap reads as zeros.
  ASSERT_EQ(medium->size(), format::kDataStart + (snapshot + kGrowth) + snapshot);
  const auto front = static_cast<std::ptrdiff_t>(format::kDataStart + snapshot + kGrowth);
  EXPECT_EQ(Bytes(medium->begin() + front - 64, medium->begin() + front), Bytes(64, 0));
  EXPECT_EQ(NvmStore(std::make_unique<MemoryDevice>(medium)).committed(), store->committed());

  // 80 blocks of 240 bytes: a journal of about 25 KB, far above the 1 KB threshold and the snapshot.
  store->allow_journal(2 * kGrowth);
  append_blocks(*store, 80, 240);
  EXPECT_EQ(store->stats().compactions, 1u) << "the allowed journal was compacted";
  EXPECT_GT(store->stats().journal_bytes, store->stats().snapshot_bytes);
  const auto staged = store->committed();
  EXPECT_EQ(NvmStore(std::make_unique<MemoryDevice>(medium), NvmOptions{1024}).committed(), staged);

  // The activation: a rename and a compaction, which fits in the room and shrinks the medium.
  store->begin();
  store->move("img/staged/0000", "img/active/01/chunk/0000");
  store->erase("img/block-sizes");
  store->compact_at_commit();
  store->commit();
  EXPECT_EQ(store->stats().compactions, 2u);
  EXPECT_EQ(medium->size(), format::kDataStart + store->stats().snapshot_bytes) << "not compacted to the front";
  EXPECT_EQ(store->get("img/active/01/chunk/0000")->size(), 80u * 240);
  EXPECT_EQ(NvmStore(std::make_unique<MemoryDevice>(medium)).committed(), store->committed());
}

TEST(NvmRoom, AnAllowedJournalLastsUntilTheNextCompaction) {
  MemoryDevice::Medium medium;
  auto store = fresh_store(medium, NvmOptions{1024});
  // Records of 534 bytes over a snapshot of about 900: the usual rule compacts every second commit.
  const auto rewrite = [&](int commits) {
    for (int i = 0; i < commits; ++i) {
      store->begin();
      store->write("log", pattern(500, static_cast<std::uint8_t>(i)));
      store->commit();
    }
  };
  rewrite(10);
  EXPECT_GE(store->stats().compactions, 4u);

  store->allow_journal(8000);
  const std::uint64_t before = store->stats().compactions;
  int commits = 0;
  while (store->stats().compactions == before) {
    rewrite(1);
    ASSERT_LT(++commits, 40) << "the journal was never compacted";
  }
  // 8000 bytes of 534-byte records, after at most 1068 bytes the usual rule left.
  EXPECT_GE(commits, 13);
  EXPECT_LE(commits, 15);
  rewrite(4);  // the allowance went with that compaction: the usual rule again
  EXPECT_GE(store->stats().compactions, before + 2);
  EXPECT_EQ(NvmStore(std::make_unique<MemoryDevice>(medium), NvmOptions{1024}).committed(), store->committed());
}

TEST(NvmRoom, RoomBehindALongerJournalStartsAtItsEndAndAFileKeepsTheGapAsAHole) {
  sefleet::test::TempDir dir;
  const auto path = dir.path() / "room.nvm";
  State expected;
  {
    NvmStore store = NvmStore::open_file(path, true);
    for (int i = 0; i < 10; ++i) {
      store.begin();
      store.write("log", pattern(3000, static_cast<std::uint8_t>(i)));
      store.commit();
    }
    const std::uint64_t end = test::read_file(path).size();
    // Room smaller than the journal: the snapshot goes right behind it, as without room.
    store.begin();
    store.write("isd/seq", Bytes{2});
    store.compact_at_commit(100);
    store.commit();
    EXPECT_EQ(test::read_file(path).size(), end + store.stats().snapshot_bytes);
    // Room larger than everything: a gap, then the snapshot.
    store.begin();
    store.write("isd/seq", Bytes{3});
    store.compact_at_commit(200000);
    store.commit();
    EXPECT_EQ(test::read_file(path).size(),
              format::kDataStart + (store.stats().snapshot_bytes + 200000) + store.stats().snapshot_bytes);
    expected = store.committed();
  }
  EXPECT_EQ(test::reopen_state(path), expected);
}

TEST(NvmRoom, RefusalsChangeNothing) {
  MemoryDevice::Medium medium;
  auto store = fresh_store(medium);
  EXPECT_THROW(store->compact_at_commit(10), Error) << "outside a transaction";
  store->begin();
  EXPECT_THROW(store->allow_journal(10), Error) << "inside a transaction";
  try {
    store->compact_at_commit(std::uint64_t{1} << 40);
    ADD_FAILURE() << "a room of a terabyte was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::invalid_argument);
  }
  store->abort();
  const Bytes before = *medium;
  store->begin();
  store->commit();  // no changes: no I/O, room or not
  EXPECT_EQ(*medium, before);
}

}  // namespace
}  // namespace sefleet::card::nvm

// NvmStore::commit_appends: one transaction of appends, committed without the general path's
// bookkeeping when it can be. It must be indistinguishable from begin(), append() of each, commit():
// the same medium bytes, state and statistics, the same refusals, and the general path whenever the
// short one does not apply (a new object, a key twice, a long record, a compaction due).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "core/error.hpp"
#include "nvm_test_util.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;

struct Piece {
  std::string key;
  Bytes tail;
};

// A store on a RAM medium holding two objects, as a staging in progress does: a segment and a list.
struct Fixture {
  explicit Fixture(NvmOptions options = {}) {
    auto device = std::make_unique<MemoryDevice>("fixture");
    medium = device->medium();
    NvmStore::format(*device);
    store.emplace(std::move(device), options);
    store->begin();
    store->write("img/block-sizes", Bytes{0, 0, 0, 4});
    store->write("img/staged/0000", pattern(4, 1));
    store->commit();
  }
  MemoryDevice::Medium medium;
  std::optional<NvmStore> store;
};

void general(NvmStore& store, const std::vector<Piece>& pieces) {
  store.begin();
  for (const Piece& piece : pieces) store.append(piece.key, piece.tail);
  store.commit();
}

void short_path(NvmStore& store, const std::vector<Piece>& pieces) {
  std::vector<NvmStore::Append> appends;
  for (const Piece& piece : pieces) appends.push_back({piece.key, piece.tail});
  store.commit_appends(appends);
}

// Runs the same commits through both paths and compares everything they leave.
void expect_same_as_general(const std::vector<std::vector<Piece>>& commits, NvmOptions options = {}) {
  Fixture a(options);
  Fixture b(options);
  for (const auto& pieces : commits) {
    general(*a.store, pieces);
    short_path(*b.store, pieces);
    ASSERT_EQ(*a.medium, *b.medium) << "the medium differs";
    ASSERT_EQ(a.store->committed(), b.store->committed());
    EXPECT_EQ(a.store->stats().commits, b.store->stats().commits);
    EXPECT_EQ(a.store->stats().compactions, b.store->stats().compactions);
    EXPECT_EQ(a.store->stats().journal_bytes, b.store->stats().journal_bytes);
    EXPECT_EQ(a.store->stats().snapshot_bytes, b.store->stats().snapshot_bytes);
    EXPECT_EQ(a.store->stats().syncs, b.store->stats().syncs);
    EXPECT_EQ(a.store->stats().last_commit_syncs, b.store->stats().last_commit_syncs);
  }
  // And a reopened store reads it back.
  EXPECT_EQ(NvmStore(std::make_unique<MemoryDevice>(b.medium, "reopened"), options).committed(), b.store->committed());
}

std::vector<Piece> block(std::size_t size, std::uint8_t seed) {
  return {{"img/staged/0000", pattern(size, seed)},
          {"img/block-sizes", Bytes{0, 0, 0, static_cast<std::uint8_t>(size)}}};
}

TEST(NvmCommitAppends, ShortBlocksWriteTheSameRecordsAsTheGeneralPath) {
  std::vector<std::vector<Piece>> commits;
  for (int i = 0; i < 40; ++i) commits.push_back(block(200 + i, static_cast<std::uint8_t>(i)));
  expect_same_as_general(commits);
}

TEST(NvmCommitAppends, KeysInAnyOrderAndAnEmptyTailAreRecordedAsTheGeneralPathDoes) {
  std::vector<Piece> reversed = block(240, 3);
  std::swap(reversed[0], reversed[1]);
  expect_same_as_general({reversed, {{"img/staged/0000", Bytes{}}}, block(17, 4)});
}

TEST(NvmCommitAppends, CompactionsFallWhereTheGeneralPathMakesThem) {
  // A low threshold: many of these commits compact, behind the journal and to the front.
  std::vector<std::vector<Piece>> commits;
  for (int i = 0; i < 60; ++i) commits.push_back(block(240, static_cast<std::uint8_t>(i)));
  expect_same_as_general(commits, NvmOptions{2048});
  Fixture probe(NvmOptions{2048});
  for (const auto& pieces : commits) short_path(*probe.store, pieces);
  EXPECT_GE(probe.store->stats().compactions, 2u);  // behind the journal, then to the front
}

TEST(NvmCommitAppends, NewObjectsARepeatedKeyAndLongRecordsTakeTheGeneralPathWithTheSameResult) {
  expect_same_as_general({
      {{"img/staged/0001", pattern(240, 5)}, {"img/block-sizes", Bytes{0, 0, 0, 240}}},       // a new object
      {{"img/staged/0000", pattern(10, 6)}, {"img/staged/0000", pattern(20, 7)}},             // a key twice
      {{"img/staged/0000", pattern(5000, 8)}, {"img/block-sizes", Bytes{0, 0, 0x13, 0x88}}},  // long
      {{"a", {}}, {"b", {}}, {"c", {}}, {"d", {}}, {"e", {}}},  // more objects than the short path takes (all new)
  });
}

TEST(NvmCommitAppends, RefusalsLeaveTheStoreUsableAndUnchanged) {
  Fixture fixture;
  NvmStore& store = *fixture.store;
  const auto before = store.committed();
  const Bytes medium = *fixture.medium;
  const std::string too_long(format::kMaxKeySize + 1, 'k');
  const Bytes tail = pattern(8, 9);
  const NvmStore::Append bad_key[] = {{"img/staged/0000", tail}, {too_long, tail}};
  EXPECT_THROW(store.commit_appends(bad_key), Error);
  const NvmStore::Append empty_key[] = {{"", tail}};
  EXPECT_THROW(store.commit_appends(empty_key), Error);
  EXPECT_FALSE(store.in_transaction());
  EXPECT_EQ(store.committed(), before);
  EXPECT_EQ(*fixture.medium, medium) << "a refused commit wrote something";

  store.begin();
  const NvmStore::Append fine[] = {{"img/staged/0000", tail}};
  EXPECT_THROW(store.commit_appends(fine), Error) << "inside an open transaction";
  store.abort();
  store.commit_appends(fine);
  EXPECT_EQ(store.get("img/staged/0000")->size(), 12u);
  const std::vector<NvmStore::Append> none;
  store.commit_appends(none);  // nothing to commit: no I/O
  EXPECT_EQ(store.stats().last_commit_syncs, 0u);
}

TEST(NvmCommitAppends, AnObjectAtItsSizeLimitIsRefusedAsByAppend) {
  Fixture fixture;
  NvmStore& store = *fixture.store;
  store.begin();
  store.write("big", Bytes(format::kMaxValueSize - 2, 0x11));
  store.commit();
  const Bytes tail = pattern(3, 1);
  const NvmStore::Append appends[] = {{"big", tail}};
  EXPECT_THROW(store.commit_appends(appends), Error);
  EXPECT_EQ(store.get("big")->size(), format::kMaxValueSize - 2);
  const Bytes fits = pattern(2, 1);
  const NvmStore::Append fitting[] = {{"big", fits}};
  store.commit_appends(fitting);
  EXPECT_EQ(store.get("big")->size(), format::kMaxValueSize);
}

TEST(NvmCommitAppends, AStoreInterruptedByPowerLossRefusesFurtherCommits) {
  auto medium = std::make_shared<Bytes>();
  {
    MemoryDevice device(medium);
    NvmStore::format(device);
  }
  {
    NvmStore store(std::make_unique<MemoryDevice>(medium));
    general(store, block(100, 1));
  }
  // Writes: record 1, slot 2; cut at the slot.
  NvmStore store(std::make_unique<TearingDevice>(std::make_unique<MemoryDevice>(medium), 2, 10));
  const Bytes tail = pattern(240, 2);
  const NvmStore::Append appends[] = {{"img/staged/0000", tail}};
  EXPECT_THROW(store.commit_appends(appends), PowerLoss);
  EXPECT_THROW(store.commit_appends(appends), Error);
  EXPECT_EQ(NvmStore(std::make_unique<MemoryDevice>(medium)).get("img/staged/0000")->size(), 100u);
}

}  // namespace
}  // namespace sefleet::card::nvm

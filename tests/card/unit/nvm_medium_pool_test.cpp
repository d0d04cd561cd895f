// RAM media sharing large buffers through a MediumPool: a medium that grows moves into a pool buffer,
// one that a truncate leaves mostly empty moves into a buffer of its own size and hands the large one
// back. Where the bytes live changes; which bytes the medium holds, and so what a power cut leaves,
// must not.
#include "card/nvm/medium_pool.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <memory>
#include <string>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "nvm_test_util.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;
using test::State;

constexpr std::size_t kPoolBuffer = 16 * 1024;

TEST(MediumPool, AGrowingMediumTakesAPoolBufferAndAShrunkOneHandsItBack) {
  auto pool = std::make_shared<MediumPool>(kPoolBuffer);
  auto medium = std::make_shared<Bytes>();
  MemoryDevice device(medium, "pooled", pool);
  device.write(0, pattern(100, 1));
  device.write(100, pattern(9000, 2));  // beyond the first buffer: into a pool buffer
  EXPECT_GE(medium->capacity(), kPoolBuffer);
  EXPECT_EQ(pool->reused(), 0u);  // the pool had nothing yet: a new buffer
  device.truncate(kPoolBuffer / 2 + 1);
  EXPECT_GE(medium->capacity(), kPoolBuffer) << "more than half full: stays where it is";
  device.truncate(1000);
  EXPECT_LT(medium->capacity(), kPoolBuffer);
  EXPECT_EQ(pool->waiting(), 1u);
  Bytes kept = pattern(100, 1);
  const Bytes second_write = pattern(9000, 2);
  append(kept, ByteView(second_write).first(900));
  EXPECT_EQ(*medium, kept);

  // The next medium that grows gets the buffer back.
  auto other = std::make_shared<Bytes>();
  MemoryDevice second(other, "second", pool);
  second.write(0, pattern(5000, 3));
  EXPECT_EQ(pool->reused(), 1u);
  EXPECT_EQ(pool->waiting(), 0u);
  EXPECT_GE(other->capacity(), kPoolBuffer);
  EXPECT_EQ(*other, pattern(5000, 3));
  // A write beyond the pool's buffers grows the medium on its own.
  second.write(5000, pattern(kPoolBuffer, 4));
  EXPECT_EQ(other->size(), 5000 + kPoolBuffer);
  Bytes tail(kPoolBuffer);
  second.read(5000, tail);
  EXPECT_EQ(tail, pattern(kPoolBuffer, 4));
}

TEST(MediumPool, PooledAndPlainMediaHoldTheSameBytesAfterEveryCommit) {
  const NvmOptions options{2048};  // compactions to the back and to the front, with truncates
  auto pool = std::make_shared<MediumPool>(kPoolBuffer);
  auto pooled = std::make_shared<Bytes>();
  auto plain = std::make_shared<Bytes>();
  {
    MemoryDevice a(pooled, "pooled", pool);
    MemoryDevice b(plain, "plain");
    NvmStore::format(a);
    NvmStore::format(b);
  }
  auto store_a = std::make_unique<NvmStore>(std::make_unique<MemoryDevice>(pooled, "pooled", pool), options);
  auto store_b = std::make_unique<NvmStore>(std::make_unique<MemoryDevice>(plain, "plain"), options);
  for (int i = 0; i < 200; ++i) {
    for (NvmStore* store : {store_a.get(), store_b.get()}) {
      store->begin();
      store->append("stream/" + std::to_string(i / 50), pattern(239, static_cast<std::uint8_t>(i)));
      if (i % 50 == 49) store->erase("stream/" + std::to_string(i / 50));  // the stream is dropped: shrinks
      store->write("seq", Bytes{static_cast<std::uint8_t>(i)});
      store->commit();
    }
    ASSERT_EQ(*pooled, *plain) << "after commit " << i;
    if (i % 60 == 59) {  // power off and on
      store_a = std::make_unique<NvmStore>(std::make_unique<MemoryDevice>(pooled, "pooled", pool), options);
      store_b = std::make_unique<NvmStore>(std::make_unique<MemoryDevice>(plain, "plain"), options);
      ASSERT_EQ(store_a->committed(), store_b->committed());
    }
  }
  EXPECT_GT(store_a->stats().compactions, 0u);
  EXPECT_GT(pool->reused(), 0u) << "the sequence never moved the medium through the pool";
}

// A commit that compacts to the front and truncates, which moves the pooled medium into a small
// buffer: power is cut at each of its physical writes with several amounts of the torn write kept.
// Recovery must give exactly the state before or after, as on any medium.
TEST(MediumPool, PowerCutAtEveryWriteOfACommitThatShrinksThePooledMedium) {
  const NvmOptions options{1024};
  auto pool = std::make_shared<MediumPool>(kPoolBuffer);
  const auto open = [&](const MemoryDevice::Medium& medium) {
    return NvmStore(std::make_unique<MemoryDevice>(medium, "pooled", pool), options);
  };
  // Before: one compaction behind the journal, then a journal that the next commit compacts away to
  // the front of the record area.
  auto golden = std::make_shared<Bytes>();
  {
    MemoryDevice device(golden, "pooled", pool);
    NvmStore::format(device);
  }
  {
    NvmStore store(std::make_unique<MemoryDevice>(golden, "pooled", pool));  // default options: no compaction
    for (int i = 0; i < 12; ++i) {
      store.begin();
      store.write("seq", Bytes{static_cast<std::uint8_t>(i)});
      store.write("log/" + std::to_string(i % 3), pattern(400, static_cast<std::uint8_t>(i)));
      store.commit();
    }
    store.compact();
    for (int i = 0; i < 8; ++i) {
      store.begin();
      store.write("seq", pattern(400, static_cast<std::uint8_t>(i)));
      store.commit();
    }
  }
  const State before = open(golden).committed();
  const auto operation = [](NvmStore& store) {
    store.begin();
    store.write("seq", Bytes{1});
    store.append("log/0", pattern(239, 9));
    store.erase("log/1");
    store.commit();
  };
  // The dry run: the after-state, and proof that the commit compacts, truncates and shrinks.
  auto dry = std::make_shared<Bytes>(*golden);
  dry->reserve(kPoolBuffer);  // in a large buffer, as a medium that grew through the pool is
  State after;
  std::uint64_t writes = 0;
  {
    auto counting = std::make_unique<TearingDevice>(std::make_unique<MemoryDevice>(dry, "pooled", pool), 0);
    TearingDevice* device = counting.get();
    NvmStore store(std::move(counting), options);
    operation(store);
    writes = device->physical_writes();
    EXPECT_EQ(store.stats().compactions, 1u);
    after = store.committed();
  }
  ASSERT_EQ(writes, 3u) << "snapshot, slot, truncate";
  ASSERT_LT(dry->capacity(), kPoolBuffer) << "the truncate did not move the medium into a small buffer";
  ASSERT_EQ(open(dry).committed(), after);

  bool saw_before = false;
  bool saw_after = false;
  for (std::uint64_t tear_at = 1; tear_at <= writes; ++tear_at) {
    for (const std::size_t keep :
         {std::size_t{0}, std::size_t{1}, std::size_t{40}, std::numeric_limits<std::size_t>::max()}) {
      SCOPED_TRACE("power cut at write " + std::to_string(tear_at) + ", keeping " + std::to_string(keep) + " bytes");
      auto torn = std::make_shared<Bytes>(*golden);
      torn->reserve(kPoolBuffer);
      {
        NvmStore store(
            std::make_unique<TearingDevice>(std::make_unique<MemoryDevice>(torn, "pooled", pool), tear_at, keep),
            options);
        EXPECT_THROW(operation(store), PowerLoss);
      }
      const State recovered = open(torn).committed();
      EXPECT_TRUE(recovered == before || recovered == after) << "neither the state before nor after";
      saw_before = saw_before || recovered == before;
      saw_after = saw_after || recovered == after;
      // The recovered store keeps working.
      NvmStore store = open(torn);
      store.begin();
      store.write("post/recovery", Bytes{1});
      store.commit();
      State expected = recovered;
      expected["post/recovery"] = Bytes{1};
      EXPECT_EQ(open(torn).committed(), expected);
    }
  }
  EXPECT_TRUE(saw_before);
  EXPECT_TRUE(saw_after);
}

}  // namespace
}  // namespace sefleet::card::nvm

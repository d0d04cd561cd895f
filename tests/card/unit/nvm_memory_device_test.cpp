#include "card/nvm/memory_device.hpp"

#include <gtest/gtest.h>

#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "core/error.hpp"

namespace sefleet::card::nvm {
namespace {

TEST(MemoryDevice, ReadsWhatWasWrittenAndRefusesReadsPastTheEnd) {
  MemoryDevice device;
  device.write(4, Bytes{1, 2, 3});
  EXPECT_EQ(device.size(), 7u);
  Bytes out(3);
  device.read(4, out);
  EXPECT_EQ(out, (Bytes{1, 2, 3}));
  Bytes gap(4);
  device.read(0, gap);
  EXPECT_EQ(gap, Bytes(4, 0));
  Bytes too_long(4);
  EXPECT_THROW(device.read(4, too_long), Error);
  EXPECT_THROW(device.read(100, MutableByteView{}), Error);
  device.truncate(2);
  EXPECT_EQ(device.size(), 2u);
  EXPECT_THROW(device.write(std::uint64_t{1} << 40, Bytes{1}), Error);
}

TEST(MemoryDevice, StoreSurvivesReopenOnTheSameMedium) {
  auto medium = std::make_shared<Bytes>();
  {
    auto device = std::make_unique<MemoryDevice>(medium);
    NvmStore::format(*device);
    NvmStore store(std::move(device));
    store.begin();
    store.write("key", Bytes{0xAB});
    store.commit();
    EXPECT_EQ(store.stats().last_commit_syncs, 2u);
  }
  NvmStore reopened(std::make_unique<MemoryDevice>(medium));
  EXPECT_EQ(reopened.get("key"), (Bytes{0xAB}));
}

TEST(MemoryDevice, TornCommitRecoversToTheStateBefore) {
  auto medium = std::make_shared<Bytes>();
  {
    auto device = std::make_unique<MemoryDevice>(medium);
    NvmStore::format(*device);
  }
  {
    NvmStore store(std::make_unique<TearingDevice>(std::make_unique<MemoryDevice>(medium), 1));
    store.begin();
    store.write("key", Bytes(256, 0x11));
    EXPECT_THROW(store.commit(), PowerLoss);
  }
  NvmStore reopened(std::make_unique<MemoryDevice>(medium));
  EXPECT_FALSE(reopened.contains("key"));
}

}  // namespace
}  // namespace sefleet::card::nvm

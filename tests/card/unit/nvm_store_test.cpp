// The NVM store's contract without power loss: round trips, persistence, transactions, compaction,
// and refusal of corrupted, truncated or misused state.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "card/nvm/crc32c.hpp"
#include "card/nvm/file_device.hpp"
#include "card/nvm/nvm_format.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "core/error.hpp"
#include "nvm_test_util.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;

class NvmStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path file() const { return dir_.path() / "card.nvm"; }
  NvmStore open(NvmOptions options = {}) { return NvmStore::open_file(file(), true, options); }

  // Commits three objects, then erases one of them in a second transaction.
  void commit_sample(NvmStore& store) {
    store.begin();
    store.write("isd/keyset/30", pattern(48, 1));
    store.write("isd/seq", Bytes{0, 0, 7});
    store.write("isd/lifecycle", Bytes{0x0F});
    store.commit();
    store.begin();
    store.erase("isd/lifecycle");
    store.commit();
  }

  // Asserts that opening the (damaged) file fails with an integrity error naming the file and `what`.
  void expect_refusal(const std::string& what) {
    try {
      NvmStore::open_file(file(), false);
      FAIL() << "a damaged file was accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), Errc::integrity_error) << error.what();
      EXPECT_NE(std::string(error.what()).find(file().string()), std::string::npos) << error.what();
      EXPECT_NE(std::string(error.what()).find(what), std::string::npos) << error.what();
    }
  }

  sefleet::test::TempDir dir_;
};

TEST(NvmCrc32c, KnownAnswer) {
  // The standard check value of CRC-32C over "123456789".
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
  EXPECT_EQ(crc32c(ByteView{}), 0u);
  EXPECT_EQ(crc32c_portable(bytes_of("123456789")), 0xE3069283u);
}

TEST(NvmCrc32c, HardwareAndTableAgreeOnEveryLengthAndAlignment) {
  Bytes data(300);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t size = 0; offset + size <= data.size(); size += 13) {
      const ByteView view(data.data() + offset, size);
      ASSERT_EQ(crc32c(view, 0x1234u), crc32c_portable(view, 0x1234u)) << offset << "+" << size;
    }
  }
}

TEST(NvmCrc32c, ThreeStreamJoinsAgreeWithTheTableAroundEveryStepSize) {
  // The hardware path checksums 3 x 8192 and 3 x 256 bytes as three streams and joins them; sizes
  // around those steps (and a 64 KB block, and continuing from a previous value) cover every join.
  Bytes data(3 * 8192 * 3 + 100);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  for (const std::size_t step :
       {std::size_t{3 * 256}, std::size_t{3 * 8192}, std::size_t{65536}, std::size_t{2 * 3 * 8192}}) {
    for (std::size_t size = step > 40 ? step - 40 : 0; size <= step + 40 && size + 9 <= data.size(); ++size) {
      const ByteView view(data.data() + size % 9, size);
      ASSERT_EQ(crc32c(view, 0x89ABCDEFu), crc32c_portable(view, 0x89ABCDEFu)) << size;
    }
  }
  const ByteView all(data);
  EXPECT_EQ(crc32c(all.subspan(30000), crc32c(all.first(30000))), crc32c_portable(all));
}

TEST_F(NvmStoreTest, RoundTripAndReopen) {
  {
    NvmStore store = open();
    EXPECT_TRUE(store.keys().empty());
    commit_sample(store);
    EXPECT_EQ(store.get("isd/keyset/30"), pattern(48, 1));
    EXPECT_EQ(store.get("isd/seq"), (Bytes{0, 0, 7}));
    EXPECT_FALSE(store.get("isd/lifecycle").has_value());
    EXPECT_FALSE(store.contains("isd/lifecycle"));
  }
  NvmStore again = open();
  EXPECT_EQ(again.keys(), (std::vector<std::string>{"isd/keyset/30", "isd/seq"}));
  EXPECT_EQ(again.get("isd/keyset/30"), pattern(48, 1));
  EXPECT_EQ(again.get("isd/seq"), (Bytes{0, 0, 7}));
  EXPECT_EQ(std::filesystem::status(file()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_F(NvmStoreTest, OverwriteAndEmptyValue) {
  {
    NvmStore store = open();
    store.begin();
    store.write("a", Bytes{1, 2, 3});
    store.commit();
    store.begin();
    store.write("a", Bytes{});
    store.commit();
  }
  EXPECT_EQ(open().get("a"), Bytes{});
}

TEST_F(NvmStoreTest, AbortWritesNothing) {
  NvmStore store = open();
  commit_sample(store);
  const auto size_before = std::filesystem::file_size(file());
  store.begin();
  store.write("isd/seq", Bytes{9});
  store.write("new", Bytes{1});
  store.erase("isd/keyset/30");
  store.abort();
  EXPECT_FALSE(store.in_transaction());
  EXPECT_EQ(store.get("isd/seq"), (Bytes{0, 0, 7}));
  EXPECT_FALSE(store.contains("new"));
  EXPECT_TRUE(store.contains("isd/keyset/30"));
  EXPECT_EQ(std::filesystem::file_size(file()), size_before);
  EXPECT_EQ(test::reopen_state(file()), store.committed());
}

TEST_F(NvmStoreTest, ReadsSeeOwnWritesOnlyInsideTheTransaction) {
  NvmStore store = open();
  commit_sample(store);
  store.begin();
  store.write("isd/seq", Bytes{0, 0, 8});
  store.write("tmp", Bytes{5});
  store.erase("isd/keyset/30");
  EXPECT_EQ(store.get("isd/seq"), (Bytes{0, 0, 8}));
  EXPECT_EQ(store.get("tmp"), Bytes{5});
  EXPECT_FALSE(store.get("isd/keyset/30").has_value());
  EXPECT_EQ(store.keys(), (std::vector<std::string>{"isd/seq", "tmp"}));
  // Committed state is untouched until commit.
  EXPECT_EQ(store.committed().at("isd/seq"), (Bytes{0, 0, 7}));
  store.erase("tmp");  // created and erased in one transaction
  EXPECT_FALSE(store.contains("tmp"));
  store.commit();
  EXPECT_EQ(test::reopen_state(file()), (test::State{{"isd/seq", Bytes{0, 0, 8}}}));
}

TEST_F(NvmStoreTest, AppendGrowsAnObjectAndReadsSeeIt) {
  {
    NvmStore store = open();
    commit_sample(store);
    store.begin();
    store.append("isd/seq", Bytes{8});
    store.append("isd/seq", Bytes{9});
    store.append("stream", Bytes{1, 2});  // a missing object is created
    EXPECT_EQ(store.get("isd/seq"), (Bytes{0, 0, 7, 8, 9}));
    EXPECT_EQ(store.get("stream"), (Bytes{1, 2}));
    EXPECT_TRUE(store.contains("stream"));
    EXPECT_EQ(store.keys(), (std::vector<std::string>{"isd/keyset/30", "isd/seq", "stream"}));
    EXPECT_EQ(store.committed().at("isd/seq"), (Bytes{0, 0, 7}));  // untouched until commit
    store.commit();
    EXPECT_EQ(store.committed().at("isd/seq"), (Bytes{0, 0, 7, 8, 9}));
    // After an erase in the same transaction the object starts again; after a write it extends it.
    store.begin();
    store.erase("isd/seq");
    store.append("isd/seq", Bytes{4});
    store.write("stream", Bytes{5});
    store.append("stream", Bytes{6});
    store.append("gone", Bytes{7});
    store.erase("gone");
    store.commit();
  }
  const test::State expected{{"isd/keyset/30", pattern(48, 1)}, {"isd/seq", Bytes{4}}, {"stream", Bytes{5, 6}}};
  EXPECT_EQ(test::reopen_state(file()), expected);
  // A compaction writes each appended object whole, and the state reopens the same.
  NvmStore store = open();
  store.begin();
  store.append("stream", pattern(1000, 3));
  store.commit();
  store.compact();
  test::State grown = expected;
  append(grown["stream"], pattern(1000, 3));
  EXPECT_EQ(test::reopen_state(file()), grown);
}

TEST_F(NvmStoreTest, AppendsFindTheirObjectAfterItWasErasedRenamedOrRecreated) {
  // The store remembers the objects the last appends went to; each case below changes one of them
  // between two appends, and every append must reach the object the key names now.
  NvmStore store = open();
  const auto append_one = [&](std::string_view key, std::uint8_t byte) {
    store.begin();
    store.append(key, Bytes{byte});
    store.commit();
  };
  append_one("seg", 1);
  append_one("list", 2);
  append_one("seg", 3);
  store.begin();
  store.erase("seg");
  store.commit();
  append_one("seg", 4);  // a new object
  store.begin();
  store.move("list", "moved");
  store.commit();
  append_one("list", 5);   // a new object under the old name
  append_one("moved", 6);  // the renamed one
  append_one("other", 7);  // a third key pushes one of the remembered two out
  append_one("seg", 8);
  append_one("list", 9);
  const test::State expected{{"list", Bytes{5, 9}}, {"moved", Bytes{2, 6}}, {"other", Bytes{7}}, {"seg", Bytes{4, 8}}};
  EXPECT_EQ(store.committed(), expected);
  EXPECT_EQ(test::reopen_state(file()), expected);
}

TEST_F(NvmStoreTest, AppendBeyondTheObjectLimitIsRefused) {
  NvmStore store = open();
  store.begin();
  store.write("big", Bytes(format::kMaxValueSize - 1, 0));
  store.append("big", Bytes{1});
  try {
    store.append("big", Bytes{2});
    ADD_FAILURE() << "an object above the limit was accepted";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::invalid_argument) << error.what();
  }
  EXPECT_THROW(store.append("", Bytes{1}), Error);
  store.abort();
}

TEST_F(NvmStoreTest, LargeValues) {
  const Bytes big = pattern(64 * 1024, 9);
  {
    NvmStore store = open();
    store.begin();
    store.write("applet/image", big);
    store.write("small", Bytes{1});
    store.commit();
    store.begin();
    store.write("applet/image2", pattern(64 * 1024, 10));
    store.commit();
  }
  NvmStore store = open();
  EXPECT_EQ(store.get("applet/image"), big);
  EXPECT_EQ(store.get("applet/image2"), pattern(64 * 1024, 10));
}

TEST_F(NvmStoreTest, ManyObjectsWithAutomaticCompaction) {
  test::State expected;
  std::uint64_t compactions = 0;
  {
    NvmStore store = open(NvmOptions{4096});
    for (int round = 0; round < 40; ++round) {
      store.begin();
      for (int i = 0; i < 25; ++i) {
        const std::string key = "obj/" + std::to_string((round * 7 + i) % 300);
        Bytes value = pattern(static_cast<std::size_t>(10 + (round + i) % 50), static_cast<std::uint8_t>(round));
        store.write(key, value);
        expected.insert_or_assign(key, value);
      }
      const std::string gone = "obj/" + std::to_string((round * 13) % 300);
      store.erase(gone);
      expected.erase(gone);
      store.commit();
      EXPECT_LE(store.stats().last_commit_syncs, 2u);
    }
    compactions = store.stats().compactions;
    EXPECT_EQ(store.committed(), expected);
  }
  EXPECT_GE(compactions, 2u) << "the workload should have compacted";
  EXPECT_EQ(test::reopen_state(file()), expected);
  // The journal is bounded: the file is far smaller than 40 rounds of appended records.
  EXPECT_LT(std::filesystem::file_size(file()), 3 * (4096 + NvmStore::open_file(file(), false).stats().snapshot_bytes));
}

TEST_F(NvmStoreTest, ExplicitCompactionKeepsStateAndAlternatesPlacement) {
  NvmStore store = open();
  commit_sample(store);
  for (int i = 0; i < 20; ++i) {
    store.begin();
    store.write("counter", pattern(200, static_cast<std::uint8_t>(i)));
    store.commit();
  }
  const test::State state = store.committed();
  store.compact();  // the journal starts at the record area: the snapshot goes after it
  EXPECT_EQ(store.stats().last_commit_syncs, 2u);
  const auto grown = std::filesystem::file_size(file());
  store.compact();  // now the front is free and large enough: the snapshot moves there
  EXPECT_LT(std::filesystem::file_size(file()), grown / 2);
  EXPECT_EQ(store.stats().compactions, 2u);
  EXPECT_EQ(test::reopen_state(file()), state);
  store.begin();
  store.write("after", Bytes{1});
  store.commit();
  test::State with_after = state;
  with_after["after"] = Bytes{1};
  EXPECT_EQ(test::reopen_state(file()), with_after);
}

TEST_F(NvmStoreTest, CommitMakesTwoSyncsAndEmptyCommitNone) {
  NvmStore::create_file(file());
  auto counting =
      std::make_unique<TearingDevice>(std::make_unique<FileDevice>(file(), FileDevice::Mode::open_existing), 0);
  TearingDevice* device = counting.get();
  NvmStore store(std::move(counting));
  const auto before = device->syncs();
  store.begin();
  store.write("k", pattern(256, 3));
  store.commit();
  EXPECT_EQ(device->syncs() - before, 2u);
  EXPECT_EQ(store.stats().last_commit_syncs, 2u);
  EXPECT_EQ(device->physical_writes(), 2u);  // the record, then the commit slot
  store.begin();
  store.commit();
  EXPECT_EQ(device->syncs() - before, 2u);
  EXPECT_EQ(device->physical_writes(), 2u);
}

TEST_F(NvmStoreTest, MisuseIsRefused) {
  NvmStore store = open();
  const auto expect_state_error = [](auto&& action) {
    try {
      action();
      ADD_FAILURE() << "misuse accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), Errc::state_error) << error.what();
    }
  };
  expect_state_error([&] { store.write("k", Bytes{1}); });
  expect_state_error([&] { store.erase("k"); });
  expect_state_error([&] { store.append("k", Bytes{1}); });
  expect_state_error([&] { store.commit(); });
  expect_state_error([&] { store.abort(); });
  store.begin();
  expect_state_error([&] { store.begin(); });
  expect_state_error([&] { store.compact(); });
  EXPECT_THROW(store.write("", Bytes{1}), Error);
  EXPECT_THROW(store.write(std::string(format::kMaxKeySize + 1, 'k'), Bytes{1}), Error);
  store.abort();
  try {
    NvmStore::create_file(file());
    ADD_FAILURE() << "create_file replaced an existing store";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::io_error);
  }
}

TEST_F(NvmStoreTest, MissingFileIsAnIoErrorNamingThePath) {
  try {
    NvmStore::open_file(file(), false);
    FAIL() << "opened a missing file";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::io_error);
    EXPECT_NE(std::string(error.what()).find(file().string()), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("No such file"), std::string::npos) << error.what();
  }
}

TEST_F(NvmStoreTest, RefusesCorruptedHeader) {
  {
    NvmStore store = open();
    commit_sample(store);
  }
  test::flip_byte(file(), 2);
  expect_refusal("bad magic");
  test::flip_byte(file(), 2);
  test::flip_byte(file(), 20);  // reserved header byte: only the checksum notices
  expect_refusal("header checksum mismatch");
}

TEST_F(NvmStoreTest, RefusesWhenBothCommitSlotsAreCorrupt) {
  {
    NvmStore store = open();
    commit_sample(store);
  }
  test::flip_byte(file(), format::kSlotOffsets[0] + 20);
  test::flip_byte(file(), format::kSlotOffsets[1] + 20);
  expect_refusal("both commit slots are corrupt");
}

TEST_F(NvmStoreTest, RefusesCorruptedFirstCommittedRecord) {
  {
    NvmStore store = open();
    commit_sample(store);
  }
  test::flip_byte(file(), format::kDataStart + 30);
  expect_refusal("committed record at byte 192: record checksum mismatch");
}

TEST_F(NvmStoreTest, RefusesCorruptedLastCommittedRecordRatherThanCallingItTorn) {
  {
    NvmStore store = open();
    commit_sample(store);
  }
  // The last committed record is covered by the commit slot: damage there is corruption, not a tear.
  test::flip_byte(file(), std::filesystem::file_size(file()) - 6);
  expect_refusal("record checksum mismatch");
}

TEST_F(NvmStoreTest, RefusesTruncatedFile) {
  {
    NvmStore store = open();
    commit_sample(store);
  }
  const auto size = std::filesystem::file_size(file());
  std::filesystem::resize_file(file(), size - 1);
  expect_refusal("truncated: committed data ends at byte " + std::to_string(size));
  std::filesystem::resize_file(file(), 100);
  expect_refusal("truncated: 100 bytes");
  std::filesystem::resize_file(file(), 0);
  expect_refusal("truncated: 0 bytes");
}

TEST_F(NvmStoreTest, DiscardsUncommittedTail) {
  test::State state;
  {
    NvmStore store = open();
    commit_sample(store);
    state = store.committed();
  }
  const auto size = std::filesystem::file_size(file());
  Bytes bytes = test::read_file(file());
  append(bytes, pattern(77, 4));  // what a transaction cut before its commit slot leaves behind
  test::write_file(file(), bytes);
  EXPECT_EQ(test::reopen_state(file()), state);
  EXPECT_EQ(std::filesystem::file_size(file()), size);
}

}  // namespace
}  // namespace sefleet::card::nvm

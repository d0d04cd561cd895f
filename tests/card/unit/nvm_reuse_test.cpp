// One store object making many small transactions, as WRITE BLOCK does: the store keeps its change
// nodes, its record buffer and its list of gathered pieces from one commit to the next, and finds a
// key's committed entry once per transaction. Whatever order puts, appends and erases come in (over
// committed and new keys, short and long names, values on both sides of the referenced-value size),
// with aborts and compactions between them, the reads inside a transaction, the committed state and
// the state recovered from the medium must equal a plain model.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "card/nvm/crc32c.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_format.hpp"
#include "card/nvm/nvm_store.hpp"
#include "nvm_test_util.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;
using test::State;

NvmStore open_on(const MemoryDevice::Medium& medium, NvmOptions options) {
  return NvmStore(std::make_unique<MemoryDevice>(medium, "reuse"), options);
}

TEST(NvmStoreReuse, SmallTransactionsMatchAModelThroughAbortsCompactionsAndReopening) {
  // Names longer than the 15 characters a std::string keeps inline make a recycled node's key grow.
  const std::vector<std::string> keys = {"a", "img/staged/0000", "img/block-sizes", "log/a-name-longer-than-fifteen",
                                         "z"};
  const NvmOptions options{4096};  // a compaction every few dozen transactions
  auto medium = std::make_shared<Bytes>();
  {
    MemoryDevice device(medium, "reuse");
    NvmStore::format(device);
  }
  NvmStore store = open_on(medium, options);
  State model;
  std::mt19937 random(20261207);
  const auto pick = [&random](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(random); };
  const std::size_t sizes[] = {
      0, 1, 4, 239, format::RecordWriter::kReferencedValueSize - 1, format::RecordWriter::kReferencedValueSize, 700};
  std::uint8_t seed = 0;
  int aborted = 0;
  std::uint64_t compactions = 0;  // over the store objects (each reopening starts its own count)
  for (int transaction = 0; transaction < 400; ++transaction) {
    State view = model;  // what reads inside the transaction must see
    store.begin();
    const std::size_t operations = 1 + pick(4);
    for (std::size_t n = 0; n < operations; ++n) {
      const std::string& key = keys[pick(keys.size())];
      const Bytes value = pattern(sizes[pick(std::size(sizes))], ++seed);
      switch (pick(3)) {
        case 0:
          store.write(key, value);
          view[key] = value;
          break;
        case 1:
          store.append(key, value);
          append(view[key], value);
          break;
        default:
          store.erase(key);
          view.erase(key);
          break;
      }
      for (const std::string& probe : keys) {
        const auto expected = view.find(probe);
        ASSERT_EQ(store.get(probe), expected == view.end() ? std::nullopt : std::optional<Bytes>(expected->second))
            << "transaction " << transaction << ", key " << probe;
        ASSERT_EQ(store.contains(probe), expected != view.end());
      }
    }
    if (pick(6) == 0) {
      store.abort();
      ++aborted;
    } else {
      store.commit();
      model = std::move(view);
    }
    ASSERT_EQ(store.committed(), model) << "after transaction " << transaction;
    if (transaction % 40 == 39) {
      compactions += store.stats().compactions;
      store = open_on(medium, options);
      ASSERT_EQ(store.committed(), model) << "reopened after transaction " << transaction;
    }
  }
  EXPECT_GT(aborted, 0);
  EXPECT_GT(compactions + store.stats().compactions, 0u);
  EXPECT_EQ(open_on(medium, options).committed(), model);
}

TEST(NvmStoreReuse, ACommitSlotIsEncodedByteForByteAsTheFormatSays) {
  // The commit writes its slot from a fixed array: magic, 4 zero bytes, generation, base, end, last
  // sequence (big-endian), zeros up to byte 59, then the CRC-32C of bytes 0..59.
  const format::CommitSlot slot{7, 1000, 5000, 42};
  Bytes expected = bytes_of("SLOT");
  put_be32(expected, 0);
  put_be64(expected, 7);
  put_be64(expected, 1000);
  put_be64(expected, 5000);
  put_be64(expected, 42);
  expected.resize(format::kSlotSize - 4, 0);
  put_be32(expected, crc32c(expected));
  const format::SlotBytes fixed = format::encode_slot_bytes(slot);
  EXPECT_EQ(Bytes(fixed.begin(), fixed.end()), expected);
  EXPECT_EQ(format::encode_slot(slot), expected);
  const auto decoded = format::decode_slot(fixed);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->generation, 7u);
  EXPECT_EQ(decoded->end, 5000u);
}

}  // namespace
}  // namespace sefleet::card::nvm

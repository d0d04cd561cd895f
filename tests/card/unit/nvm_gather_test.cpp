// Records whose large values stay in their own buffers: the gathered write of every device (RAM,
// file through pwritev, the tearing wrapper) puts exactly the concatenation on the medium, a value
// handed over by move becomes the committed object without a copy, and a torn gathered write keeps
// exactly the bytes it was told to.
#include <gtest/gtest.h>

#include <vector>

#include "card/nvm/file_device.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_format.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "nvm_test_util.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card::nvm {
namespace {

using test::pattern;

Bytes joined(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

std::vector<ByteView> views(const std::vector<Bytes>& parts) {
  return {parts.begin(), parts.end()};
}

// Pieces of every size class, an empty one included, more of them than one pwritev takes (IOV_MAX).
std::vector<Bytes> many_pieces() {
  std::vector<Bytes> parts;
  for (std::size_t i = 0; i < 1500; ++i)
    parts.push_back(pattern(i % 7 == 0 ? 0 : (i * 37) % 700, static_cast<std::uint8_t>(i)));
  parts.push_back(pattern(70000, 0x33));
  return parts;
}

TEST(NvmGather, MemoryDeviceWritesTheConcatenationOverAndPastTheEnd) {
  MemoryDevice device;
  device.write(0, pattern(100, 1));
  const std::vector<Bytes> parts = {pattern(30, 2), {}, pattern(50, 3), pattern(10, 4)};
  device.write_gather(80, views(parts));  // 20 bytes over the end, 70 past it
  Bytes expected = pattern(100, 1);
  expected.resize(80);
  const Bytes tail = joined(parts);
  expected.insert(expected.end(), tail.begin(), tail.end());
  EXPECT_EQ(*device.medium(), expected);
  device.write_gather(300, views(parts));  // a gap reads as zeros
  EXPECT_EQ(device.size(), 300 + tail.size());
  EXPECT_EQ(device.medium()->at(200), 0);
}

TEST(NvmGather, FileDeviceWritesEveryPieceInOrderAcrossManyPwritevCalls) {
  sefleet::test::TempDir dir;
  const auto path = dir.path() / "gather";
  const std::vector<Bytes> parts = many_pieces();
  {
    FileDevice device(path, FileDevice::Mode::create_new);
    device.write(0, pattern(16, 9));
    device.write_gather(16, views(parts));
    device.sync();
  }
  Bytes expected = pattern(16, 9);
  const Bytes all = joined(parts);
  expected.insert(expected.end(), all.begin(), all.end());
  EXPECT_EQ(test::read_file(path), expected);
}

TEST(NvmGather, TearingDeviceCountsOneWriteAndKeepsExactlyTheFirstBytes) {
  const std::vector<Bytes> parts = {pattern(10, 1), pattern(600, 2), pattern(5, 3)};
  const Bytes all = joined(parts);
  for (const std::size_t keep : {std::size_t{0}, std::size_t{7}, std::size_t{10}, std::size_t{400}, std::size_t{614}}) {
    auto inner = std::make_unique<MemoryDevice>();
    const MemoryDevice::Medium medium = inner->medium();
    TearingDevice device(std::move(inner), 1, keep);
    EXPECT_THROW(device.write_gather(0, views(parts)), PowerLoss);
    EXPECT_EQ(device.physical_writes(), 1u);
    EXPECT_EQ(*medium, Bytes(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep))) << keep;
  }
  auto inner = std::make_unique<MemoryDevice>();
  const MemoryDevice::Medium medium = inner->medium();
  TearingDevice counting(std::move(inner), 0);
  counting.write_gather(0, views(parts));
  EXPECT_EQ(counting.physical_writes(), 1u);
  EXPECT_EQ(*medium, all);
}

TEST(NvmGather, RecordWriterRefersToLargeValuesAndParsesBackToTheSameOperations) {
  const Bytes small = pattern(format::RecordWriter::kReferencedValueSize - 1, 5);
  const Bytes large = pattern(65280, 6);
  format::RecordWriter writer(format::RecordType::transaction, 7);
  writer.put("img/small", small);
  writer.put("img/large", large);
  writer.erase("gone");
  writer.append("img/staged/0000", small);
  writer.finish();
  const std::vector<ByteView> pieces = writer.pieces();
  ASSERT_EQ(pieces.size(), 3u);  // framing, the large value where it is, framing and checksum
  EXPECT_EQ(pieces[1].data(), large.data());
  const Bytes record = writer.bytes();
  EXPECT_EQ(record.size(), writer.size());
  std::string problem;
  const auto parsed = format::parse_record(record, problem);
  ASSERT_TRUE(parsed) << problem;
  ASSERT_EQ(parsed->ops.size(), 4u);
  EXPECT_EQ(Bytes(parsed->ops[0].value.begin(), parsed->ops[0].value.end()), small);
  EXPECT_EQ(Bytes(parsed->ops[1].value.begin(), parsed->ops[1].value.end()), large);
  EXPECT_EQ(parsed->ops[2].code, format::OpCode::erase);
  EXPECT_EQ(parsed->ops[3].code, format::OpCode::append);
  EXPECT_EQ(Bytes(parsed->ops[3].value.begin(), parsed->ops[3].value.end()), small);
  EXPECT_EQ(parsed->sequence, 7u);
}

TEST(NvmGather, APutJoinsItsValueAndContinuationAndAnAppendInASnapshotIsRefused) {
  const Bytes head = pattern(600, 1);
  const Bytes tail = pattern(100, 2);
  format::RecordWriter writer(format::RecordType::snapshot, 3);
  writer.put("stream", head, tail);
  writer.finish();
  std::string problem;
  const Bytes record = writer.bytes();  // the parsed operations point into it
  const auto parsed = format::parse_record(record, problem);
  ASSERT_TRUE(parsed) << problem;
  Bytes joined = head;
  append(joined, tail);
  EXPECT_EQ(Bytes(parsed->ops[0].value.begin(), parsed->ops[0].value.end()), joined);

  format::RecordWriter bad(format::RecordType::snapshot, 3);
  bad.append("stream", tail);
  bad.finish();
  EXPECT_FALSE(format::parse_record(bad.bytes(), problem));
  EXPECT_NE(problem.find("malformed operation"), std::string::npos) << problem;
}

TEST(NvmGather, AValueHandedOverByMoveBecomesTheCommittedObjectAndSurvivesReopen) {
  auto device = std::make_unique<MemoryDevice>();
  const MemoryDevice::Medium medium = device->medium();
  NvmStore::format(*device);
  NvmStore store(std::move(device));
  Bytes value = pattern(65280, 8);
  const Bytes copy = value;
  const std::uint8_t* buffer = value.data();
  run_transaction(store, [&] {
    store.write("img/staging/block/0000", std::move(value));
    store.write("small", pattern(3, 9));
  });
  const auto& committed = store.committed();
  ASSERT_EQ(committed.count("img/staging/block/0000"), 1u);
  EXPECT_EQ(committed.find("img/staging/block/0000")->second.data(), buffer);  // the same buffer: no copy
  EXPECT_EQ(committed.find("img/staging/block/0000")->second, copy);
  // Rewrites of one object grow the journal, not the state, until a compaction writes a snapshot
  // from the state's own buffers.
  for (int i = 0; i < 8; ++i) {
    run_transaction(store,
                    [&] { store.write("img/staging/block/0001", pattern(65280, static_cast<std::uint8_t>(i))); });
  }
  EXPECT_GT(store.stats().compactions, 0u);
  NvmStore reopened(std::make_unique<MemoryDevice>(medium));
  EXPECT_EQ(reopened.committed(), store.committed());
}

}  // namespace
}  // namespace sefleet::card::nvm

// ImageStore on its own: each change is one transaction that survives reopening, and a store whose
// img/ objects do not fit together is refused at load, naming the object.
#include <gtest/gtest.h>

#include "card/state/image_store.hpp"
#include "core/error.hpp"
#include "crypto/hash.hpp"
#include "isd_broadcast_test_support.hpp"
#include "nvm_test_util.hpp"

namespace sefleet::card {
namespace {

using namespace test;

class ImageStoreTest : public ::testing::Test {
 protected:
  nvm::NvmStore open_store() { return nvm::NvmStore(std::make_unique<nvm::MemoryDevice>(medium_)); }
  void write_raw(std::string_view name, const Bytes& value) {
    nvm::NvmStore store = open_store();
    store.begin();
    store.write(name, value);
    store.commit();
  }
  std::string load_error() {
    nvm::NvmStore store = open_store();
    try {
      ImageStore images(store);
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::integrity_error);
      return e.what();
    }
    return {};
  }

  nvm::MemoryDevice::Medium medium_ = personalized_medium();
  bc::CampaignId campaign_{1, 2, 3};
};

TEST_F(ImageStoreTest, StagingAndActivationSurviveReopen) {
  const Campaign c = make_campaign({});
  const auto manifest = bc::parse_datasend(c.datasend).manifest;
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.open_staging(bc::Profile::campaign_key, campaign_, static_cast<std::uint32_t>(c.datasend.size()));
    images.append_block(ByteView(c.datasend).first(100));
    EXPECT_THROW(images.complete_staging({}), Error);  // not all received
    images.append_block(ByteView(c.datasend).subspan(100));
    EXPECT_THROW(images.append_block(Bytes{1}), Error);  // beyond the total
    images.complete_staging(test_profile().platform_keys.kmac.view());
  }
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    ASSERT_TRUE(images.staging().has_value());
    EXPECT_EQ(images.staging()->state, StagingState::complete);
    EXPECT_EQ(images.staging()->blocks, 2u);
    EXPECT_EQ(images.staging()->bk_mac.size(), 16u);
    EXPECT_TRUE(std::ranges::equal(images.staged_stream().view(), c.datasend));
    images.mark_verified();
    images.activate(manifest, c.datasend);
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  EXPECT_FALSE(images.staging().has_value());
  ASSERT_NE(images.find_active(bc::ImageType::os), nullptr);
  EXPECT_EQ(images.find_active(bc::ImageType::os)->version, 2u);
  EXPECT_EQ(images.find_active(bc::ImageType::os)->sha256, crypto::sha256(c.datasend));
  EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::os).view(), c.datasend));
  for (const auto& [name, value] : store.committed()) {
    EXPECT_TRUE(!name.starts_with("img/") || name.starts_with("img/active/")) << name;
  }
}

TEST_F(ImageStoreTest, AShortStreamIsOneSegmentReadInPlace) {
  // 300 blocks of 239 bytes (a stream of 71,700 bytes, more than kStagingSegmentSize): one segment.
  const Bytes stream = nvm::test::pattern(300 * 239, 5);
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.open_staging(bc::Profile::campaign_key, campaign_, static_cast<std::uint32_t>(stream.size()));
    EXPECT_EQ(images.staging()->segment_size, stream.size());
    for (std::size_t at = 0; at < stream.size(); at += 239) images.append_block(ByteView(stream).subspan(at, 239));
    EXPECT_EQ(store.committed().at("img/staged/0000").size(), stream.size());
    EXPECT_EQ(store.committed().count("img/staged/0001"), 0u);
    EXPECT_TRUE(std::ranges::equal(images.staged_stream_in_place(), stream));
    // The view is the committed object itself, not a copy.
    EXPECT_EQ(images.staged_stream_in_place().data(), store.committed().at("img/staged/0000").data());
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  ASSERT_TRUE(images.staging().has_value());
  EXPECT_EQ(images.staging()->segment_size, stream.size());
  EXPECT_EQ(images.staging()->blocks, 300u);
  EXPECT_TRUE(std::ranges::equal(images.staged_stream_in_place(), stream));
  EXPECT_TRUE(std::ranges::equal(images.staged_stream().view(), stream));
}

TEST_F(ImageStoreTest, BlocksAreAppendedToSegmentsAndCountedAgainAtLoad) {
  // A stream above kWholeStreamStagingLimit is cut into segments of kStagingSegmentSize: 65 blocks of
  // 1000 bytes fill a segment; the 66th does not fit and starts the next.
  const Bytes stream = nvm::test::pattern(kWholeStreamStagingLimit + 3000, 4);
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.open_staging(bc::Profile::platform_key, campaign_, static_cast<std::uint32_t>(stream.size()));
    for (std::size_t at = 0; at < stream.size(); at += 1000) {
      const auto commits = store.stats().commits;
      images.append_block(ByteView(stream).subspan(at, std::min<std::size_t>(1000, stream.size() - at)));
      EXPECT_EQ(store.stats().commits, commits + 1) << "one transaction per block";
    }
    // 16 full segments (0000 to 000F) and the rest in 0010 (the numbers are hexadecimal).
    for (const char digit : std::string_view("0123456789ABCDEF")) {
      EXPECT_EQ(store.committed().at(std::string("img/staged/000") + digit).size(), 65000u) << digit;
    }
    EXPECT_EQ(store.committed().at("img/staged/0010").size(), stream.size() - 16 * 65000);
    EXPECT_EQ(store.committed().count("img/staged/0011"), 0u);
    EXPECT_TRUE(images.staged_stream_in_place().empty());  // more than one segment: only the joined copy
    EXPECT_EQ(store.committed().at("img/block-sizes").size(), 4 * ((stream.size() + 999) / 1000));
    EXPECT_THROW(images.append_block(Bytes(kStagingSegmentSize + 1, 0)), Error);  // above one segment
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  ASSERT_TRUE(images.staging().has_value());
  EXPECT_EQ(images.staging()->received, stream.size());
  EXPECT_EQ(images.staging()->blocks, (stream.size() + 999) / 1000);
  EXPECT_EQ(images.staging()->state, StagingState::receiving);
  EXPECT_TRUE(std::ranges::equal(images.staged_stream().view(), stream));
  images.discard_staging();
  for (const auto& [name, value] : store.committed()) EXPECT_FALSE(name.starts_with("img/")) << name;
}

TEST_F(ImageStoreTest, LargeImagesAreChunked) {
  Bytes big(3 * kActiveChunkSize + 5, 0x33);
  bc::ImageManifest manifest;
  manifest.type = bc::ImageType::data;
  manifest.version = 7;
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.activate(manifest, big);
    std::size_t chunks = 0;
    for (const auto& [name, value] : store.committed()) chunks += name.starts_with("img/active/03/chunk/") ? 1 : 0;
    EXPECT_EQ(chunks, 4u);
    // A smaller replacement leaves no stale chunk behind.
    manifest.version = 8;
    images.activate(manifest, Bytes(10, 0x44));
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  EXPECT_EQ(images.find_active(bc::ImageType::data)->datasend_length, 10u);
  EXPECT_EQ(images.active_datasend(bc::ImageType::data).size(), 10u);
}

// Stages `stream` (blocks of `block` bytes) and completes it, as WRITE BLOCK and CHANGE MODE do.
void stage(ImageStore& images, const bc::CampaignId& campaign, ByteView stream, std::size_t block) {
  images.open_staging(bc::Profile::campaign_key, campaign, static_cast<std::uint32_t>(stream.size()));
  for (std::size_t at = 0; at < stream.size(); at += block) {
    images.append_block(stream.subspan(at, std::min(block, stream.size() - at)));
  }
  images.complete_staging(Bytes(16, 0x33));
}

TEST_F(ImageStoreTest, TheStagedStreamBecomesTheImageWithoutACopy) {
  // A short stream (one segment) over a fixed-chunk image of 4 chunks, then a long one (17 segments)
  // over it: each activation renames the segments into the image's chunks and leaves no stale chunk.
  const Bytes first(3 * kActiveChunkSize + 5, 0x33);
  const Bytes second = nvm::test::pattern(300 * 239, 6);
  const Bytes third = nvm::test::pattern(kWholeStreamStagingLimit + 3000, 7);
  bc::ImageManifest manifest;
  manifest.type = bc::ImageType::data;
  manifest.version = 7;
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.activate(manifest, first);
    EXPECT_THROW(images.activate_staged(manifest), Error) << "activated without a staging";
    images.open_staging(bc::Profile::campaign_key, campaign_, 10);
    images.append_block(Bytes(10, 1));
    EXPECT_THROW(images.activate_staged(manifest), Error) << "activated a staging still receiving";
    stage(images, campaign_, second, 239);
  }
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.mark_verified();
    const std::uint8_t* const segment = store.committed().at("img/staged/0000").data();
    manifest.version = 8;
    images.activate_staged(manifest);
    EXPECT_FALSE(images.staging().has_value());
    EXPECT_EQ(store.committed().at("img/active/03/chunk/0000").data(), segment) << "the stream was copied";
    EXPECT_EQ(store.committed().count("img/active/03/chunk/0001"), 0u);
    EXPECT_EQ(images.find_active(bc::ImageType::data)->sha256, crypto::sha256(second));
    EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::data).view(), second));
  }
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    EXPECT_EQ(images.find_active(bc::ImageType::data)->version, 8u);
    EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::data).view(), second));
    stage(images, campaign_, third, 1000);
    manifest.version = 9;
    images.activate_staged(manifest);  // "complete" is enough: verified only marks a decision kept
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  EXPECT_EQ(images.find_active(bc::ImageType::data)->datasend_length, third.size());
  EXPECT_EQ(images.find_active(bc::ImageType::data)->sha256, crypto::sha256(third));
  EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::data).view(), third));
  std::size_t chunks = 0;
  for (const auto& [name, value] : store.committed()) {
    EXPECT_TRUE(!name.starts_with("img/") || name.starts_with("img/active/03")) << name;
    chunks += name.starts_with("img/active/03/chunk/") ? 1 : 0;
  }
  EXPECT_EQ(chunks, 17u);
  // A later image written from a buffer in fixed chunks replaces the 17.
  images.activate(manifest, first);
  EXPECT_EQ(store.committed().count("img/active/03/chunk/0004"), 0u);
  EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::data).view(), first));
}

TEST_F(ImageStoreTest, AShortStreamIsJournaledWholeAndItsActivationShrinksTheMediumToTheState) {
  // 120 KB in blocks of 240 bytes, as the fleet sends them: opening the staging compacts once (with
  // room for the image in front of the snapshot), the blocks compact nothing, and the activation's
  // snapshot lands in the room, so the medium ends as the header and the state, nothing more.
  const Bytes stream = nvm::test::pattern(500 * 240, 8);
  bc::ImageManifest manifest;
  manifest.type = bc::ImageType::os;
  manifest.version = 3;
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  const std::uint64_t compactions = store.stats().compactions;
  stage(images, campaign_, stream, 240);  // opens the staging: the one compaction
  EXPECT_EQ(store.stats().compactions, compactions + 1) << "the half-staged stream was compacted";
  EXPECT_GT(store.stats().journal_bytes, stream.size());
  EXPECT_GT(medium_->size(), 2 * stream.size()) << "the room and the journal";
  images.activate_staged(manifest);
  EXPECT_EQ(store.stats().compactions, compactions + 2);
  EXPECT_EQ(medium_->size(), nvm::format::kDataStart + store.stats().snapshot_bytes);
  nvm::NvmStore reopened = open_store();
  ImageStore loaded(reopened);
  EXPECT_TRUE(std::ranges::equal(loaded.active_datasend(bc::ImageType::os).view(), stream));
}

TEST_F(ImageStoreTest, AShortStreamDiscardedLeavesTheMediumTheSizeOfTheState) {
  // The journal the staging was allowed does not outlive it: the discard compacts to the front.
  const Bytes stream = nvm::test::pattern(500 * 240, 9);
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  stage(images, campaign_, stream, 240);
  const std::uint64_t compactions = store.stats().compactions;
  images.discard_staging();
  EXPECT_EQ(store.stats().compactions, compactions + 1);
  EXPECT_EQ(medium_->size(), nvm::format::kDataStart + store.stats().snapshot_bytes);
  EXPECT_FALSE(images.staging().has_value());
  nvm::NvmStore reopened = open_store();
  EXPECT_FALSE(ImageStore(reopened).staging().has_value());
}

TEST_F(ImageStoreTest, AFormat1ImageIsReadAndReplacedByAStagedOne) {
  // The record format written before images could be activated in place: 64 KiB chunks.
  const Bytes image = nvm::test::pattern(2 * kActiveChunkSize + 10, 8);
  Bytes record{0x01, 0x03, 0, 0, 0, 5};
  put_be32(record, static_cast<std::uint32_t>(image.size()));
  const auto digest = crypto::sha256(image);
  record.insert(record.end(), digest.begin(), digest.end());
  record.push_back(0x00);  // no name
  {
    nvm::NvmStore store = open_store();
    store.begin();
    store.write("img/active/03", record);
    for (std::size_t i = 0; i < 3; ++i) {
      store.write("img/active/03/chunk/000" + std::to_string(i),
                  ByteView(image).subspan(i * kActiveChunkSize,
                                          std::min(kActiveChunkSize, image.size() - i * kActiveChunkSize)));
    }
    store.commit();
  }
  const Bytes stream = nvm::test::pattern(1000, 9);
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    EXPECT_EQ(images.find_active(bc::ImageType::data)->version, 5u);
    EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::data).view(), image));
    stage(images, campaign_, stream, 100);
    bc::ImageManifest manifest;
    manifest.type = bc::ImageType::data;
    manifest.version = 6;
    images.activate_staged(manifest);
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  EXPECT_EQ(images.find_active(bc::ImageType::data)->version, 6u);
  EXPECT_TRUE(std::ranges::equal(images.active_datasend(bc::ImageType::data).view(), stream));
  EXPECT_EQ(store.committed().count("img/active/03/chunk/0001"), 0u);
  EXPECT_EQ(store.committed().at("img/active/03")[0], 0x02) << "an activation writes format 2";
}

TEST_F(ImageStoreTest, ChunksThatDoNotFitTheirRecordsFormatAreRefused) {
  bc::ImageManifest manifest;
  manifest.type = bc::ImageType::data;
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    stage(images, campaign_, Bytes(100, 1), 50);
    images.activate_staged(manifest);
  }
  const nvm::MemoryDevice::Medium activated = copy_medium(medium_);
  // Format 2: a gap in the numbering.
  {
    nvm::NvmStore store = open_store();
    store.begin();
    store.move("img/active/03/chunk/0000", "img/active/03/chunk/0001");
    store.commit();
  }
  EXPECT_NE(load_error().find("img/active/03/chunk/0001' is not a chunk"), std::string::npos);
  // Format 1: a single chunk longer than the fixed chunk size allows is fine, but a second chunk
  // beyond what the length makes is not.
  medium_ = copy_medium(activated);
  {
    nvm::NvmStore store = open_store();
    Bytes record = *store.get("img/active/03");
    record[0] = 0x01;
    store.begin();
    store.write("img/active/03", record);
    store.write("img/active/03/chunk/0000", Bytes(60, 1));
    store.write("img/active/03/chunk/0001", Bytes(40, 1));
    store.commit();
  }
  EXPECT_NE(load_error().find("img/active/03/chunk/0001' is not a chunk"), std::string::npos);
  // An empty chunk.
  medium_ = copy_medium(activated);
  write_raw("img/active/03/chunk/0001", Bytes{});
  EXPECT_NE(load_error().find("img/active/03/chunk/0001' is not a chunk"), std::string::npos);
}

TEST_F(ImageStoreTest, InconsistentObjectsAreRefusedAtLoad) {
  write_raw("img/junk", Bytes{1});
  EXPECT_NE(load_error().find("img/junk"), std::string::npos);
}

TEST_F(ImageStoreTest, ASegmentOrBlockListWithoutItsRecordIsRefused) {
  write_raw("img/staged/0000", Bytes{1, 2, 3});
  EXPECT_NE(load_error().find("img/staged/0000"), std::string::npos);
  medium_ = personalized_medium();
  write_raw("img/block-sizes", Bytes{0, 0, 0, 3});
  EXPECT_NE(load_error().find("img/block-sizes"), std::string::npos);
}

TEST_F(ImageStoreTest, SegmentsThatTheBlockListDoesNotMakeAreRefused) {
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.open_staging(bc::Profile::platform_key, campaign_, 50);
    images.append_block(Bytes(20, 1));
  }
  const nvm::MemoryDevice::Medium one_block = copy_medium(medium_);
  // A second segment although the block list's one block fits in the first.
  write_raw("img/staged/0001", Bytes(10, 2));
  EXPECT_NE(load_error().find("img/staging' does not match its segments"), std::string::npos);
  // A gap in the numbering.
  medium_ = copy_medium(one_block);
  write_raw("img/staged/0002", Bytes(10, 2));
  EXPECT_NE(load_error().find("img/staged/0002"), std::string::npos);
  // A block list that lists an empty block.
  medium_ = copy_medium(one_block);
  write_raw("img/block-sizes", Bytes{0, 0, 0, 20, 0, 0, 0, 0});
  EXPECT_NE(load_error().find("img/block-sizes"), std::string::npos);
}

TEST_F(ImageStoreTest, AnOldFormatStagingRecordIsRefused) {
  // Format 1 kept the bytes and blocks received in the record (rewritten by every block).
  write_raw("img/staging", Bytes(32, 0x01));
  EXPECT_NE(load_error().find("img/staging' has a bad size or format"), std::string::npos);
}

// A receiving staging of 70,000 bytes in 70 blocks of 1,000, cut into segments of 65,000 and 5,000
// bytes (the 64 KiB rule), under a record of the given format and segment size (format 3 only).
void write_fixed_segment_staging(nvm::NvmStore& store, std::uint8_t format, std::uint32_t segment_size) {
  Bytes record{format, 0x03};
  record.insert(record.end(), 16, 0x11);
  put_be32(record, 70000);
  if (format == 3) put_be32(record, segment_size);
  append(record, Bytes{0x01, 0x00});  // receiving, no BK-MAC yet
  Bytes blocks;
  for (int i = 0; i < 70; ++i) put_be32(blocks, 1000);
  store.begin();
  store.write("img/staging", record);
  store.write("img/block-sizes", blocks);
  store.write("img/staged/0000", Bytes(65000, 0x21));
  store.write("img/staged/0001", Bytes(5000, 0x22));
  store.commit();
}

TEST_F(ImageStoreTest, AFormat2StagingKeepsItsFixedSegments) {
  {
    nvm::NvmStore store = open_store();
    write_fixed_segment_staging(store, 2, 0);
    ImageStore images(store);
    ASSERT_TRUE(images.staging().has_value());
    EXPECT_EQ(images.staging()->segment_size, kStagingSegmentSize);
    EXPECT_EQ(images.staging()->received, 70000u);
    EXPECT_TRUE(images.staged_stream_in_place().empty());
    images.complete_staging(Bytes(16, 0x33));  // rewritten in format 3, keeping the segment size
  }
  nvm::NvmStore store = open_store();
  ImageStore images(store);
  EXPECT_EQ(images.staging()->state, StagingState::complete);
  EXPECT_EQ(images.staging()->segment_size, kStagingSegmentSize);
  EXPECT_EQ(images.staged_stream().size(), 70000u);
}

TEST_F(ImageStoreTest, AFormat3StagingWhoseSegmentsBreakItsSegmentSizeIsRefused) {
  const nvm::MemoryDevice::Medium personalized = copy_medium(medium_);
  {
    // Segment size = the total (one segment) but two segments stored.
    nvm::NvmStore store = open_store();
    write_fixed_segment_staging(store, 3, 70000);
  }
  EXPECT_NE(load_error().find("img/staging' does not match its segments"), std::string::npos);
  medium_ = copy_medium(personalized);
  {
    // A segment size no writer gives.
    nvm::NvmStore store = open_store();
    write_fixed_segment_staging(store, 3, 1000);
  }
  EXPECT_NE(load_error().find("img/staging' has a bad segment size"), std::string::npos);
}

TEST_F(ImageStoreTest, ARecordThatDoesNotMatchItsBlocksIsRefused) {
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.open_staging(bc::Profile::platform_key, campaign_, 50);
    images.append_block(Bytes(20, 1));
  }
  nvm::NvmStore store = open_store();
  store.begin();
  store.erase("img/staged/0000");
  store.commit();
  EXPECT_NE(load_error().find("img/staging"), std::string::npos);
}

TEST_F(ImageStoreTest, ATruncatedActiveRecordIsRefused) {
  write_raw("img/active/01", Bytes{1, 1, 0, 0});
  EXPECT_NE(load_error().find("img/active/01"), std::string::npos);
}

}  // namespace
}  // namespace sefleet::card

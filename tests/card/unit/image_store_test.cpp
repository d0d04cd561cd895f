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

TEST_F(ImageStoreTest, BlocksAreAppendedToSegmentsAndCountedAgainAtLoad) {
  // 65 blocks of 1000 bytes fill the first segment; the 66th does not fit and starts the second.
  const Bytes stream = nvm::test::pattern(kStagingSegmentSize + 3000, 4);
  {
    nvm::NvmStore store = open_store();
    ImageStore images(store);
    images.open_staging(bc::Profile::platform_key, campaign_, static_cast<std::uint32_t>(stream.size()));
    for (std::size_t at = 0; at < stream.size(); at += 1000) {
      const auto commits = store.stats().commits;
      images.append_block(ByteView(stream).subspan(at, std::min<std::size_t>(1000, stream.size() - at)));
      EXPECT_EQ(store.stats().commits, commits + 1) << "one transaction per block";
    }
    EXPECT_EQ(store.committed().at("img/staged/0000").size(), 65000u);
    EXPECT_EQ(store.committed().at("img/staged/0001").size(), stream.size() - 65000);
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

// The operator's client (offcard/admin): ids normalized to the API's lower case or refused before any
// request, device queries turned into paths whose values never need escaping.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "gp/broadcast/image_version.hpp"
#include "offcard/admin/admin_client.hpp"

namespace sefleet::offcard::admin {
namespace {

TEST(AdminClient, CampaignIdsAreAcceptedInAnyCaseAndAnsweredInLowerCase) {
  EXPECT_EQ(campaign_id("00112233445566778899AABBCCDDEEFF"), "00112233445566778899aabbccddeeff");
  EXPECT_THROW(campaign_id("0011"), Error);
  EXPECT_THROW(campaign_id("00112233445566778899aabbccddeefg"), Error);
  EXPECT_THROW(campaign_id(""), Error);
}

TEST(AdminClient, SeIdsAreWholeBytesOfHex) {
  EXPECT_EQ(se_id("AD4D"), "ad4d");
  EXPECT_THROW(se_id("ABC"), Error);                  // odd
  EXPECT_THROW(se_id("zz"), Error);                   // not hex
  EXPECT_THROW(se_id(std::string(130, 'a')), Error);  // longer than 64 bytes
}

TEST(AdminClient, DeviceQueriesBecomeCheckedPaths) {
  EXPECT_EQ(device_query_path({}), "/v1/devices");
  DeviceQuery query;
  query.state = api::DeviceState::quarantined;
  query.campaign = "00112233445566778899AABBCCDDEEFF";
  query.search = "4E0A";
  query.limit = 50;
  query.offset = 100;
  EXPECT_EQ(device_query_path(query),
            "/v1/devices?state=quarantined&campaign=00112233445566778899aabbccddeeff&q=4e0a&limit=50&offset=100");
  query.search_prefix = true;
  EXPECT_EQ(device_query_path(query),
            "/v1/devices?state=quarantined&campaign=00112233445566778899aabbccddeeff&q=4e0a"
            "&match=prefix&limit=50&offset=100");

  DeviceQuery bad;
  bad.search = "4e&x=1";
  EXPECT_THROW(device_query_path(bad), Error);
  bad = {};
  bad.limit = 0;
  EXPECT_THROW(device_query_path(bad), Error);
  bad.limit = 10001;
  EXPECT_THROW(device_query_path(bad), Error);
  bad = {};
  bad.offset = -1;
  EXPECT_THROW(device_query_path(bad), Error);
}

TEST(ImageVersion, ReadsAsMajorDotMinor) {
  EXPECT_EQ(gp::broadcast::image_version_text(0x00020001), "2.1");
  EXPECT_EQ(gp::broadcast::image_version_text(5), "0.5");
  EXPECT_EQ(gp::broadcast::image_version_text(0xFFFFFFFF), "65535.65535");
}

}  // namespace
}  // namespace sefleet::offcard::admin

// Power loss at every physical NVM write of one whole broadcast flow (PAUT[0..2] ‖ PSE ‖ PAUT[3]), for
// both profiles (broadcast-channel.md §8.4): after reopening, the card loads, the previous image is
// active before the activation commit and the new one after it (never anything in between), the keys
// still open a session, and a fresh flow then succeeds.
#include <gtest/gtest.h>

#include "isd_broadcast_test_support.hpp"

namespace sefleet::card {
namespace {

using namespace test;

Campaign tearing_campaign(bc::Profile profile, std::uint32_t version, std::uint8_t seed) {
  CampaignSpec spec;
  spec.profile = profile;
  spec.version = version;
  spec.seed = seed;
  spec.body_size = 300;  // two short blocks: keeps the number of torn runs small
  return make_campaign(spec);
}

// Runs the flow; true when it completed with the image activated.
bool run_whole_flow(VirtualCard& card, const Campaign& c, std::uint8_t host_seed) {
  const bc::Paut paut = make_paut(card.endpoint(), c, bc::Action::verify_and_activate, test_profile().scp03, host_seed);
  const FlowResult flow = run_flow(card.endpoint(), paut, c.pse);
  if (flow.last_sw() != 0x9000 || !flow.authorize) return false;
  return verified_status(paut, flow).result == bc::result::kActivated;
}

class BroadcastTearing : public ::testing::TestWithParam<bc::Profile> {};

TEST_P(BroadcastTearing, PowerLossAtEveryWriteLeavesTheOldOrTheNewImage) {
  const auto base = personalized_medium();
  {
    VirtualCard card = open_card(base);
    ASSERT_TRUE(run_whole_flow(card, tearing_campaign(GetParam(), 2, 1), 0x01));
  }
  const Campaign c = tearing_campaign(GetParam(), 3, 2);

  // Counting run: the writes of the whole flow, and where the AUTHORIZE ACTION's begin.
  std::uint64_t total_writes = 0;
  std::uint64_t before_authorize = 0;
  {
    VirtualCard card = open_card(copy_medium(base));
    const bc::Paut paut = make_paut(card.endpoint(), c, bc::Action::verify_and_activate, test_profile().scp03, 0x02);
    ASSERT_EQ(select_isd(card.endpoint()).sw, 0x9000);
    for (std::size_t i = 0; i < 3; ++i) ASSERT_EQ(send(card.endpoint(), paut.commands[i]).sw, 0x9000);
    for (const Bytes& command : c.pse) ASSERT_EQ(send_raw(card.endpoint(), command).sw, 0x9000);
    before_authorize = card.physical_writes();
    ASSERT_EQ(send(card.endpoint(), paut.commands[3]).sw, 0x9000);
    total_writes = card.physical_writes();
  }
  ASSERT_GT(total_writes, before_authorize);
  RecordProperty("flow_writes", static_cast<int>(total_writes));

  for (const std::size_t keep : {std::size_t{0}, std::size_t{7}}) {
    bool saw_new = false;
    // n = total + 1 cuts power at the first write after the flow (the next INITIALIZE UPDATE): the
    // state right after the activation commit must survive it.
    for (std::uint64_t n = 1; n <= total_writes + 1; ++n) {
      SCOPED_TRACE("torn at write " + std::to_string(n) + " of " + std::to_string(total_writes) + " keeping " +
                   std::to_string(keep) + " bytes");
      const auto medium = copy_medium(base);
      {
        VirtualCardOptions options;
        options.tear_at_write = n;
        options.tear_keep_bytes = keep;
        VirtualCard card = open_card(medium, options);
        EXPECT_EQ(run_whole_flow(card, c, 0x02), n > total_writes);
        if (n > total_writes) {
          ASSERT_EQ(send(card.endpoint(), iso7816::CommandApdu(0x80, 0x50, 0x00, 0x00, Bytes(8, 0x44), 256)).sw,
                    0x6F00);
        }
        EXPECT_TRUE(card.power_lost());
      }
      VirtualCard card = open_card(medium);  // recovery; the card state and image store load
      const std::uint32_t active = active_os_version(card.endpoint());
      if (n <= before_authorize) {
        EXPECT_EQ(active, 2u);
      } else {
        EXPECT_TRUE(active == 2u || active == 3u) << active;
        if (saw_new) {
          EXPECT_EQ(active, 3u);  // once committed, it stays committed
        }
        saw_new = saw_new || active == 3u;
      }
      // Keys intact, and the whole flow runs again (a newer image if the torn one got committed).
      const Campaign retry = tearing_campaign(GetParam(), active + 1, 3);
      EXPECT_TRUE(run_whole_flow(card, retry, 0x03));
      EXPECT_EQ(active_os_version(card.endpoint()), active + 1);
      EXPECT_EQ(inventory(card.endpoint()).staging_state, 0);
    }
    EXPECT_TRUE(saw_new);
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, BroadcastTearing,
                         ::testing::Values(bc::Profile::campaign_key, bc::Profile::platform_key),
                         [](const auto& test_info) {
                           return std::string(test_info.param == bc::Profile::campaign_key ? "p3" : "p4");
                         });

}  // namespace
}  // namespace sefleet::card

// The broadcast update channel end to end on one virtual SE: both profiles, short and extended
// blocks, the R-MAC-verified status object, GET DATA DF70 before and after, verify-only then activate.
#include <gtest/gtest.h>

#include "isd_broadcast_test_support.hpp"

namespace sefleet::card {
namespace {

using namespace test;

struct FlowCase {
  const char* name;
  bc::Profile profile;
  std::size_t chunk_size;
  bool extended;
  std::size_t body_size;
};

class BroadcastFlow : public ::testing::TestWithParam<FlowCase> {};

TEST_P(BroadcastFlow, ActivatesTheNewImageAndReportsAnAuthenticatedStatus) {
  const FlowCase& p = GetParam();
  VirtualCard card = open_card(personalized_medium());
  auto& ep = card.endpoint();
  const Inventory empty = inventory(ep);
  EXPECT_TRUE(empty.versions.empty());
  EXPECT_EQ(empty.staging_state, 0);

  CampaignSpec spec;
  spec.profile = p.profile;
  spec.chunk_size = p.chunk_size;
  spec.extended = p.extended;
  spec.body_size = p.body_size;
  const Campaign c = make_campaign(spec);
  EXPECT_GT(c.pse.size(), 2u);  // several WRITE BLOCKs and the final CHANGE MODE
  const bc::Paut paut = make_paut(ep, c);
  const FlowResult flow = run_flow(ep, paut, c.pse);
  ASSERT_EQ(flow.sws.size(), 3 + c.pse.size() + 1) << flow.trace();
  ASSERT_EQ(flow.last_sw(), 0x9000);
  const bc::ImageStatus status = verified_status(paut, flow);
  EXPECT_EQ(status.campaign_id, c.id);
  EXPECT_EQ(status.result, bc::result::kActivated);
  EXPECT_EQ(status.active_version, 2u);
  EXPECT_EQ(status.active_sha256, c.sha256());

  const Inventory after = inventory(ep);
  ASSERT_EQ(after.versions.count(0x01), 1u);
  EXPECT_EQ(after.versions.at(0x01), 2u);
  const auto digest = c.sha256();
  EXPECT_EQ(after.digests.at(0x01), Bytes(digest.begin(), digest.end()));
  EXPECT_EQ(after.staging_state, 0);
  // The card holds the plain DATASEND as its active image (profile 4: decrypted from the envelope).
  EXPECT_EQ(card.state().images().active_datasend(bc::ImageType::os).view().size(), c.datasend.size());
  EXPECT_TRUE(std::ranges::equal(card.state().images().active_datasend(bc::ImageType::os).view(), c.datasend));

  // A later campaign (version 3) replaces it; the image of another type lives beside it.
  spec.version = 3;
  spec.seed = 2;
  const Campaign next = make_campaign(spec);
  const bc::Paut paut2 = make_paut(ep, next, bc::Action::verify_and_activate, test_profile().scp03, 0x22);
  const FlowResult flow2 = run_flow(ep, paut2, next.pse);
  ASSERT_EQ(flow2.last_sw(), 0x9000);
  EXPECT_EQ(verified_status(paut2, flow2).active_version, 3u);
  spec.type = bc::ImageType::application;
  spec.version = 1;
  spec.seed = 3;
  const Campaign app = make_campaign(spec);
  const bc::Paut paut3 = make_paut(ep, app, bc::Action::verify_and_activate, test_profile().scp03, 0x33);
  ASSERT_EQ(run_flow(ep, paut3, app.pse).last_sw(), 0x9000);
  const Inventory both = inventory(ep);
  EXPECT_EQ(both.versions.at(0x01), 3u);
  EXPECT_EQ(both.versions.at(0x02), 1u);
}

INSTANTIATE_TEST_SUITE_P(
    Profiles, BroadcastFlow,
    ::testing::Values(FlowCase{"p3_short", bc::Profile::campaign_key, bc::kMaxShortChunk, false, 700},
                      FlowCase{"p3_extended", bc::Profile::campaign_key, 1000, true, 3000},
                      FlowCase{"p4_short", bc::Profile::platform_key, bc::kMaxShortChunk, false, 700},
                      FlowCase{"p4_extended", bc::Profile::platform_key, 1000, true, 3000},
                      FlowCase{"p3_odd_chunks", bc::Profile::campaign_key, 17, false, 200}),
    [](const auto& test_info) { return std::string(test_info.param.name); });

TEST(BroadcastFlowState, VerifyOnlyKeepsTheImageStagedAndALaterActivateInstallsIt) {
  for (const bc::Profile profile : {bc::Profile::campaign_key, bc::Profile::platform_key}) {
    SCOPED_TRACE(static_cast<int>(profile));
    const auto medium = personalized_medium();
    {
      VirtualCard card = open_card(medium);
      auto& ep = card.endpoint();
      CampaignSpec spec;
      spec.profile = profile;
      const Campaign c = make_campaign(spec);
      const bc::Paut paut = make_paut(ep, c, bc::Action::verify_only);
      const FlowResult flow = run_flow(ep, paut, c.pse);
      ASSERT_EQ(flow.last_sw(), 0x9000);
      const bc::ImageStatus status = verified_status(paut, flow);
      EXPECT_EQ(status.result, bc::result::kVerifiedKeptStaged);
      EXPECT_EQ(status.active_version, 0u);  // nothing of that type is active yet
      EXPECT_EQ(status.active_sha256, (std::array<std::uint8_t, 32>{}));
      const Inventory inv = inventory(ep);
      EXPECT_TRUE(inv.versions.empty());
      EXPECT_EQ(inv.staging_state, 0x03);
      EXPECT_EQ(inv.staged_received, c.stream.size());
    }
    // Across a power cycle, an AUTHORIZE ACTION 01 in a new session activates the verified image.
    VirtualCard card = open_card(medium);
    auto& ep = card.endpoint();
    CampaignSpec spec;
    spec.profile = profile;
    const Campaign c = make_campaign(spec);
    HostSession session(ep, test_profile().scp03, 0x33);
    ASSERT_TRUE(session.open());
    bc::AuthorizeAction authorize;
    authorize.campaign_id = c.id;
    authorize.integrity_code = c.c8;
    authorize.action = bc::Action::verify_and_activate;
    const auto r = session.send_plain(
        iso7816::CommandApdu(0x80, bc::kInsAuthorizeAction, 0x00, 0x00, bc::encode_authorize_action(authorize), 256));
    ASSERT_EQ(r.sw, 0x9000);
    const bc::ImageStatus status = bc::parse_image_status(r.data);
    EXPECT_EQ(status.result, bc::result::kActivated);
    EXPECT_EQ(status.active_version, 2u);
    EXPECT_EQ(status.active_sha256, c.sha256());
    EXPECT_EQ(active_os_version(ep), 2u);
    EXPECT_EQ(inventory(ep).staging_state, 0);
  }
}

TEST(BroadcastFlowState, StagingIsReportedWhileReceivingAndCompleteBeforeAuthorization) {
  VirtualCard card = open_card(personalized_medium());
  auto& ep = card.endpoint();
  const Campaign c = make_campaign({});
  const bc::Paut paut = make_paut(ep, c);
  ASSERT_EQ(select_isd(ep).sw, 0x9000);
  for (std::size_t i = 0; i < 3; ++i) ASSERT_EQ(send(ep, paut.commands[i]).sw, 0x9000);
  ASSERT_EQ(send_raw(ep, c.pse[0]).sw, 0x9000);
  // A second logical channel takes stock while channel 0 is in broadcast mode.
  const auto opened = send(ep, iso7816::CommandApdu(0x00, 0x70, 0x00, 0x00, {}, 1));
  ASSERT_EQ(opened.sw, 0x9000);
  const std::uint8_t channel = opened.data.at(0);
  ASSERT_EQ(select_isd(ep, channel).sw, 0x9000);
  auto df70 = [&] {
    return send(ep, iso7816::CommandApdu(iso7816::cla_for_channel(0x80, channel, false), 0xCA, 0xDF, 0x70, {}, 256));
  };
  auto r = df70();
  ASSERT_EQ(r.sw, 0x9000);
  const auto staged = iso7816::parse_tlv(r.data);
  const auto e3 = iso7816::parse_tlv_sequence(staged.value());
  ASSERT_EQ(e3.size(), 1u);
  ASSERT_EQ(e3[0].tag(), 0xE3u);
  EXPECT_EQ(e3[0].children().at(0).value(), Bytes(c.id.begin(), c.id.end()));
  EXPECT_EQ(e3[0].children().at(1).value(), Bytes{0x03});
  EXPECT_EQ(read_be(e3[0].children().at(2).value()), c.stream.size());
  EXPECT_EQ(read_be(e3[0].children().at(3).value()), bc::kMaxShortChunk);
  EXPECT_EQ(e3[0].children().at(4).value(), Bytes{0x01});
  for (std::size_t i = 1; i < c.pse.size(); ++i) ASSERT_EQ(send_raw(ep, c.pse[i]).sw, 0x9000);
  r = df70();
  ASSERT_EQ(r.sw, 0x9000);
  EXPECT_EQ(iso7816::parse_tlv_sequence(iso7816::parse_tlv(r.data).value()).at(0).children().at(4).value(),
            Bytes{0x02});
  const auto authorized = send(ep, paut.commands[3]);
  ASSERT_EQ(authorized.sw, 0x9000);
  r = df70();
  ASSERT_EQ(r.sw, 0x9000);
  const auto active = iso7816::parse_tlv_sequence(iso7816::parse_tlv(r.data).value());
  ASSERT_EQ(active.size(), 1u);
  EXPECT_EQ(active[0].tag(), 0xE2u);
  const std::string expected_name = "image v2";
  EXPECT_EQ(active[0].children().at(4).value(), Bytes(expected_name.begin(), expected_name.end()));
}

}  // namespace
}  // namespace sefleet::card

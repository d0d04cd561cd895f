// The broadcast channel end to end, in-process, with many SEs: the design system builds a
// campaign, the HSM role issues one PAUT per SE from its sequence counter, a key-less terminal merges
// PAUT[0..2] ‖ PSE ‖ PAUT[3] and sends it, and the server role authenticates the answers. Every SE is a
// whole virtual SE (runtime, ISD, card state, NVM) with its own kdf3-derived keys.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/kdf3.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/chaining.hpp"
#include "iso7816/tlv.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/report_assessment.hpp"
#include "offcard/campaign/terminal_role.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "sim/fleet/virtual_fleet.hpp"

namespace sefleet {
namespace {

namespace bc = gp::broadcast;
using offcard::DeliveryOutcome;
using offcard::KeyRef;

const Bytes kMasterKey(16, 0x4D);
const Bytes kKos{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F};
const Bytes kKmac{0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F};
const Bytes kPlatform{0x50, 0x4C, 0x41, 0x54, 0x30, 0x30, 0x30, 0x31};

// Records every command a terminal sends, to compare what different SEs received.
class RecordingChannel final : public transport::CardChannel {
 public:
  explicit RecordingChannel(transport::CardChannel& inner) : inner_(inner) {}
  Bytes transmit(ByteView command) override {
    sent.emplace_back(command.begin(), command.end());
    return inner_.transmit(command);
  }
  Bytes atr() override { return inner_.atr(); }
  void reset() override { inner_.reset(); }
  std::string description() const override { return "recording:" + inner_.description(); }
  std::vector<Bytes> sent;

 private:
  transport::CardChannel& inner_;
};

sim::FleetConfig fleet_config(std::size_t size, const Bytes& kos = kKos) {
  sim::FleetConfig config;
  config.size = size;
  config.master_key = SecretBytes(kMasterKey);
  config.platform_id = kPlatform;
  config.platform_keys.version = 1;
  config.platform_keys.kos = SecretBytes(kos);
  config.platform_keys.kmac = SecretBytes(kKmac);
  return config;
}

Bytes image_body(std::size_t size, std::uint8_t seed) {
  Bytes body(size);
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<std::uint8_t>(seed + i * 13);
  return body;
}

// The operator's key stores: the design system holds the platform keys, the HSM the master key and
// its campaign KEK. Separate objects, so no role can use the other's keys.
struct KeyStores {
  KeyStores() : design(offcard::SoftwareKeystore::in_memory()), hsm(offcard::SoftwareKeystore::in_memory()) {
    design->import_key("kos", SecretBytes(kKos), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
    design->import_key("kmac", SecretBytes(kKmac), offcard::KeyUsage::mac);
    hsm->import_key("master", SecretBytes(kMasterKey), offcard::KeyUsage::mac);
    hsm->generate("campaign-kek", 16, offcard::KeyUsage::wrap);
  }
  std::unique_ptr<offcard::SoftwareKeystore> design;
  std::unique_ptr<offcard::SoftwareKeystore> hsm;
};

// A campaign as the server holds it: terms and PSE (profile 4: after the HSM prepared it).
struct Campaign {
  offcard::CampaignPackage package;
  offcard::CampaignTerms terms;
  std::vector<Bytes> pse;
};

Campaign make_campaign(KeyStores& stores, bc::Profile profile, std::uint32_t version, bool extended,
                       std::size_t body_size = 1500, std::size_t chunk = bc::kMaxShortChunk,
                       bc::ImageType type = bc::ImageType::application) {
  offcard::CampaignDesign design;
  design.manifest.type = type;
  std::copy(kPlatform.begin(), kPlatform.end(), design.manifest.platform_id.begin());
  design.manifest.version = version;
  design.manifest.name = "fleet-app-" + std::to_string(version);
  design.body = image_body(body_size, static_cast<std::uint8_t>(version));
  design.profile = profile;
  design.kos = KeyRef::current("kos");
  design.kmac = KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = chunk;
  design.extended = extended;
  Campaign campaign;
  campaign.package = offcard::design_campaign(*stores.design, design);
  if (profile == bc::Profile::campaign_key) {
    campaign.terms = campaign.package.terms;
    campaign.pse = campaign.package.pse;
  } else {
    auto prepared = offcard::prepare_platform_campaign(*stores.hsm, KeyRef::current("campaign-kek"),
                                                       campaign.package.terms, campaign.package.envelope,
                                                       campaign.package.chunk_size, campaign.package.extended);
    campaign.terms = prepared.terms;
    campaign.pse = prepared.pse;
  }
  return campaign;
}

offcard::EncodedPaut encode(const bc::Paut& paut) {
  offcard::EncodedPaut encoded;
  for (std::size_t k = 0; k < 4; ++k) encoded[k] = paut.commands[k].encode();
  return encoded;
}

struct Attempt {
  offcard::DeliveryReport report;
  offcard::Assessment assessment;
  offcard::SeAuthorizationRequest request;
  bc::PautCheck check;
};

// One SE, one attempt, all roles, optionally with a tampered PSE or PAUT.
Attempt run_attempt(KeyStores& stores, const Campaign& campaign, transport::CardChannel& channel,
                    bc::Action action = bc::Action::verify_and_activate,
                    const std::function<void(std::vector<Bytes>&, offcard::EncodedPaut&)>& tamper = {}) {
  Attempt attempt;
  attempt.request = offcard::read_se_identity(channel, gp::isd_aid());
  offcard::PautIssuer issuer(*stores.hsm, KeyRef::current("master"), campaign.terms, KeyRef::current("campaign-kek"));
  const bc::Paut paut = issuer.issue(attempt.request, action);
  attempt.check = paut.check;
  std::vector<Bytes> pse = campaign.pse;
  offcard::EncodedPaut encoded = encode(paut);
  if (tamper) tamper(pse, encoded);
  attempt.report = offcard::deliver(channel, gp::isd_aid(), encoded, pse);
  attempt.assessment =
      offcard::assess_delivery(*stores.hsm, KeyRef::current("master"), attempt.request, attempt.check, attempt.report);
  return attempt;
}

// GET DATA DF70 (no session needed): the active version of `type` (0 when none).
std::uint32_t active_version(transport::CardChannel& channel, bc::ImageType type) {
  // SELECT first: it ends any session on the channel, in which a plain GET DATA would be refused.
  const Bytes selected =
      channel.transmit(Bytes{0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00});
  EXPECT_EQ(selected[selected.size() - 2], 0x90);
  const iso7816::ApduExchange link = [&](const iso7816::CommandApdu& c) {
    return iso7816::ResponseApdu::parse(channel.transmit(c.encode()));
  };
  const auto response = iso7816::transmit(link, iso7816::CommandApdu::parse(Bytes{0x80, 0xCA, 0xDF, 0x70, 0x00}));
  EXPECT_EQ(response.sw, 0x9000);
  // DF70 is a primitive tag (b6 of DF is 0) whose value is a sequence of objects (docs/isd.md).
  const iso7816::Tlv inventory = iso7816::parse_tlv(response.data);
  for (const iso7816::Tlv& image : iso7816::parse_tlv_sequence(inventory.value())) {
    if (image.tag() != 0xE2) continue;
    const iso7816::Tlv* type_tag = image.find(0x82);
    const iso7816::Tlv* version = image.find(0x84);
    if (type_tag == nullptr || version == nullptr) continue;
    if (type_tag->value().at(0) != static_cast<std::uint8_t>(type)) continue;
    const Bytes& v = version->value();
    return (std::uint32_t{v.at(0)} << 24) | (std::uint32_t{v.at(1)} << 16) | (std::uint32_t{v.at(2)} << 8) | v.at(3);
  }
  return 0;
}

void expect_activated(const Attempt& attempt, std::uint32_t version, const std::string& where) {
  EXPECT_EQ(attempt.assessment.outcome, DeliveryOutcome::activated)
      << where << ": " << offcard::outcome_name(attempt.assessment.outcome) << " — " << attempt.assessment.reason;
  ASSERT_TRUE(attempt.assessment.status.has_value()) << where;
  EXPECT_EQ(attempt.assessment.status->active_version, version) << where;
}

struct FleetCase {
  bc::Profile profile;
  bool extended;
  std::size_t chunk;
  std::size_t body;
};

class BroadcastFleet : public ::testing::TestWithParam<FleetCase> {};

TEST_P(BroadcastFleet, FiftySesReceiveIdenticalPseAndActivateWithAuthenticatedStatus) {
  const FleetCase c = GetParam();
  KeyStores stores;
  sim::VirtualFleet fleet(fleet_config(50));
  const Campaign campaign = make_campaign(stores, c.profile, 0x00020000, c.extended, c.body, c.chunk);

  std::optional<std::vector<Bytes>> first_pse;
  std::set<Bytes> change_modes;
  for (std::size_t n = 0; n < fleet.size(); ++n) {
    RecordingChannel recording(fleet.channel(n));
    const Attempt attempt = run_attempt(stores, campaign, recording);
    expect_activated(attempt, 0x00020000, "SE " + std::to_string(n));
    EXPECT_EQ(attempt.assessment.status->active_sha256, campaign.package.image.datasend_sha256);
    EXPECT_EQ(active_version(fleet.channel(n), bc::ImageType::application), 0x00020000u);

    // What the SE received: SELECT + 5 GET DATA (identity), SELECT, PAUT[0..2], PSE, PAUT[3].
    const std::size_t pse_begin = 6 + 1 + 3;
    ASSERT_EQ(recording.sent.size(), pse_begin + campaign.pse.size() + 1);
    const std::vector<Bytes> pse(recording.sent.begin() + static_cast<std::ptrdiff_t>(pse_begin),
                                 recording.sent.end() - 1);
    if (!first_pse) first_pse = pse;
    EXPECT_EQ(pse, *first_pse) << "the PSE bytes must be identical for every SE (SE " << n << ")";
    change_modes.insert(recording.sent[pse_begin - 1]);
  }
  EXPECT_EQ(change_modes.size(), fleet.size()) << "each SE gets its own CHANGE MODE (its own session keys)";
}

INSTANTIATE_TEST_SUITE_P(ProfilesAndApduForms, BroadcastFleet,
                         ::testing::Values(FleetCase{bc::Profile::campaign_key, false, bc::kMaxShortChunk, 1500},
                                           FleetCase{bc::Profile::campaign_key, true, 4000, 9000},
                                           FleetCase{bc::Profile::platform_key, false, bc::kMaxShortChunk, 1500},
                                           FleetCase{bc::Profile::platform_key, true, 4000, 9000}),
                         [](const ::testing::TestParamInfo<FleetCase>& param_info) {
                           return std::string(param_info.param.profile == bc::Profile::campaign_key ? "Profile3"
                                                                                                    : "Profile4") +
                                  (param_info.param.extended ? "Extended" : "Short");
                         });

// Negative cases: each leaves the previous image active and working, and the same campaign then
// succeeds with a fresh PAUT.
class BroadcastRefusals : public ::testing::TestWithParam<bc::Profile> {
 protected:
  void SetUp() override {
    fleet = std::make_unique<sim::VirtualFleet>(fleet_config(2));
    const Campaign v1 = make_campaign(stores, GetParam(), 1, false);
    for (std::size_t n = 0; n < fleet->size(); ++n)
      expect_activated(run_attempt(stores, v1, fleet->channel(n)), 1, "v1");
    v2 = make_campaign(stores, GetParam(), 2, false, 1200);
  }

  transport::CardChannel& se(std::size_t n = 0) { return fleet->channel(n); }

  void expect_still_v1_then_retry_works(const std::string& where) {
    EXPECT_EQ(active_version(se(), bc::ImageType::application), 1u) << where << ": previous image must stay active";
    expect_activated(run_attempt(stores, v2, se()), 2, where + " (retry)");
  }

  KeyStores stores;
  std::unique_ptr<sim::VirtualFleet> fleet;
  Campaign v2;
};

TEST_P(BroadcastRefusals, FlippedBitInSeveralBlocks) {
  const std::size_t blocks = v2.pse.size() - 1;
  for (std::size_t block : {std::size_t{0}, blocks / 2, blocks - 1}) {
    const Attempt attempt = run_attempt(stores, v2, se(), bc::Action::verify_and_activate,
                                        [&](std::vector<Bytes>& pse, offcard::EncodedPaut&) { pse[block][9] ^= 0x04; });
    ASSERT_TRUE(attempt.report.failed_index.has_value());
    EXPECT_EQ(*attempt.report.failed_index, 3 + block);
    EXPECT_EQ(attempt.report.failed_sw, 0x6982);
    EXPECT_EQ(attempt.assessment.outcome, DeliveryOutcome::se_refused);
    EXPECT_EQ(active_version(se(), bc::ImageType::application), 1u);
  }
  expect_still_v1_then_retry_works("flipped bit");
}

TEST_P(BroadcastRefusals, TruncatedReorderedAndRepeatedPse) {
  const auto truncate = [](std::vector<Bytes>& pse, offcard::EncodedPaut&) { pse.resize(pse.size() - 2); };
  const auto reorder = [](std::vector<Bytes>& pse, offcard::EncodedPaut&) { std::swap(pse[1], pse[2]); };
  const auto repeat = [](std::vector<Bytes>& pse, offcard::EncodedPaut&) { pse.insert(pse.begin() + 1, pse[1]); };
  using Tamper = std::function<void(std::vector<Bytes>&, offcard::EncodedPaut&)>;
  for (const Tamper& tamper : {Tamper(truncate), Tamper(reorder), Tamper(repeat)}) {
    const Attempt attempt = run_attempt(stores, v2, se(), bc::Action::verify_and_activate, tamper);
    EXPECT_EQ(attempt.report.failed_sw, 0x6982);
    EXPECT_NE(attempt.assessment.outcome, DeliveryOutcome::activated);
    EXPECT_EQ(active_version(se(), bc::ImageType::application), 1u);
  }
  expect_still_v1_then_retry_works("truncated/reordered/repeated");
}

TEST_P(BroadcastRefusals, PautOfAnotherSeAndReplayedPaut) {
  // The PAUT computed for SE 1, delivered to SE 0.
  const auto request_1 = offcard::read_se_identity(se(1), gp::isd_aid());
  offcard::PautIssuer issuer(*stores.hsm, KeyRef::current("master"), v2.terms, KeyRef::current("campaign-kek"));
  const bc::Paut for_1 = issuer.issue(request_1, bc::Action::verify_and_activate);
  const auto report = offcard::deliver(se(0), gp::isd_aid(), encode(for_1), v2.pse);
  ASSERT_TRUE(report.failed_index.has_value());
  EXPECT_EQ(*report.failed_index, 1u);
  EXPECT_EQ(report.failed_sw, 0x6300);
  // ... and what the terminal reports is not believed as SE 1's answer either.
  EXPECT_EQ(offcard::assess_delivery(*stores.hsm, KeyRef::current("master"), request_1, for_1.check, report).outcome,
            DeliveryOutcome::not_authenticated);

  // A PAUT replayed after another session on the same SE.
  const auto request_0 = offcard::read_se_identity(se(0), gp::isd_aid());
  const bc::Paut for_0 = issuer.issue(request_0, bc::Action::verify_and_activate);
  const bc::Paut other = issuer.issue(request_0, bc::Action::verify_and_activate);
  ASSERT_EQ(offcard::deliver(se(0), gp::isd_aid(), encode(other), {}).failed_index, std::optional<std::size_t>(3));
  const auto replay = offcard::deliver(se(0), gp::isd_aid(), encode(for_0), v2.pse);
  EXPECT_EQ(replay.failed_index, std::optional<std::size_t>(1));
  EXPECT_EQ(replay.failed_sw, 0x6300);
  expect_still_v1_then_retry_works("foreign/replayed PAUT");
}

TEST_P(BroadcastRefusals, ChangeModeBackTwiceAbortsTheSession) {
  const Attempt attempt =
      run_attempt(stores, v2, se(), bc::Action::verify_and_activate,
                  [](std::vector<Bytes>& pse, offcard::EncodedPaut&) { pse.push_back(pse.back()); });
  // The second switch back arrives on the restored diversified context, whose C-MAC it does not carry.
  EXPECT_EQ(attempt.report.failed_sw, 0x6982);
  EXPECT_FALSE(attempt.report.reached_authorization());
  expect_still_v1_then_retry_works("CHANGE MODE back twice");
}

TEST_P(BroadcastRefusals, BadIntegrityCodeIsAuthenticatedMismatch) {
  Campaign forged = v2;
  forged.terms.integrity_code.back() ^= 0x01;
  const Attempt attempt = run_attempt(stores, forged, se());
  EXPECT_EQ(attempt.report.authorize_response->sw, 0x6300);
  EXPECT_EQ(attempt.assessment.outcome, DeliveryOutcome::integrity_mismatch) << attempt.assessment.reason;
  ASSERT_TRUE(attempt.assessment.status.has_value());
  EXPECT_EQ(attempt.assessment.status->result, bc::result::kIntegrityMismatch);
  EXPECT_EQ(attempt.assessment.status->active_version, 1u);
  expect_still_v1_then_retry_works("bad integrity code");
}

TEST_P(BroadcastRefusals, RollbackImageIsRefused) {
  const Campaign v1_again = make_campaign(stores, GetParam(), 1, false, 800);
  const Attempt attempt = run_attempt(stores, v1_again, se());
  EXPECT_EQ(attempt.assessment.outcome, DeliveryOutcome::manifest_refused) << attempt.assessment.reason;
  EXPECT_FALSE(offcard::outcome_allows_retry(attempt.assessment.outcome));
  expect_still_v1_then_retry_works("rollback");
}

TEST_P(BroadcastRefusals, ForgedStatusFromTheTerminalIsRejected) {
  const Attempt honest = run_attempt(stores, v2, se(1), bc::Action::verify_only);
  EXPECT_EQ(honest.assessment.outcome, DeliveryOutcome::verified_kept_staged) << honest.assessment.reason;
  // A terminal claims "activated" by editing the status object's result byte.
  offcard::DeliveryReport forged = honest.report;
  auto& data = forged.authorize_response->data;
  for (std::size_t at = 0; at < data.size(); ++at) {
    offcard::DeliveryReport copy = forged;
    copy.authorize_response->data[at] ^= 0x01;
    EXPECT_EQ(
        offcard::assess_delivery(*stores.hsm, KeyRef::current("master"), honest.request, honest.check, copy).outcome,
        DeliveryOutcome::not_authenticated)
        << "byte " << at;
  }
  // The staged image is activated by a later AUTHORIZE ACTION 01 with a fresh PAUT.
  EXPECT_EQ(active_version(se(1), bc::ImageType::application), 1u);
  expect_activated(run_attempt(stores, v2, se(1)), 2, "activation after verify-only");
}

INSTANTIATE_TEST_SUITE_P(Profiles, BroadcastRefusals,
                         ::testing::Values(bc::Profile::campaign_key, bc::Profile::platform_key),
                         [](const ::testing::TestParamInfo<bc::Profile>& param_info) {
                           return std::string(param_info.param == bc::Profile::campaign_key ? "Profile3" : "Profile4");
                         });

TEST(BroadcastWrongKos, Profile3RefusesChangeModeAndProfile4ReportsMismatch) {
  KeyStores stores;
  sim::VirtualFleet fleet(fleet_config(1, Bytes(16, 0xEE)));  // an SE personalized with another Kos
  const Attempt p3 = run_attempt(stores, make_campaign(stores, bc::Profile::campaign_key, 2, false), fleet.channel(0));
  EXPECT_EQ(p3.report.failed_index, std::optional<std::size_t>(2));
  EXPECT_EQ(p3.report.failed_sw, 0x6982);
  const Attempt p4 = run_attempt(stores, make_campaign(stores, bc::Profile::platform_key, 2, false), fleet.channel(0));
  EXPECT_EQ(p4.assessment.outcome, DeliveryOutcome::integrity_mismatch) << p4.assessment.reason;
  EXPECT_EQ(active_version(fleet.channel(0), bc::ImageType::application), 0u);
}

TEST(BroadcastInterruption, PowerLossMidStreamKeepsTheOldImageAndTheNextAttemptSucceeds) {
  KeyStores stores;
  sim::VirtualFleet fleet(fleet_config(1));
  const Campaign v1 = make_campaign(stores, bc::Profile::campaign_key, 1, false);
  expect_activated(run_attempt(stores, v1, fleet.channel(0)), 1, "v1");
  const Campaign v2 = make_campaign(stores, bc::Profile::campaign_key, 2, false, 3000);
  const Attempt cut = run_attempt(stores, v2, fleet.channel(0), bc::Action::verify_and_activate,
                                  [&](std::vector<Bytes>& pse, offcard::EncodedPaut&) { pse.resize(pse.size() / 2); });
  EXPECT_FALSE(cut.report.reached_authorization() && cut.assessment.outcome == DeliveryOutcome::activated);
  fleet.reopen(0);  // power loss: the broadcast context (RAM) is gone, the staging is incomplete
  EXPECT_EQ(active_version(fleet.channel(0), bc::ImageType::application), 1u);
  expect_activated(run_attempt(stores, v2, fleet.channel(0)), 2, "after power loss");
}

}  // namespace
}  // namespace sefleet

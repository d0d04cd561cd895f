// The design system (offcard/campaign/design_system.hpp): profile-3 packages decrypt back to DATASEND
// the way an SE would (SCP03 secure messaging resumed at C3/C4 under BK), the wrapped BK and code
// unwrap under Kos; profile-4 envelopes are the gp envelope byte for byte and the code is CMAC(Kmac);
// describe() and every refusal.
#include <gtest/gtest.h>

#include <set>

#include "campaign_design_fixture.hpp"
#include "core/hex.hpp"
#include "crypto/cmac.hpp"
#include "crypto/hash.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/image_envelope.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/campaign/campaign_package.hpp"

namespace sefleet::offcard::testing {
namespace {

namespace bc = gp::broadcast;

// Decrypts a PSE as the SE does after CHANGE MODE: BK installed, context resumed at C3/C4, level 03.
// Returns the concatenated plain WRITE BLOCK data; fails the test on any structural problem.
Bytes open_pse_like_an_se(const std::vector<Bytes>& pse, const bc::BroadcastKeys& bk,
                          const bc::BroadcastContextStart& start) {
  gp::SecureMessaging card(gp::SessionKeys{bk.enc, bk.mac, bk.mac}, gp::Scp03Mode::s8, bc::kBroadcastSecurityLevel);
  card.resume(start.counter, start.chaining_value);
  Bytes stream;
  for (std::size_t index = 0; index < pse.size(); ++index) {
    std::string reason;
    const auto plain = card.unwrap_command(iso7816::CommandApdu::parse(pse[index]), &reason);
    if (!plain) {
      ADD_FAILURE() << "command " << index << " does not unwrap: " << reason;
      return {};
    }
    if (index + 1 < pse.size()) {
      EXPECT_EQ(plain->ins, bc::kInsWriteBlock);
      EXPECT_EQ((std::size_t{plain->p1} << 8) | plain->p2, index);
      append(stream, plain->data);
    } else {
      EXPECT_EQ(plain->ins, bc::kInsChangeMode);
      EXPECT_EQ(plain->p1, bc::kChangeModeToDiversified);
      EXPECT_TRUE(plain->data.empty());
    }
  }
  return stream;
}

// A Random that hands out a given IV, to rebuild the envelope with gp::broadcast::seal_envelope.
class FixedRandom final : public crypto::Random {
 public:
  explicit FixedRandom(Bytes value) : value_(std::move(value)) {}
  void fill(MutableByteView out) override {
    ASSERT_EQ(out.size(), value_.size());
    std::copy(value_.begin(), value_.end(), out.begin());
  }

 private:
  Bytes value_;
};

struct P3Case {
  std::size_t body_size;
  std::size_t chunk;
  bool extended;
  std::size_t key_size;
};

class CampaignKeyProfile : public ::testing::TestWithParam<P3Case> {};

TEST_P(CampaignKeyProfile, PseDecryptsToDatasendAndCodeUnwrapsUnderKos) {
  const P3Case c = GetParam();
  auto store = platform_keystore();
  CampaignDesign design = make_design(bc::Profile::campaign_key, c.body_size, c.chunk, c.extended);
  design.broadcast_key_size = c.key_size;
  const CampaignPackage package = design_campaign(*store, design);
  const Bytes datasend = bc::encode_datasend(design.manifest, design.body);

  EXPECT_EQ(package.terms.profile, bc::Profile::campaign_key);
  EXPECT_EQ(package.terms.platform_key_version, 3);
  EXPECT_EQ(package.terms.total_length, datasend.size());
  EXPECT_EQ(package.image.manifest, design.manifest);
  EXPECT_EQ(package.image.datasend_size, datasend.size());
  EXPECT_EQ(package.image.datasend_sha256, crypto::sha256(datasend));
  EXPECT_EQ(package.chunk_size, c.chunk);
  EXPECT_EQ(package.extended, c.extended);
  EXPECT_TRUE(package.envelope.empty());
  ASSERT_EQ(package.pse.size(), bc::pse_block_count(datasend.size(), c.chunk) + 1);

  const bc::BroadcastKeys bk = bc::unwrap_broadcast_keys(test_kos(), package.terms.wrapped_broadcast_keys);
  EXPECT_EQ(bk.enc.size(), c.key_size);
  EXPECT_EQ(bk.mac.size(), c.key_size);
  EXPECT_FALSE(bk.enc == bk.mac);
  EXPECT_EQ(open_pse_like_an_se(package.pse, bk, package.terms.start), datasend);

  ASSERT_EQ(package.terms.integrity_code.size(), bc::kWrappedIntegrityCodeSize);
  const Bytes code = bc::unwrap_integrity_code(test_kos(), package.terms.integrity_code);
  EXPECT_TRUE(bc::integrity_code_matches(bk.mac.view(), datasend, code));
  const crypto::Mac16 expected = crypto::aes_cmac(bk.mac.view(), datasend);
  EXPECT_EQ(code, Bytes(expected.begin(), expected.end()));
}

INSTANTIATE_TEST_SUITE_P(Shapes, CampaignKeyProfile,
                         ::testing::Values(P3Case{600, 100, false, 16}, P3Case{600, 239, false, 32},
                                           P3Case{1, 1, false, 24}, P3Case{5000, 2000, true, 16},
                                           P3Case{300, bc::kMaxExtendedChunk, true, 16}));

TEST(DesignSystem, EveryCampaignGetsFreshKeysCountersAndIds) {
  auto store = platform_keystore();
  const CampaignDesign design = make_design(bc::Profile::campaign_key);
  const CampaignPackage a = design_campaign(*store, design);
  const CampaignPackage b = design_campaign(*store, design);
  EXPECT_NE(a.terms.campaign_id, b.terms.campaign_id);
  EXPECT_NE(a.terms.start.counter, b.terms.start.counter);
  EXPECT_NE(a.terms.start.chaining_value, b.terms.start.chaining_value);
  EXPECT_NE(a.terms.wrapped_broadcast_keys, b.terms.wrapped_broadcast_keys);
  EXPECT_NE(a.pse, b.pse);
  EXPECT_EQ(a.image, b.image);
}

TEST(DesignSystem, UsesTheGivenCampaignId) {
  auto store = platform_keystore();
  CampaignDesign design = make_design(bc::Profile::platform_key);
  bc::CampaignId id{};
  id.fill(0xC1);
  design.campaign_id = id;
  EXPECT_EQ(design_campaign(*store, design).terms.campaign_id, id);
  design.profile = bc::Profile::campaign_key;
  EXPECT_EQ(design_campaign(*store, design).terms.campaign_id, id);
}

TEST(DesignSystem, PlatformKeyEnvelopeIsTheGpEnvelopeAndCodeIsCmacKmac) {
  auto store = platform_keystore();
  for (const std::size_t body_size : {0u, 1u, 15u, 16u, 600u, 4096u}) {
    const CampaignDesign design = make_design(bc::Profile::platform_key, body_size, 239, false);
    const CampaignPackage package = design_campaign(*store, design);
    const Bytes datasend = bc::encode_datasend(design.manifest, design.body);

    ASSERT_EQ(package.envelope.size(), bc::envelope_size(datasend.size()));
    EXPECT_EQ(package.terms.total_length, package.envelope.size());
    EXPECT_EQ(bc::open_envelope(test_kos(), package.envelope).reveal(), datasend);
    FixedRandom same_iv(Bytes(package.envelope.begin(), package.envelope.begin() + bc::kEnvelopeIvSize));
    EXPECT_EQ(package.envelope, bc::seal_envelope(test_kos(), datasend, same_iv)) << "body " << body_size;

    const crypto::Mac16 code = crypto::aes_cmac(test_kmac(), datasend);
    EXPECT_EQ(package.terms.integrity_code, Bytes(code.begin(), code.end()));
    EXPECT_TRUE(package.terms.wrapped_broadcast_keys.empty()) << "the HSM generates BK in profile 4";
    EXPECT_TRUE(package.pse.empty());
    EXPECT_EQ(package.image.datasend_sha256, crypto::sha256(datasend));
    EXPECT_EQ(package.chunk_size, 239u);
  }
}

TEST(DesignSystem, TwoPlatformKeyCampaignsUseDifferentIvs) {
  auto store = platform_keystore();
  const CampaignDesign design = make_design(bc::Profile::platform_key);
  const CampaignPackage a = design_campaign(*store, design);
  const CampaignPackage b = design_campaign(*store, design);
  EXPECT_NE(Bytes(a.envelope.begin(), a.envelope.begin() + 16), Bytes(b.envelope.begin(), b.envelope.begin() + 16));
  EXPECT_EQ(a.terms.integrity_code, b.terms.integrity_code) << "the code depends on DATASEND and Kmac only";
}

TEST(DesignSystem, DescribeNamesEverythingAnOperatorChecks) {
  auto store = platform_keystore();
  const CampaignDesign design = make_design(bc::Profile::campaign_key, 600, 100);
  const CampaignPackage package = design_campaign(*store, design);
  const std::string text = describe(package);
  EXPECT_NE(text.find(to_hex(package.terms.campaign_id)), std::string::npos) << text;
  EXPECT_NE(text.find("campaign_key (3)"), std::string::npos) << text;
  EXPECT_NE(text.find("application version 131073 \"wallet-applet\""), std::string::npos) << text;
  EXPECT_NE(text.find("504C4154464F524D"), std::string::npos) << text;
  EXPECT_NE(text.find(to_hex(package.image.datasend_sha256)), std::string::npos) << text;
  EXPECT_NE(text.find(std::to_string(package.image.datasend_size) + " bytes"), std::string::npos) << text;
  const std::size_t blocks = package.pse.size() - 1;
  EXPECT_NE(text.find(std::to_string(blocks) + " WRITE BLOCK of 100 bytes, short APDUs"), std::string::npos) << text;

  const CampaignPackage p4 = design_campaign(*store, make_design(bc::Profile::platform_key, 600, 1000, true));
  const std::string text4 = describe(p4);
  EXPECT_NE(text4.find("platform_key (4)"), std::string::npos) << text4;
  EXPECT_NE(text4.find("Kos envelope"), std::string::npos) << text4;
  EXPECT_NE(text4.find("extended APDUs"), std::string::npos) << text4;
  EXPECT_NE(text4.find(std::to_string(p4.envelope.size()) + "-byte envelope"), std::string::npos) << text4;
}

TEST(DesignSystem, RefusesBadDesigns) {
  auto store = platform_keystore();
  CampaignDesign design = make_design(bc::Profile::campaign_key);
  design.broadcast_key_size = 20;
  expect_error(Errc::invalid_argument, "broadcast key size", [&] { design_campaign(*store, design); });

  for (const bc::Profile profile : {bc::Profile::campaign_key, bc::Profile::platform_key}) {
    design = make_design(profile);
    design.chunk_size = 0;
    expect_error(Errc::invalid_argument, "chunk size must be 1..239", [&] { design_campaign(*store, design); });
    design.chunk_size = 240;
    expect_error(Errc::invalid_argument, "chunk size must be 1..239", [&] { design_campaign(*store, design); });
    design.extended = true;
    design.chunk_size = bc::kMaxExtendedChunk + 1;
    expect_error(Errc::invalid_argument, "1..65280", [&] { design_campaign(*store, design); });

    design = make_design(profile, 70000, 1);  // more than 65 536 one-byte blocks
    expect_error(Errc::invalid_argument, "at most 65536", [&] { design_campaign(*store, design); });

    design = make_design(profile);
    design.manifest.name = std::string(65, 'x');
    expect_error(Errc::invalid_argument, "", [&] { design_campaign(*store, design); });

    design = make_design(profile);
    design.kos = KeyRef::current("no-such-key");
    EXPECT_THROW(design_campaign(*store, design), Error);
    design = make_design(profile);
    design.kos = KeyRef::current("kmac");  // mac usage only: neither wrap nor encrypt
    EXPECT_THROW(design_campaign(*store, design), Error);
  }
  design = make_design(bc::Profile::platform_key);
  design.kmac = KeyRef::current("kos");  // no mac usage
  EXPECT_THROW(design_campaign(*store, design), Error);

  design = make_design(bc::Profile::campaign_key);
  design.profile = static_cast<bc::Profile>(0x05);
  expect_error(Errc::invalid_argument, "unknown profile", [&] { design_campaign(*store, design); });
}

}  // namespace
}  // namespace sefleet::offcard::testing

// Spec §8 property 2 on the design system's outputs: a serialized campaign package (and the PSE and
// terms files cut from it) contains no secret in clear. Profile 3: neither BK-ENC, BK-MAC, Kos, Kmac,
// the plain integrity code nor any 16-byte run of the DATASEND body. Profile 4: neither Kos, Kmac nor
// any 16-byte run of the body. The test searches the bytes.
#include <gtest/gtest.h>

#include "campaign_design_fixture.hpp"
#include "crypto/cmac.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "offcard/campaign/package_format.hpp"

namespace sefleet::offcard::testing {
namespace {

namespace bc = gp::broadcast;

// Every 16-byte window of `secret` (at every offset), searched in `haystack`.
void expect_no_window_of(ByteView haystack, ByteView secret, const std::string& what) {
  for (std::size_t offset = 0; offset + 16 <= secret.size(); ++offset) {
    ASSERT_FALSE(contains(haystack, secret.subspan(offset, 16))) << what << " at offset " << offset << " in clear";
  }
}

std::vector<Bytes> files_of(const CampaignPackage& package) {
  std::vector<Bytes> files{serialize_campaign_package(package), serialize_campaign_terms(package.terms)};
  if (!package.pse.empty()) files.push_back(serialize_pse_file(PseFile{package.terms.campaign_id, package.pse}));
  return files;
}

TEST(CampaignSecrecy, CampaignKeyPackageHoldsNoSecretInClear) {
  auto store = platform_keystore();
  for (const bool extended : {false, true}) {
    for (const std::size_t key_size : {16u, 32u}) {
      CampaignDesign design = make_design(bc::Profile::campaign_key, 2000, extended ? 700 : 239, extended);
      design.broadcast_key_size = key_size;
      const CampaignPackage package = design_campaign(*store, design);
      const bc::BroadcastKeys bk = bc::unwrap_broadcast_keys(test_kos(), package.terms.wrapped_broadcast_keys);
      const Bytes code = bc::unwrap_integrity_code(test_kos(), package.terms.integrity_code);
      const Bytes datasend = bc::encode_datasend(design.manifest, design.body);
      const crypto::Mac16 kmac_code = crypto::aes_cmac(test_kmac(), datasend);
      for (const Bytes& file : files_of(package)) {
        expect_no_window_of(file, bk.enc.view(), "BK-ENC");
        expect_no_window_of(file, bk.mac.view(), "BK-MAC");
        expect_no_window_of(file, test_kos(), "Kos");
        expect_no_window_of(file, test_kmac(), "Kmac");
        expect_no_window_of(file, code, "the profile-3 integrity code");
        expect_no_window_of(file, kmac_code, "CMAC(Kmac, DATASEND)");
        expect_no_window_of(file, design.body, "the image body");
      }
    }
  }
}

TEST(CampaignSecrecy, PlatformKeyPackageHoldsNoSecretInClear) {
  auto store = platform_keystore();
  for (const std::size_t body_size : {16u, 2000u}) {
    const CampaignDesign design = make_design(bc::Profile::platform_key, body_size, 239, false);
    const CampaignPackage package = design_campaign(*store, design);
    for (const Bytes& file : files_of(package)) {
      expect_no_window_of(file, test_kos(), "Kos");
      expect_no_window_of(file, test_kmac(), "Kmac");
      expect_no_window_of(file, design.body, "the image body");
    }
  }
}

// The search itself can fail: a package whose envelope were the plain image would be caught.
TEST(CampaignSecrecy, TheSearchFindsAPlantedSecret) {
  auto store = platform_keystore();
  const CampaignDesign design = make_design(bc::Profile::platform_key, 64, 239, false);
  const Bytes file = serialize_campaign_package(design_campaign(*store, design));
  Bytes planted = file;
  std::copy(design.body.begin(), design.body.begin() + 16, planted.begin() + 200);
  EXPECT_TRUE(contains(planted, ByteView(design.body).first(16)));
  EXPECT_FALSE(contains(file, ByteView(design.body).first(16)));
}

}  // namespace
}  // namespace sefleet::offcard::testing

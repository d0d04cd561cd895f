// The SE cost profiles: the built-in files carry the published JCAlgTest figures, and the loader refuses every
// malformed profile with an error naming the field.
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sim/timing/cost_profile.hpp"
#include "sim/timing/embedded_profiles.hpp"
#include "support/temp_dir.hpp"
#include "support/vectors.hpp"

namespace sefleet::sim {
namespace {

using card::SeOperation;

nlohmann::json jcop4_document() {
  return nlohmann::json::parse(*find_embedded_profile("se", "jcop4"));
}

// Expects from_json to throw Error(code) whose message contains `needle`.
void expect_refused(const nlohmann::json& document, Errc code, const std::string& needle) {
  try {
    (void)SeCostProfile::from_json(document.dump());
    FAIL() << "accepted a profile that should name " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(TimingCostProfile, Jcop4CarriesTheJcAlgTestFigures) {
  const SeCostProfile profile = SeCostProfile::builtin("jcop4");
  EXPECT_EQ(profile.name(), "jcop4");
  EXPECT_EQ(profile.commit_capacity(), 5120u);
  EXPECT_EQ(profile.cost_ns(SeOperation::ecdsa_sign, 0), 32'000'000u);
  EXPECT_EQ(profile.cost_ns(SeOperation::ecdsa_verify, 0), 30'200'000u);
  EXPECT_EQ(profile.cost_ns(SeOperation::ec_keygen, 0), 26'800'000u);
  EXPECT_EQ(profile.cost_ns(SeOperation::ecdh, 0), 20'000'000u);
  EXPECT_EQ(profile.cost_ns(SeOperation::sha256, 256), 7'900'000u);
  EXPECT_EQ(profile.cost_ns(SeOperation::nvm_write_atomic, 256), 5'300'000u);
  EXPECT_EQ(profile.cost_ns(SeOperation::nvm_write_nonatomic, 256), 2'800'000u);
  // AES-CBC of 256 B is the JCAlgTest 1.9 ms plus the 3.2 ms setKey the facade pays per call.
  EXPECT_EQ(profile.cost_ns(SeOperation::aes_cbc, 256), 1'900'000u + 3'200'000u);
  EXPECT_GT(profile.cost_ns(SeOperation::apdu_dispatch, 0), 0u);
  EXPECT_GT(profile.cost_ns(SeOperation::transaction_commit, 0), 0u);
  // Every operation has its source.
  for (std::size_t i = 0; i < card::kSeOperationCount; ++i) {
    EXPECT_FALSE(profile.operation(static_cast<SeOperation>(i)).source.empty()) << i;
  }
}

TEST(TimingCostProfile, OlderChipIsSlowerWhereTheReferenceSaysSo) {
  const SeCostProfile older = SeCostProfile::builtin("older_chip");
  const SeCostProfile jcop4 = SeCostProfile::builtin("jcop4");
  EXPECT_EQ(older.commit_capacity(), 32767u);
  EXPECT_EQ(older.cost_ns(SeOperation::ecdsa_sign, 0), 56'300'000u);
  EXPECT_EQ(older.cost_ns(SeOperation::ec_keygen, 0), 156'300'000u);
  EXPECT_EQ(older.cost_ns(SeOperation::ecdh, 0), 55'100'000u);
  EXPECT_EQ(older.cost_ns(SeOperation::nvm_write_atomic, 256), 1'600'000u);
  for (SeOperation op :
       {SeOperation::ecdsa_sign, SeOperation::ecdsa_verify, SeOperation::ec_keygen, SeOperation::ecdh}) {
    EXPECT_GT(older.cost_ns(op, 0), jcop4.cost_ns(op, 0)) << card::se_operation_name(op);
  }
}

TEST(TimingCostProfile, CostIsFixedPlusPerByteRoundedToTheNanosecond) {
  const SeCostProfile profile = SeCostProfile::builtin("jcop4");
  const OperationCost& aes = profile.operation(SeOperation::aes_cbc);
  EXPECT_EQ(aes.per_byte_ps, 7'421'875u);  // 1.9 ms / 256 B
  EXPECT_EQ(aes.cost_ns(0), aes.fixed_ns);
  EXPECT_EQ(aes.cost_ns(1), aes.fixed_ns + 7'422u);  // 7421.875 ns rounds up
  EXPECT_EQ(aes.cost_ns(16), aes.fixed_ns + 118'750u);
  // Huge byte counts saturate instead of wrapping around to a small cost.
  EXPECT_EQ(aes.cost_ns(static_cast<std::size_t>(-1)), UINT64_MAX);
  // And the profile is a CostModel the virtual clock can use.
  card::VirtualClock clock(&profile);
  clock.charge(SeOperation::ecdsa_sign);
  clock.charge(SeOperation::sha256, 256);
  EXPECT_EQ(clock.now_ns(), 32'000'000u + 7'900'000u);
}

TEST(TimingCostProfile, BuiltinListAndEmbeddedBytesMatchTheRepositoryFiles) {
  EXPECT_EQ(list_builtin_se_profiles(), (std::vector<std::string>{"jcop4", "older_chip"}));
  for (const EmbeddedProfile& embedded : embedded_profiles()) {
    const std::string path =
        test::source_dir() + "/profiles/" + std::string(embedded.kind) + "/" + std::string(embedded.name) + ".json";
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << path;
    const std::string on_disk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(embedded.text, on_disk) << path << " changed since the last build";
  }
}

TEST(TimingCostProfile, UnknownBuiltinIsNotFoundAndListsTheNames) {
  try {
    (void)SeCostProfile::builtin("jcop5");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("jcop4, older_chip"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)SeCostProfile::load("no_such_profile_or_file"), Error);
}

TEST(TimingCostProfile, LoadTakesANameOrAFile) {
  EXPECT_EQ(SeCostProfile::load("older_chip").name(), "older_chip");
  test::TempDir dir;
  nlohmann::json document = jcop4_document();
  document["name"] = "custom";
  document["operations"]["ecdh"]["fixed_us"] = 12.5;
  const std::string path = (dir.path() / "custom.json").string();
  std::ofstream(path) << document.dump(2);
  const SeCostProfile custom = SeCostProfile::load(path);
  EXPECT_EQ(custom.name(), "custom");
  EXPECT_EQ(custom.cost_ns(SeOperation::ecdh, 0), 12'500u);
  EXPECT_THROW((void)SeCostProfile::from_file((dir.path() / "missing.json").string()), Error);
}

TEST(TimingCostProfile, RefusesMalformedProfilesNamingTheField) {
  expect_refused(nlohmann::json::parse("[1]"), Errc::invalid_argument, "object");
  try {
    (void)SeCostProfile::from_json("{not json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::parse_error);
  }

  nlohmann::json doc = jcop4_document();
  doc["kind"] = "link";
  expect_refused(doc, Errc::invalid_argument, "'kind'");

  doc = jcop4_document();
  doc["operations"]["ecdsa_sgn"] = doc["operations"]["ecdsa_sign"];
  expect_refused(doc, Errc::invalid_argument, "operations.ecdsa_sgn");

  doc = jcop4_document();
  doc["operations"].erase("ecdh");
  expect_refused(doc, Errc::invalid_argument, "operations.ecdh' is missing");

  doc = jcop4_document();
  doc["operations"]["ecdsa_sign"]["fixed_us"] = -1;
  expect_refused(doc, Errc::invalid_argument, "operations.ecdsa_sign.fixed_us");

  doc = jcop4_document();
  doc["operations"]["sha256"]["per_byte_us"] = "30";
  expect_refused(doc, Errc::invalid_argument, "operations.sha256.per_byte_us");

  doc = jcop4_document();
  doc["operations"]["sha256"].erase("per_byte_us");
  expect_refused(doc, Errc::invalid_argument, "operations.sha256.per_byte_us' is missing");

  doc = jcop4_document();
  doc["operations"]["sha256"]["per_byte_us"] = 1e12;
  expect_refused(doc, Errc::invalid_argument, "operations.sha256.per_byte_us");

  doc = jcop4_document();
  doc["operations"]["sha256"]["typo"] = 1;
  expect_refused(doc, Errc::invalid_argument, "operations.sha256.typo");

  doc = jcop4_document();
  doc["operations"]["sha256"].erase("source");
  expect_refused(doc, Errc::invalid_argument, "operations.sha256.source");

  doc = jcop4_document();
  doc["commit_capacity"] = 0;
  expect_refused(doc, Errc::invalid_argument, "commit_capacity");
  doc["commit_capacity"] = 40000;
  expect_refused(doc, Errc::invalid_argument, "commit_capacity");
  doc["commit_capacity"] = 5120.5;
  expect_refused(doc, Errc::invalid_argument, "commit_capacity");

  doc = jcop4_document();
  doc["name"] = "Bad Name";
  expect_refused(doc, Errc::invalid_argument, "'name'");

  doc = jcop4_document();
  doc["extra"] = true;
  expect_refused(doc, Errc::invalid_argument, "'extra'");

  doc = jcop4_document();
  doc["operations"] = nlohmann::json::array();
  expect_refused(doc, Errc::invalid_argument, "'operations'");
}

}  // namespace
}  // namespace sefleet::sim

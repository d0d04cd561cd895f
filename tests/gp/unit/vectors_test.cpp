// Every vector of tests/vectors/scp03.json and scp03_checkpoints.json must pass, and the counts per
// category are pinned so a vector that silently disappears (or a category nobody checks) fails here.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "gp/selftest/vector_check.hpp"
#include "support/vectors.hpp"

namespace sefleet::gp::selftest {
namespace {

TEST(Scp03Vectors, EveryVectorPasses) {
  const auto results = check_scp03_vectors(test::load_vectors("scp03.json"));
  std::map<std::string, int> per_category;
  for (const auto& result : results) {
    EXPECT_TRUE(result.passed) << result.category << " " << result.id << ": " << result.detail;
    ++per_category[result.category];
  }
  const std::map<std::string, int> expected{{"cmac", 12},
                                            {"kdf_generic", 14},
                                            {"kdf_scp03", 40},
                                            {"diversification_kdf3", 2},
                                            {"session_keys_kcv", 1},
                                            {"scp03_session", 11},
                                            {"kcv", 1},
                                            {"primitive_cdec_cmac", 1},
                                            {"primitive_rmac_renc", 1}};
  EXPECT_EQ(per_category, expected);
  EXPECT_EQ(results.size(), 83u);
}

TEST(Scp03Vectors, EveryCheckpointSessionPasses) {
  const auto results =
      check_scp03_checkpoints(test::load_vectors("scp03_checkpoints.json"), test::load_vectors("scp03.json"));
  EXPECT_EQ(results.size(), 10u);
  for (const auto& result : results) {
    EXPECT_TRUE(result.passed) << result.id << ": " << result.detail;
  }
}

TEST(Scp03Vectors, TheS16TraceIsReportedAsNonMinimalPadding) {
  // The Samsung emulator pads one response non-minimally; the check must say so rather than hide it.
  const auto results = check_scp03_vectors(test::load_vectors("scp03.json"));
  bool found = false;
  for (const auto& result : results) {
    if (result.id == "samsung-openscp-scp03-aes128-s16") {
      found = true;
      EXPECT_NE(result.detail.find("non-minimal"), std::string::npos) << result.detail;
      EXPECT_NE(result.detail.find("not derivable"), std::string::npos) << result.detail;
    }
  }
  EXPECT_TRUE(found);
}

TEST(Scp03Vectors, ACorruptedVectorFails) {
  auto vectors = test::load_vectors("scp03.json");
  for (auto& vector : vectors.at("vectors")) {
    if (vector.at("category") == "scp03_session") {
      auto& wrapped = vector.at("steps")[0].at("wrapped");
      std::string text = wrapped.get<std::string>();
      text[text.size() - 4] = text[text.size() - 4] == '0' ? '1' : '0';
      wrapped = text;
      break;
    }
  }
  vectors.at("vectors").push_back({{"id", "x"}, {"category", "no_such_category"}});
  const auto results = check_scp03_vectors(vectors);
  int failed = 0;
  for (const auto& result : results) failed += result.passed ? 0 : 1;
  EXPECT_EQ(failed, 2);
}

}  // namespace
}  // namespace sefleet::gp::selftest

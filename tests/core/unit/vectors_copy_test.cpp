// The repository's vectors are complete (every SCP03 vector names its public source and has inputs
// and an expected value; the checkpoint file has sessions), and a vectors directory given through
// SEFLEET_VECTORS_DIR holds the same files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/vectors.hpp"

namespace sefleet {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(VectorsCopy, EveryVectorNamesItsSourceInputsAndExpectedValue) {
  const std::filesystem::path copy = std::filesystem::path(test::source_dir()) / "tests" / "vectors";
  const auto scp03 = nlohmann::json::parse(read_all(copy / "scp03.json"));
  ASSERT_GT(scp03.at("vectors").size(), 50u);
  for (const auto& vector : scp03.at("vectors")) {
    for (const char* field : {"id", "category", "source", "inputs", "expected"}) {
      EXPECT_TRUE(vector.contains(field)) << vector.value("id", "?") << " has no " << field;
    }
    EXPECT_TRUE(vector.contains("source") && !vector.at("source").empty()) << vector.value("id", "?");
  }
  EXPECT_FALSE(nlohmann::json::parse(read_all(copy / "scp03_checkpoints.json")).at("sessions").empty());
  EXPECT_TRUE(nlohmann::json::parse(read_all(copy / "scp11.json")).is_object());
}

TEST(VectorsCopy, RepositoryCopyMatchesTheVectorsInUse) {
  const std::filesystem::path copy = std::filesystem::path(test::source_dir()) / "tests" / "vectors";
  const std::filesystem::path used = test::vectors_dir();
  for (const char* name : {"scp03.json", "scp03_checkpoints.json", "scp11.json"}) {
    ASSERT_TRUE(std::filesystem::exists(copy / name)) << (copy / name);
    ASSERT_TRUE(std::filesystem::exists(used / name)) << (used / name);
    EXPECT_EQ(read_all(copy / name), read_all(used / name)) << name << " differs between " << copy << " and " << used;
  }
}

}  // namespace
}  // namespace sefleet

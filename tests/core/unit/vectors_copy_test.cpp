// The repository's copy of the shared vectors must be identical to the shared originals.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/vectors.hpp"

namespace sefleet {
namespace {

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
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

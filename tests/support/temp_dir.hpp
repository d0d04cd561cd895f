// A fresh temporary directory per test, removed with its contents afterwards.
#pragma once

#include <filesystem>

namespace sefleet::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace sefleet::test

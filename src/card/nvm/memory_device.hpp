// NvmDevice over RAM, for cards that need no persistence across processes: the fuzzer, benchmarks and
// simulations. The medium is shared, so a test can "reopen" the store on the same bytes after a
// simulated power loss (wrap it in a TearingDevice), exactly as with a file. sync() is a no-op but
// counted, so fsync budgets can be checked without a disk.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "card/nvm/medium_pool.hpp"
#include "card/nvm/nvm_device.hpp"

namespace sefleet::card::nvm {

class MemoryDevice final : public NvmDevice {
 public:
  using Medium = std::shared_ptr<Bytes>;

  // A device on a fresh, empty medium.
  explicit MemoryDevice(std::string name = "memory");
  // A device on an existing medium (its bytes are shared, not copied). With a `pool`, a medium that
  // outgrows its buffer beyond a sixteenth of the pool's size moves into one of the pool's (when that
  // is large enough), and a medium that a truncate leaves at most half full moves into a buffer of
  // its own size and hands the large one back (MediumPool); the bytes it holds are the same either way.
  MemoryDevice(Medium medium, std::string name = "memory", std::shared_ptr<MediumPool> pool = nullptr);

  void read(std::uint64_t offset, MutableByteView out) override;
  void write(std::uint64_t offset, ByteView data) override;
  void write_gather(std::uint64_t offset, std::span<const ByteView> pieces) override;
  void sync() override { ++syncs_; }
  std::uint64_t size() override { return medium_->size(); }
  void truncate(std::uint64_t size) override;
  const std::string& name() const override { return name_; }

  const Medium& medium() const noexcept { return medium_; }
  std::uint64_t syncs() const noexcept { return syncs_; }

 private:
  Medium medium_;
  std::string name_;
  std::shared_ptr<MediumPool> pool_;
  std::uint64_t syncs_ = 0;
};

}  // namespace sefleet::card::nvm

// A device wrapper that cuts power at the Nth physical write, for tests (the API behind `--tear-at N`).
// Physical writes are write() and truncate() calls, counted from 1. At the chosen one only the first
// `keep_bytes` bytes of the write reach the medium (none of a truncate), PowerLoss is thrown, and every
// later operation throws PowerLoss too, as a machine without power would do nothing more.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "card/nvm/nvm_device.hpp"

namespace sefleet::card::nvm {

class PowerLoss : public std::runtime_error {
 public:
  explicit PowerLoss(const std::string& what) : std::runtime_error(what) {}
};

class TearingDevice final : public NvmDevice {
 public:
  // tear_at == 0 never tears: the wrapper then only counts (to learn how many writes an operation makes).
  TearingDevice(std::unique_ptr<NvmDevice> inner, std::uint64_t tear_at, std::size_t keep_bytes = 0);

  void read(std::uint64_t offset, MutableByteView out) override;
  void write(std::uint64_t offset, ByteView data) override;
  // One physical write, torn like write() (the first keep_bytes of the concatenation reach the medium).
  void write_gather(std::uint64_t offset, std::span<const ByteView> pieces) override;
  void sync() override;
  std::uint64_t size() override;
  void truncate(std::uint64_t size) override;
  const std::string& name() const override { return inner_->name(); }

  std::uint64_t physical_writes() const noexcept { return writes_; }
  std::uint64_t syncs() const noexcept { return syncs_; }
  bool powered_off() const noexcept { return powered_off_; }

 private:
  void require_power() const;
  bool tears_now();

  std::unique_ptr<NvmDevice> inner_;
  std::uint64_t tear_at_;
  std::size_t keep_bytes_;
  std::uint64_t writes_ = 0;
  std::uint64_t syncs_ = 0;
  bool powered_off_ = false;
};

}  // namespace sefleet::card::nvm

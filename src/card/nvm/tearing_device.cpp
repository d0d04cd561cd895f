#include "card/nvm/tearing_device.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace sefleet::card::nvm {

TearingDevice::TearingDevice(std::unique_ptr<NvmDevice> inner, std::uint64_t tear_at, std::size_t keep_bytes)
    : inner_(std::move(inner)), tear_at_(tear_at), keep_bytes_(keep_bytes) {}

void TearingDevice::require_power() const {
  if (powered_off_) throw PowerLoss("power is off on " + inner_->name());
}

bool TearingDevice::tears_now() {
  ++writes_;
  if (tear_at_ == 0 || writes_ != tear_at_) return false;
  powered_off_ = true;
  return true;
}

void TearingDevice::read(std::uint64_t offset, MutableByteView out) {
  require_power();
  inner_->read(offset, out);
}

void TearingDevice::write(std::uint64_t offset, ByteView data) {
  require_power();
  if (tears_now()) {
    const std::size_t kept = std::min(keep_bytes_, data.size());
    if (kept > 0) inner_->write(offset, data.first(kept));
    throw PowerLoss("power cut at physical write " + std::to_string(writes_) + " (" + std::to_string(kept) + " of " +
                    std::to_string(data.size()) + " bytes written)");
  }
  inner_->write(offset, data);
}

void TearingDevice::write_gather(std::uint64_t offset, std::span<const ByteView> pieces) {
  require_power();
  if (tears_now()) {
    std::vector<ByteView> kept;
    std::size_t budget = keep_bytes_, total = 0;
    for (const ByteView piece : pieces) {
      total += piece.size();
      if (budget == 0) continue;
      kept.push_back(piece.first(std::min(budget, piece.size())));
      budget -= kept.back().size();
    }
    const std::size_t written = keep_bytes_ - budget;
    if (written > 0) inner_->write_gather(offset, kept);
    throw PowerLoss("power cut at physical write " + std::to_string(writes_) + " (" + std::to_string(written) + " of " +
                    std::to_string(total) + " bytes written)");
  }
  inner_->write_gather(offset, pieces);
}

void TearingDevice::sync() {
  require_power();
  ++syncs_;
  inner_->sync();
}

std::uint64_t TearingDevice::size() {
  require_power();
  return inner_->size();
}

void TearingDevice::truncate(std::uint64_t size) {
  require_power();
  if (tears_now()) throw PowerLoss("power cut at physical write " + std::to_string(writes_) + " (truncate lost)");
  inner_->truncate(size);
}

}  // namespace sefleet::card::nvm

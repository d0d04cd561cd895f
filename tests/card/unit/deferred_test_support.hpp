// A personalized virtual card on an in-memory medium with the DeferredCounterApplet installed, for
// the deferred_* tests (reopen on the same bytes after a power loss, tear at a chosen write).
#pragma once

#include <memory>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "card/state/card_state.hpp"
#include "card/unit/deferred_counter_applet.hpp"
#include "card/unit/isd_test_support.hpp"
#include "card/virtual_card.hpp"
#include "core/hex.hpp"

namespace sefleet::card::test {

inline const Bytes kCounterAid = from_hex("A0000000DE000101");

// Every operation costs `per_op_ns` plus 1 ns per byte: virtual time moves, deterministically.
class FlatCostModel final : public CostModel {
 public:
  explicit FlatCostModel(std::uint64_t per_op_ns = 1000) : per_op_ns_(per_op_ns) {}
  std::uint64_t cost_ns(SeOperation op, std::size_t bytes) const override {
    return per_op_ns_ * (static_cast<std::uint64_t>(op) + 1) + bytes;
  }

 private:
  std::uint64_t per_op_ns_;
};

inline nvm::MemoryDevice::Medium personalized_medium() {
  auto device = std::make_unique<nvm::MemoryDevice>();
  auto medium = device->medium();
  nvm::NvmStore::format(*device);
  nvm::NvmStore store(std::move(device));
  CardState::personalize(store, test_profile());
  return medium;
}

inline nvm::MemoryDevice::Medium copy_medium(const nvm::MemoryDevice::Medium& medium) {
  return std::make_shared<Bytes>(*medium);
}

struct CounterCard {
  VirtualCard card;
  DeferredCounterApplet* applet;

  static CounterCard open(const nvm::MemoryDevice::Medium& medium, const VirtualCardOptions& options = {}) {
    VirtualCard card = VirtualCard::open(std::make_unique<nvm::MemoryDevice>(medium), options);
    auto applet = std::make_unique<DeferredCounterApplet>();
    DeferredCounterApplet* raw = applet.get();
    RegistryEntry entry;
    entry.kind = RegistryEntry::Kind::application;
    entry.aid = kCounterAid;
    entry.associated_sd_aid = test_profile().isd_aid;
    card.runtime().install_applet(std::move(entry), std::move(applet));
    return CounterCard{std::move(card), raw};
  }

  Runtime& runtime() { return card.runtime(); }
};

inline iso7816::CommandApdu counter_command(std::uint8_t ins, std::optional<std::size_t> ne = 256) {
  return iso7816::CommandApdu(0x80, ins, 0x00, 0x00, {}, ne);
}

inline iso7816::CommandApdu select_counter() {
  return iso7816::CommandApdu(0x00, 0xA4, 0x04, 0x00, kCounterAid, 256);
}

inline std::uint32_t be32(ByteView b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) | b[3];
}

}  // namespace sefleet::card::test

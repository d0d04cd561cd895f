#include "card/runtime/applet_registry.hpp"

#include <algorithm>
#include <string>

#include "card/nvm/tearing_device.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/log.hpp"

namespace sefleet::card {

bool RegistryEntry::is_selectable() const noexcept {
  if (is_load_file()) return false;
  // The ISD's life cycle is the card's (OP_READY 01 ... CARD_LOCKED 7F, TERMINATED FF), whose codes
  // are not application codes (FF has the LOCKED bit): the ISD stays selectable in every state, because
  // even a TERMINATED card must answer GET DATA through it (GP §5.1.1). What each card state allows is
  // the card's life cycle rule (Runtime's selection gate and the ISD itself).
  if (kind == Kind::issuer_security_domain) return true;
  if (is_locked()) return false;
  // Applications and SDs: SELECTABLE and every later state code b3..b1 = 111 (GP §11.1.1).
  return (life_cycle & app_life_cycle::kSelectable) == app_life_cycle::kSelectable;
}

RegistryEntry& AppletRegistry::add(RegistryEntry entry) {
  if (entry.aid.size() < 5 || entry.aid.size() > 16) {
    throw Error(Errc::invalid_argument, "registry: AID must be 5..16 bytes, got " + std::to_string(entry.aid.size()));
  }
  if (entry.privileges.size() != 3) {
    throw Error(Errc::invalid_argument, "registry: privileges must be 3 bytes for AID " + to_hex(entry.aid));
  }
  if (find(entry.aid) != nullptr) {
    throw Error(Errc::invalid_argument, "registry: AID " + to_hex(entry.aid) + " is already registered");
  }
  return entries_.emplace_back(std::move(entry));
}

RegistryEntry* AppletRegistry::find(ByteView aid) {
  for (auto& entry : entries_) {
    if (std::ranges::equal(entry.aid, aid)) return &entry;
  }
  return nullptr;
}

const RegistryEntry* AppletRegistry::find(ByteView aid) const {
  return const_cast<AppletRegistry*>(this)->find(aid);
}

const RegistryEntry* AppletRegistry::match(ByteView partial_aid, const RegistryEntry* after) const {
  bool past_after = after == nullptr;
  for (const auto& entry : entries_) {
    if (!past_after) {
      past_after = &entry == after;
      continue;
    }
    if (entry.is_load_file() || !entry.is_selectable()) continue;
    if (partial_aid.size() > entry.aid.size()) continue;
    if (std::equal(partial_aid.begin(), partial_aid.end(), entry.aid.begin())) return &entry;
  }
  return nullptr;
}

const RegistryEntry* AppletRegistry::issuer_security_domain() const {
  for (const auto& entry : entries_) {
    if (entry.kind == RegistryEntry::Kind::issuer_security_domain) return &entry;
  }
  return nullptr;
}

bool AppletRegistry::change_life_cycle(ByteView aid, std::uint8_t life_cycle) {
  RegistryEntry* entry = find(aid);
  if (entry == nullptr || !life_cycle_recorder_) return false;
  try {
    life_cycle_recorder_(*entry, life_cycle);
  } catch (const nvm::PowerLoss&) {
    throw;  // the card stops here; the entry keeps the state the store kept
  } catch (const std::exception& e) {
    spdlog::warn("registry: life cycle {:02X} of {} not recorded: {}", life_cycle, to_hex(aid), e.what());
    return false;
  }
  entry->life_cycle = life_cycle;
  return true;
}

}  // namespace sefleet::card

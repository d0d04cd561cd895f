#include "card/state/nvm_key_registry.hpp"

#include "gp/card_life_cycle.hpp"

namespace sefleet::card {

const gp::StaticKeySet* NvmKeyRegistry::find(std::uint8_t kvn) const {
  if (state_.life_cycle() == gp::card_life_cycle::kTerminated) return nullptr;
  const StoredKeySet* set = state_.find_key_set(kvn);
  return set == nullptr ? nullptr : &set->keys;
}

std::optional<std::uint32_t> NvmKeyRegistry::next_sequence_counter(std::uint8_t kvn) {
  if (state_.life_cycle() == gp::card_life_cycle::kTerminated) return std::nullopt;
  return state_.next_sequence_counter(kvn);
}

}  // namespace sefleet::card

// The SCP03 card role's key storage on the virtual SE: the key sets of CardState, whose sequence
// counters are incremented in a committed NvmStore transaction before the value is returned.
// A TERMINATED card has no usable keys (GP §5.1.1.5: only SELECT and GET DATA are answered), so
// INITIALIZE UPDATE, which the runtime hands to the channel's SCP03 session before the ISD sees it,
// finds no key set (6A88) and never touches the counter.
#pragma once

#include "card/state/card_state.hpp"
#include "gp/card_key_registry.hpp"

namespace sefleet::card {

class NvmKeyRegistry final : public gp::CardKeyRegistry {
 public:
  explicit NvmKeyRegistry(CardState& state) : state_(state) {}

  const gp::StaticKeySet* find(std::uint8_t kvn) const override;
  // Durable before it returns; nullopt for an unknown set or a counter at FFFFFF.
  std::optional<std::uint32_t> next_sequence_counter(std::uint8_t kvn) override;

 private:
  CardState& state_;
};

}  // namespace sefleet::card

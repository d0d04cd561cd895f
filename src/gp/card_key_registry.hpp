// What the card role of SCP03 needs from the card's key storage: the key sets by version and the
// per-key-set sequence counter. The virtual SE implements it over its persistent store;
// InMemoryKeyRegistry serves tests, benchmarks and tools.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "gp/static_keys.hpp"

namespace sefleet::gp {

class CardKeyRegistry {
 public:
  virtual ~CardKeyRegistry() = default;
  // The key set with `kvn`, or for kvn 00 the card's default (first available) one; nullptr if none.
  virtual const StaticKeySet* find(std::uint8_t kvn) const = 0;
  // Increments the sequence counter of key set `kvn` durably and returns the new value; nullopt when
  // it is already at FFFFFF (the counter never wraps). Called before the challenge is derived.
  virtual std::optional<std::uint32_t> next_sequence_counter(std::uint8_t kvn) = 0;
};

class InMemoryKeyRegistry final : public CardKeyRegistry {
 public:
  // Adds or replaces a whole key set; its sequence counter starts at `sequence_counter` (0 for a new set).
  void put(StaticKeySet keys, std::uint32_t sequence_counter = 0);
  const StaticKeySet* find(std::uint8_t kvn) const override;
  std::optional<std::uint32_t> next_sequence_counter(std::uint8_t kvn) override;
  std::uint32_t sequence_counter(std::uint8_t kvn) const;

 private:
  struct Entry {
    StaticKeySet keys;
    std::uint32_t counter = 0;
  };
  std::map<std::uint8_t, Entry> sets_;  // ordered: the default is the lowest KVN
};

}  // namespace sefleet::gp

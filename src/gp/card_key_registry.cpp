#include "gp/card_key_registry.hpp"

#include <utility>

#include "core/error.hpp"
#include "gp/scp03_types.hpp"

namespace sefleet::gp {

void InMemoryKeyRegistry::put(StaticKeySet keys, std::uint32_t sequence_counter) {
  keys.validate();
  if (keys.kvn == 0) throw Error(Errc::invalid_argument, "key registry: a stored key set needs a KVN of 01..7F");
  if (sequence_counter > kMaxSequenceCounter)
    throw Error(Errc::invalid_argument, "key registry: counter exceeds FFFFFF");
  const std::uint8_t kvn = keys.kvn;
  sets_.insert_or_assign(kvn, Entry{std::move(keys), sequence_counter});
}

const StaticKeySet* InMemoryKeyRegistry::find(std::uint8_t kvn) const {
  if (kvn == 0) return sets_.empty() ? nullptr : &sets_.begin()->second.keys;
  const auto it = sets_.find(kvn);
  return it == sets_.end() ? nullptr : &it->second.keys;
}

std::optional<std::uint32_t> InMemoryKeyRegistry::next_sequence_counter(std::uint8_t kvn) {
  auto it = kvn == 0 ? sets_.begin() : sets_.find(kvn);
  if (it == sets_.end()) return std::nullopt;
  if (it->second.counter >= kMaxSequenceCounter) return std::nullopt;
  return ++it->second.counter;
}

std::uint32_t InMemoryKeyRegistry::sequence_counter(std::uint8_t kvn) const {
  const auto it = kvn == 0 ? sets_.begin() : sets_.find(kvn);
  if (it == sets_.end()) throw Error(Errc::not_found, "key registry: no key set with that KVN");
  return it->second.counter;
}

}  // namespace sefleet::gp

// SE certificate chains that verified under a card CA key, remembered by their exact bytes so that an
// SE opening several online sessions has its chain's signatures checked once. Sound because whether a
// chain verifies, and the leaf key it certifies, are a pure function of the chain's bytes and the CA
// key: an entry is found only for the same bytes under the same CA key, and a chain that did not
// verify is never stored (it is checked again each time, and refused each time).
//
// Bounded: past `capacity` entries the oldest is dropped. Thread-safe (one server, many sessions).
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/bytes.hpp"

namespace sefleet::offcard {

class VerifiedChainCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 16384;

  explicit VerifiedChainCache(std::size_t capacity = kDefaultCapacity);

  // The leaf key remembered for exactly these chain bytes under exactly this CA point, if any.
  std::optional<Bytes> find(ByteView ca_point, ByteView certificates) const;
  // Records that `certificates` verified under `ca_point`, certifying `leaf_key`.
  void remember(ByteView ca_point, ByteView certificates, ByteView leaf_key);
  std::size_t size() const;

 private:
  static std::string key_of(ByteView ca_point, ByteView certificates);

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bytes> leaf_keys_;
  std::deque<std::string> insertion_order_;  // oldest first, for eviction
};

}  // namespace sefleet::offcard

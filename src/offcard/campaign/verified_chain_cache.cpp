#include "offcard/campaign/verified_chain_cache.hpp"

#include <cstdint>

namespace sefleet::offcard {

VerifiedChainCache::VerifiedChainCache(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

// The CA point's length first, so that no (CA point, chain) pair shares its key with another.
std::string VerifiedChainCache::key_of(ByteView ca_point, ByteView certificates) {
  std::string key;
  key.reserve(2 + ca_point.size() + certificates.size());
  key.push_back(static_cast<char>(ca_point.size() >> 8));
  key.push_back(static_cast<char>(ca_point.size() & 0xFF));
  key.append(reinterpret_cast<const char*>(ca_point.data()), ca_point.size());
  key.append(reinterpret_cast<const char*>(certificates.data()), certificates.size());
  return key;
}

std::optional<Bytes> VerifiedChainCache::find(ByteView ca_point, ByteView certificates) const {
  const std::string key = key_of(ca_point, certificates);
  std::lock_guard lock(mutex_);
  const auto it = leaf_keys_.find(key);
  if (it == leaf_keys_.end()) return std::nullopt;
  return it->second;
}

void VerifiedChainCache::remember(ByteView ca_point, ByteView certificates, ByteView leaf_key) {
  std::string key = key_of(ca_point, certificates);
  std::lock_guard lock(mutex_);
  if (leaf_keys_.count(key) != 0) return;
  while (leaf_keys_.size() >= capacity_) {
    leaf_keys_.erase(insertion_order_.front());
    insertion_order_.pop_front();
  }
  leaf_keys_.emplace(key, Bytes(leaf_key.begin(), leaf_key.end()));
  insertion_order_.push_back(std::move(key));
}

std::size_t VerifiedChainCache::size() const {
  std::lock_guard lock(mutex_);
  return leaf_keys_.size();
}

}  // namespace sefleet::offcard

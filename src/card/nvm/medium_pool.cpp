#include "card/nvm/medium_pool.hpp"

#include <utility>

namespace sefleet::card::nvm {

MediumPool::MediumPool(std::size_t buffer_capacity, std::size_t max_buffers)
    : buffer_capacity_(buffer_capacity), max_buffers_(max_buffers) {}

Bytes MediumPool::take() {
  {
    const std::lock_guard lock(mutex_);
    if (!buffers_.empty()) {
      Bytes buffer = std::move(buffers_.back());
      buffers_.pop_back();
      ++reused_;
      return buffer;
    }
  }
  Bytes buffer;
  buffer.reserve(buffer_capacity_);
  return buffer;
}

void MediumPool::give(Bytes&& buffer) {
  if (buffer.capacity() < buffer_capacity_) return;  // freed with `buffer`'s owner
  buffer.clear();
  Bytes kept = std::move(buffer);
  const std::lock_guard lock(mutex_);
  if (buffers_.size() < max_buffers_) buffers_.push_back(std::move(kept));
}

std::uint64_t MediumPool::reused() const {
  const std::lock_guard lock(mutex_);
  return reused_;
}

std::size_t MediumPool::waiting() const {
  const std::lock_guard lock(mutex_);
  return buffers_.size();
}

}  // namespace sefleet::card::nvm

// Large buffers for RAM media (MemoryDevice), handed back when a medium shrinks and handed out when
// one grows. A simulated fleet updates its SEs one after the other: each medium grows to a peak while
// its journal holds the staged image, then shrinks to the compacted state. Without reuse every SE
// writes its peak into pages the process has never touched, and the kernel maps and zeroes each of
// them on the first write; with the pool the next SE writes into the pages the previous one left.
// Thread-safe: the media of a fleet are written from several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card::nvm {

class MediumPool {
 public:
  // Buffers of `buffer_capacity` bytes; at most `max_buffers` are kept waiting (more are freed).
  explicit MediumPool(std::size_t buffer_capacity, std::size_t max_buffers = 16);
  MediumPool(const MediumPool&) = delete;
  MediumPool& operator=(const MediumPool&) = delete;

  std::size_t buffer_capacity() const noexcept { return buffer_capacity_; }
  // An empty buffer with at least buffer_capacity() bytes of capacity: one handed back earlier when
  // there is one, else a new one.
  Bytes take();
  // Keeps `buffer` (emptied, its capacity kept) for a later take() when it is large enough and the
  // pool is not full; otherwise frees it.
  void give(Bytes&& buffer);

  std::uint64_t reused() const;  // take() calls served by a buffer handed back
  std::size_t waiting() const;   // buffers kept now

 private:
  const std::size_t buffer_capacity_;
  const std::size_t max_buffers_;
  mutable std::mutex mutex_;
  std::vector<Bytes> buffers_;
  std::uint64_t reused_ = 0;
};

}  // namespace sefleet::card::nvm

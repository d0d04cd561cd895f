#include "offcard/keystore/random_pool.hpp"

#include <pthread.h>

#include <algorithm>
#include <atomic>

#include "crypto/random.hpp"

namespace sefleet::offcard {
namespace {

// Incremented in every child process right after fork(): a pool filled under another generation
// belongs to the parent and must not be used.
std::atomic<std::uint64_t> g_fork_generation{0};

void on_fork_child() {
  g_fork_generation.fetch_add(1, std::memory_order_relaxed);
}

void register_fork_handler() {
  static std::once_flag once;
  std::call_once(once, [] { ::pthread_atfork(nullptr, nullptr, on_fork_child); });
}

}  // namespace

RandomPool::RandomPool() : pool_(kBlock) {
  register_fork_handler();
}

Bytes RandomPool::bytes(std::size_t count) {
  if (count > kBlock / 4) return crypto::system_random().bytes(count);
  std::lock_guard lock(mutex_);
  const std::uint64_t generation = g_fork_generation.load(std::memory_order_relaxed);
  if (generation != fork_generation_) {
    secure_zero(pool_.data(), pool_.size());
    used_ = kBlock;
    fork_generation_ = generation;
  }
  if (kBlock - used_ < count) {
    crypto::system_random().fill(pool_.mutable_view());
    used_ = 0;
  }
  std::uint8_t* const start = pool_.data() + used_;
  Bytes out(start, start + count);
  secure_zero(start, count);
  used_ += count;
  return out;
}

}  // namespace sefleet::offcard

// A bounded pool of database connections shared by threads. Connections are created lazily up to the
// limit; a caller waits when all are lent out. A connection returned as broken is dropped, so the next
// acquire opens a fresh one (this is how the backends recover after the server comes back).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace sefleet::offcard::db {

template <typename Connection>
class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;

  ConnectionPool(std::size_t limit, Factory factory) : limit_(limit == 0 ? 1 : limit), factory_(std::move(factory)) {}

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Lends a connection; the factory runs outside the lock (connecting may take time and throw).
  std::unique_ptr<Connection> acquire() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || lent_ < limit_; });
    ++lent_;
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    lock.unlock();
    try {
      return factory_();
    } catch (...) {
      give_back(nullptr);
      throw;
    }
  }

  // Returns a lent connection; nullptr (or a broken one the caller chose to drop) frees its slot.
  void give_back(std::unique_ptr<Connection> connection) {
    {
      std::lock_guard lock(mutex_);
      --lent_;
      if (connection) idle_.push_back(std::move(connection));
    }
    available_.notify_one();
  }

  std::size_t limit() const { return limit_; }

 private:
  const std::size_t limit_;
  Factory factory_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t lent_ = 0;
};

}  // namespace sefleet::offcard::db

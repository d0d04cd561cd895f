// A stop request that long-running transport loops (vpcd card link, TCP card server) watch while they
// wait on sockets. request() is async-signal-safe, so a SIGINT/SIGTERM handler may call it.
#pragma once

#include <atomic>

namespace sefleet::transport {

class StopSignal {
 public:
  // Throws Error(Errc::io_error) when no eventfd can be created.
  StopSignal();
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  // Async-signal-safe (an atomic store and one write(2)); idempotent.
  void request() noexcept;
  bool requested() const noexcept { return requested_.load(std::memory_order_acquire); }
  // Readable once a stop was requested: poll it next to the socket.
  int fd() const noexcept { return fd_; }

 private:
  std::atomic<bool> requested_{false};
  int fd_ = -1;
};

}  // namespace sefleet::transport

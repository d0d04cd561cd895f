#include "transport/stop_signal.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

#include "core/error.hpp"

namespace sefleet::transport {

static_assert(std::atomic<bool>::is_always_lock_free, "request() must be async-signal-safe");

StopSignal::StopSignal() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) {
    throw Error(Errc::io_error, std::string("eventfd for the stop signal: ") + std::strerror(errno));
  }
}

StopSignal::~StopSignal() {
  ::close(fd_);
}

void StopSignal::request() noexcept {
  const int saved_errno = errno;  // a signal handler must leave errno as it found it
  requested_.store(true, std::memory_order_release);
  const std::uint64_t one = 1;
  // The counter stays readable once written; a failure (counter overflow) still leaves it readable.
  [[maybe_unused]] const auto written = ::write(fd_, &one, sizeof one);
  errno = saved_errno;
}

}  // namespace sefleet::transport

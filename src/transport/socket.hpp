// Thin POSIX TCP helpers shared by the card-side loops (vpcd link, TCP card server) and the host-side
// TcpChannel. Every wait goes through poll() on the socket AND, when given, the StopSignal's eventfd, so
// a loop blocked on the network still ends at once when a stop is requested; deadlines bound host-side
// waits. Sockets stay in blocking mode; sends use MSG_DONTWAIT after a poll so that a peer that stops
// reading cannot hold us past a stop request or deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "transport/host_port.hpp"
#include "transport/stop_signal.hpp"

namespace sefleet::transport::net {

using Clock = std::chrono::steady_clock;
using Deadline = std::optional<Clock::time_point>;

inline Deadline deadline_after(std::chrono::milliseconds timeout) {
  return Clock::now() + timeout;
}

// An owned file descriptor, closed on destruction.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  int release() noexcept;
  void reset() noexcept;

 private:
  int fd_ = -1;
};

// Outcome of a wait or transfer. Only `ok` means the operation completed; `detail` says why not.
enum class IoStatus { ok, closed, stopped, timed_out, failed };

struct IoResult {
  IoStatus status = IoStatus::ok;
  std::string detail;  // empty when ok
  bool ok() const noexcept { return status == IoStatus::ok; }
};

// Waits until `fd` has `events` (POLLIN/POLLOUT), the stop signal fires, or the deadline passes.
IoResult wait_for(int fd, short events, const StopSignal* stop, Deadline deadline);

// Reads exactly out.size() bytes. `closed` when the peer closed the connection first (detail tells
// how many bytes were missing).
IoResult read_exact(int fd, MutableByteView out, const StopSignal* stop, Deadline deadline);

// Sends all of `data`, handing the whole buffer to the kernel in one send() call (the kernel splits it
// only when its buffer is full), so a framed message leaves as one write.
IoResult write_all(int fd, ByteView data, const StopSignal* stop, Deadline deadline);

// Connects to `address` (every resolved address in turn) within `timeout`. Returns the connected
// socket with TCP_NODELAY set, or an invalid Fd with the reason in `result` (refused, timed out,
// stopped, unresolvable). Never throws for network conditions.
Fd connect_tcp(const HostPort& address, std::chrono::milliseconds timeout, const StopSignal* stop, IoResult& result);

// Binds and listens on `address` (port 0 = an ephemeral port). Throws Error(Errc::io_error) naming the
// address and the errno text; a port another process listens on is refused, never shared.
Fd listen_tcp(const HostPort& address, int backlog);

// The local port of a bound socket. Throws Error(Errc::io_error).
std::uint16_t local_port(int fd);

// TCP_NODELAY: replies must not wait behind Nagle's algorithm.
void set_no_delay(int fd);
// TCP_QUICKACK is not sticky: Linux falls back to delayed ACKs, so it is set again after every read
// of a frame header (vpcd 0.8 writes header and body separately without TCP_NODELAY; a delayed ACK of
// the header stalls its body by ~40 ms).
void set_quick_ack(int fd);

}  // namespace sefleet::transport::net

#include "transport/socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstring>

#include "core/error.hpp"

namespace sefleet::transport::net {

namespace {

std::string errno_text(int error) {
  return std::strerror(error);
}

// Milliseconds left until the deadline for poll(): -1 waits forever, 0 when already passed.
int poll_timeout(Deadline deadline) {
  if (!deadline) {
    return -1;
  }
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline - Clock::now());
  if (left.count() <= 0) {
    return 0;
  }
  return left.count() > 1'000'000 ? 1'000'000 : static_cast<int>(left.count());
}

struct AddrInfoList {
  addrinfo* head = nullptr;
  ~AddrInfoList() {
    if (head != nullptr) {
      ::freeaddrinfo(head);
    }
  }
};

// Resolves numerically when possible; host names go through the resolver (blocking, as getaddrinfo is).
int resolve(const HostPort& address, bool passive, AddrInfoList& out) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = passive ? AI_PASSIVE : 0;
  const std::string port = std::to_string(address.port);
  return ::getaddrinfo(address.host.c_str(), port.c_str(), &hints, &out.head);
}

void set_blocking(int fd, bool blocking) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) {
    ::fcntl(fd, F_SETFL, blocking ? (flags & ~O_NONBLOCK) : (flags | O_NONBLOCK));
  }
}

// One non-blocking connect attempt to one resolved address.
Fd connect_one(const addrinfo& ai, const StopSignal* stop, Deadline deadline, IoResult& result) {
  Fd fd(::socket(ai.ai_family, ai.ai_socktype | SOCK_CLOEXEC, ai.ai_protocol));
  if (!fd.valid()) {
    result = {IoStatus::failed, "socket: " + errno_text(errno)};
    return {};
  }
  set_blocking(fd.get(), false);
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      result = {IoStatus::failed, errno_text(errno)};
      return {};
    }
    result = wait_for(fd.get(), POLLOUT, stop, deadline);
    if (!result.ok()) {
      return {};
    }
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0) {
      error = errno;
    }
    if (error != 0) {
      result = {IoStatus::failed, errno_text(error)};
      return {};
    }
  }
  set_blocking(fd.get(), true);
  set_no_delay(fd.get());
  result = {};
  return fd;
}

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) {
    reset();
    fd_ = other.release();
  }
  return *this;
}

int Fd::release() noexcept {
  const int fd = fd_;
  fd_ = -1;
  return fd;
}

void Fd::reset() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

IoResult wait_for(int fd, short events, const StopSignal* stop, Deadline deadline) {
  for (;;) {
    if (stop != nullptr && stop->requested()) {
      return {IoStatus::stopped, "stop requested"};
    }
    pollfd fds[2] = {{fd, events, 0}, {stop != nullptr ? stop->fd() : -1, POLLIN, 0}};
    const int ready = ::poll(fds, stop != nullptr ? 2 : 1, poll_timeout(deadline));
    if (ready < 0) {
      if (errno == EINTR) {
        continue;  // a signal handler may have requested the stop: the loop head checks it
      }
      return {IoStatus::failed, "poll: " + errno_text(errno)};
    }
    if (stop != nullptr && (fds[1].revents & POLLIN) != 0) {
      return {IoStatus::stopped, "stop requested"};
    }
    if (fds[0].revents != 0) {
      // POLLERR/POLLHUP also count as ready: the following recv/send/getsockopt reports the reason.
      return {};
    }
    if (ready == 0 && deadline && Clock::now() >= *deadline) {
      return {IoStatus::timed_out, "timed out"};
    }
  }
}

IoResult read_exact(int fd, MutableByteView out, const StopSignal* stop, Deadline deadline) {
  std::size_t done = 0;
  while (done < out.size()) {
    if (auto waited = wait_for(fd, POLLIN, stop, deadline); !waited.ok()) {
      return waited;
    }
    const auto got = ::recv(fd, out.data() + done, out.size() - done, MSG_DONTWAIT);
    if (got > 0) {
      done += static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0) {
      return {IoStatus::closed,
              done == 0 ? "connection closed by peer"
                        : fmt::format("connection closed by peer {} bytes short of {}", out.size() - done, out.size())};
    }
    if (errno == EAGAIN || errno == EINTR) {
      continue;
    }
    if (errno == ECONNRESET) {
      return {IoStatus::closed, "connection reset by peer"};
    }
    return {IoStatus::failed, "recv: " + errno_text(errno)};
  }
  return {};
}

IoResult write_all(int fd, ByteView data, const StopSignal* stop, Deadline deadline) {
  std::size_t done = 0;
  while (done < data.size()) {
    if (auto waited = wait_for(fd, POLLOUT, stop, deadline); !waited.ok()) {
      return waited;
    }
    const auto sent = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent >= 0) {
      done += static_cast<std::size_t>(sent);
      continue;
    }
    if (errno == EAGAIN || errno == EINTR) {
      continue;
    }
    if (errno == EPIPE || errno == ECONNRESET) {
      return {IoStatus::closed, "connection closed by peer while sending"};
    }
    return {IoStatus::failed, "send: " + errno_text(errno)};
  }
  return {};
}

Fd connect_tcp(const HostPort& address, std::chrono::milliseconds timeout, const StopSignal* stop, IoResult& result) {
  AddrInfoList addresses;
  if (const int rc = resolve(address, false, addresses); rc != 0) {
    result = {IoStatus::failed, fmt::format("cannot resolve '{}': {}", address.host, ::gai_strerror(rc))};
    return {};
  }
  const Deadline deadline = deadline_after(timeout);
  result = {IoStatus::failed, "no address"};
  for (const addrinfo* ai = addresses.head; ai != nullptr; ai = ai->ai_next) {
    Fd fd = connect_one(*ai, stop, deadline, result);
    if (fd.valid() || result.status == IoStatus::stopped || result.status == IoStatus::timed_out) {
      return fd;
    }
  }
  return {};
}

Fd listen_tcp(const HostPort& address, int backlog) {
  AddrInfoList addresses;
  if (const int rc = resolve(address, true, addresses); rc != 0) {
    throw Error(Errc::io_error, fmt::format("listen on {}: cannot resolve '{}': {}", address.to_string(), address.host,
                                            ::gai_strerror(rc)));
  }
  std::string last_error = "no address";
  for (const addrinfo* ai = addresses.head; ai != nullptr; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd.valid()) {
      last_error = "socket: " + errno_text(errno);
      continue;
    }
    // A restarted card must be able to take its port back at once (TIME_WAIT of the last host).
    // SO_REUSEADDR does not let a second process bind a port another one listens on (Linux refuses it
    // with EADDRINUSE); SO_REUSEPORT would, and is never set: two cards must not share a port.
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      const int error = errno;
      last_error = "bind: " + errno_text(error);
      if (error == EADDRINUSE) last_error += " (another process listens there)";
      continue;
    }
    if (::listen(fd.get(), backlog) != 0) {
      last_error = "listen: " + errno_text(errno);
      continue;
    }
    return fd;
  }
  throw Error(Errc::io_error, fmt::format("listen on {}: {}", address.to_string(), last_error));
}

std::uint16_t local_port(int fd) {
  sockaddr_storage storage{};
  socklen_t length = sizeof storage;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length) != 0) {
    throw Error(Errc::io_error, "getsockname: " + errno_text(errno));
  }
  if (storage.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  }
  if (storage.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  }
  throw Error(Errc::io_error, "getsockname: not an IP socket");
}

void set_no_delay(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

void set_quick_ack(int fd) {
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
}

}  // namespace sefleet::transport::net

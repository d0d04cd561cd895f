// Test-side raw sockets: what a peer that follows (or breaks) the framing does, byte by byte, without
// going through the code under test.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/bytes.hpp"

namespace sefleet::test {

class RawSocket {
 public:
  RawSocket() = default;
  explicit RawSocket(int fd) : fd_(fd) {}
  ~RawSocket() { close(); }
  RawSocket(RawSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RawSocket& operator=(RawSocket&& other) noexcept {
    close();
    fd_ = other.fd_;
    other.fd_ = -1;
    return *this;
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  int fd() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void close() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

  static RawSocket listen_loopback() {
    RawSocket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(s.fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(s.fd_, 4) != 0) {
      throw std::runtime_error("test listener");
    }
    return s;
  }
  static RawSocket connect_loopback(std::uint16_t port) {
    RawSocket s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(s.fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("test connect");
    }
    return s;
  }
  std::uint16_t port() const {
    sockaddr_in a{};
    socklen_t n = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n);
    return ntohs(a.sin_port);
  }
  // A port on which nobody listens (bound then released).
  static std::uint16_t unused_port() {
    RawSocket s = listen_loopback();
    return s.port();
  }

  // Waits up to timeout_ms for a connection; an invalid socket on timeout.
  RawSocket accept(int timeout_ms = 2000) const {
    if (!readable(timeout_ms)) {
      return RawSocket();
    }
    return RawSocket(::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC));
  }
  bool readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, timeout_ms) == 1;
  }

  void send_all(ByteView data) const {
    std::size_t done = 0;
    while (done < data.size()) {
      const auto n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
      if (n <= 0) {
        throw std::runtime_error("test send");
      }
      done += static_cast<std::size_t>(n);
    }
  }
  // As vpcd 0.8 does: the 2-byte header and the payload as two separate send() calls.
  void send_frame_in_two_writes(ByteView payload) const {
    const Bytes header = {static_cast<std::uint8_t>(payload.size() >> 8), static_cast<std::uint8_t>(payload.size())};
    send_all(header);
    if (!payload.empty()) {
      send_all(payload);
    }
  }
  // Reads exactly n bytes; false on EOF or timeout.
  bool recv_exact(Bytes& out, std::size_t n, int timeout_ms = 2000) const {
    out.resize(n);
    std::size_t done = 0;
    while (done < n) {
      if (!readable(timeout_ms)) {
        return false;
      }
      const auto got = ::recv(fd_, out.data() + done, n - done, 0);
      if (got <= 0) {
        return false;
      }
      done += static_cast<std::size_t>(got);
    }
    return true;
  }
  // One framed message (header + payload); throws on EOF/timeout.
  Bytes recv_frame(int timeout_ms = 2000) const {
    Bytes header;
    if (!recv_exact(header, 2, timeout_ms)) {
      throw std::runtime_error("test: no frame header");
    }
    Bytes payload;
    if (!recv_exact(payload, (std::size_t{header[0]} << 8) | header[1], timeout_ms)) {
      throw std::runtime_error("test: truncated frame");
    }
    return payload;
  }
  // True when the peer closed the connection (EOF) within timeout_ms, without sending anything.
  bool closed_by_peer(int timeout_ms = 2000) const {
    if (!readable(timeout_ms)) {
      return false;
    }
    std::uint8_t byte = 0;
    const auto got = ::recv(fd_, &byte, 1, 0);
    return got == 0 || (got < 0 && errno == ECONNRESET);
  }

 private:
  int fd_ = -1;
};

// Polls `condition` (for state another thread changes without notifying) until true or timeout.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = std::chrono::milliseconds{2000}) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{1});
  }
  return true;
}

// Runs `loop` in a thread; the destructor calls `stop` first, then joins.
class LoopThread {
 public:
  LoopThread(std::function<void()> loop, std::function<void()> stop) : stop_(std::move(stop)) {
    thread_ = std::thread([this, loop = std::move(loop)] {
      try {
        loop();
      } catch (const std::exception& e) {
        error_ = e.what();
      }
    });
  }
  ~LoopThread() { join(); }
  LoopThread(const LoopThread&) = delete;
  LoopThread& operator=(const LoopThread&) = delete;
  // Stops and joins; returns the loop's exception text (empty when it returned normally).
  std::string join() {
    if (thread_.joinable()) {
      stop_();
      thread_.join();
    }
    return error_;
  }

 private:
  std::function<void()> stop_;
  std::thread thread_;
  std::string error_;
};

}  // namespace sefleet::test

// Writing to a connection the peer has closed raises SIGPIPE, whose default action ends the process
// without a word (exit 141). Plain sockets avoid it with MSG_NOSIGNAL, but OpenSSL writes TLS records
// with write(2), so an HTTPS client must deal with the signal itself. Without touching the process's
// signal dispositions (the agent is a library; the demo and tests run it in threads), this guard blocks
// SIGPIPE in the calling thread while it lives and, on destruction, takes a SIGPIPE the guarded code
// caused off the thread's pending set before unblocking: the write fails with EPIPE instead, which
// the HTTP client reports as a connection error (and the session retries).
#pragma once

#include <csignal>

namespace sefleet::offcard::terminal {

class SigpipeGuard {
 public:
  SigpipeGuard();
  ~SigpipeGuard();
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t previous_mask_{};
  bool was_pending_ = false;  // a SIGPIPE pending before the guard is not ours to take
};

}  // namespace sefleet::offcard::terminal

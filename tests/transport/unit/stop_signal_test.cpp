#include "transport/stop_signal.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <csignal>
#include <thread>

namespace sefleet::transport {
namespace {

bool readable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN) != 0;
}

TEST(StopSignal, StartsClearAndBecomesReadableOnRequest) {
  StopSignal stop;
  EXPECT_FALSE(stop.requested());
  EXPECT_FALSE(readable(stop.fd(), 0));
  stop.request();
  stop.request();  // idempotent
  EXPECT_TRUE(stop.requested());
  EXPECT_TRUE(readable(stop.fd(), 0));
  EXPECT_TRUE(readable(stop.fd(), 0));  // stays readable for every waiter
}

TEST(StopSignal, WakesAPollInAnotherThread) {
  StopSignal stop;
  bool woke = false;
  std::thread waiter([&] { woke = readable(stop.fd(), 5000); });
  stop.request();
  waiter.join();
  EXPECT_TRUE(woke);
}

StopSignal* g_stop = nullptr;
void on_test_signal(int) {
  g_stop->request();
}

TEST(StopSignal, CanBeRequestedFromASignalHandler) {
  StopSignal stop;
  g_stop = &stop;
  const auto previous = std::signal(SIGUSR1, on_test_signal);
  std::raise(SIGUSR1);
  std::signal(SIGUSR1, previous);
  EXPECT_TRUE(stop.requested());
  EXPECT_TRUE(readable(stop.fd(), 0));
}

}  // namespace
}  // namespace sefleet::transport

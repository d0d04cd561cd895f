// A small CardEndpoint for transport tests: records every call (thread-safe, since transports run
// their loop in another thread) and lets a test wait for a condition instead of sleeping.
//   INS A4 -> 9000; INS EE -> throws; INS E0 -> returns a 1-byte (invalid) response;
//   anything else -> the bytes after the 4-byte header echoed back + 9000.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "transport/card_endpoint.hpp"

namespace sefleet::test {

class RecordingCard final : public transport::CardEndpoint {
 public:
  static Bytes default_atr() {
    return {0x3B, 0x8A, 0x81, 0x01, 'S', 'E', 'F', 'L', 'E', 'E', 'T', 'T', 'S', 'T', 0x00};
  }

  Bytes atr() override {
    record("atr");
    return default_atr();
  }
  void power_on() override { record("on"); }
  void power_off() override { record("off"); }
  void reset() override { record("reset"); }
  Bytes transmit(ByteView command) override {
    record("apdu");
    if (command.size() >= 2 && command[1] == 0xA4) {
      return {0x90, 0x00};
    }
    if (command.size() >= 2 && command[1] == 0xEE) {
      throw std::runtime_error("test card failure");
    }
    if (command.size() >= 2 && command[1] == 0xE0) {
      return {0x90};
    }
    Bytes response(command.size() > 4 ? command.begin() + 4 : command.end(), command.end());
    response.push_back(0x90);
    response.push_back(0x00);
    return response;
  }
  void after_response() override { record("after"); }

  std::vector<std::string> events() const {
    std::lock_guard lock(mutex_);
    return events_;
  }
  std::size_t count(const std::string& event) const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& e : events_) {
      n += e == event ? 1 : 0;
    }
    return n;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    events_.clear();
  }
  // Waits (up to `timeout`) until `event` was recorded at least `times` times.
  bool wait_for(const std::string& event, std::size_t times,
                std::chrono::milliseconds timeout = std::chrono::milliseconds{2000}) const {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] {
      std::size_t n = 0;
      for (const auto& e : events_) {
        n += e == event ? 1 : 0;
      }
      return n >= times;
    });
  }

 private:
  void record(const char* event) {
    {
      std::lock_guard lock(mutex_);
      events_.emplace_back(event);
    }
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::vector<std::string> events_;
};

}  // namespace sefleet::test

// The complete applet example of docs/deferred-execution.md, compiled and exercised by the deferred_*
// tests: a counter whose INCREMENT answers at once and persists the new value after the response.
//
//   INS 10 INCREMENT  -> 4-byte new value (big endian), 9000. Defers "persist" (writes "counter" and
//                        appends to "history") and "seal" (CMAC over the counter, resumable).
//   INS 20 STATUS     -> counter(4) | persist state | seal state | number of results checked on this
//                        command | state of the last checked "persist" result (FF when none).
//   INS 30 FAIL       -> defers "fail", a task that writes then throws (its write must roll back).
//   INS 40 TWICE      -> schedules "persist" twice: the second schedule() is refused with 6985.
//   INS 50 ECHO       -> echoes the data with Apdu::set_outgoing_no_chaining (Le rules).
//   INS 14 HOLD       -> like INCREMENT, but "persist" first calls the test's hook (a latch).
// What to do with a result is the applet's decision: INCREMENT answers 6581 (memory failure) once
// when the last checked "persist" was interrupted or failed, so the host knows the value was lost.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>

#include "card/runtime/apdu.hpp"
#include "card/runtime/applet.hpp"
#include "card/runtime/applet_crypto.hpp"
#include "card/runtime/deferred_executor.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::test {

class DeferredCounterApplet final : public Applet {
 public:
  static constexpr std::uint8_t kIncrement = 0x10;
  static constexpr std::uint8_t kStatus = 0x20;
  static constexpr std::uint8_t kFail = 0x30;
  static constexpr std::uint8_t kTwice = 0x40;
  static constexpr std::uint8_t kEcho = 0x50;
  static constexpr std::uint8_t kHold = 0x14;

  // Called at the start of "persist" when the command was HOLD (tests block it on a latch).
  std::function<void()> hold_hook;

  void install(AppletContext& ctx) override {
    DeferredExecutor& deferred = ctx.deferred();
    persist_ = deferred.create_task({"persist", false, 1}, [this](AppletContext& task) {
      if (holding_ && hold_hook) hold_hook();
      // The new value travels in CLEAR_ON_DESELECT memory: still valid while the task runs.
      const Bytes& next = task.transient(TransientScope::clear_on_deselect, "next");
      if (next.size() != 4) throw std::runtime_error("no value to persist");
      PersistentMemory& memory = task.persistent();
      memory.write("counter", next);
      Bytes history = memory.read("history").value_or(Bytes{});
      history.insert(history.end(), next.begin(), next.end());
      memory.write("history", history);
    });
    seal_ = deferred.create_task({"seal", true, 0}, [](AppletContext& task) {
      PersistentMemory& memory = task.persistent();
      const Bytes counter = memory.read("counter").value_or(Bytes(4, 0x00));
      const auto mac = task.crypto().cmac(Bytes(16, 0x5A), counter);
      memory.write("seal", Bytes(mac.begin(), mac.end()));
    });
    fail_ = deferred.create_task({"fail", false, 0}, [](AppletContext& task) {
      task.persistent().write("junk", Bytes{0x01});
      throw std::runtime_error("deliberate failure");
    });
  }

  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override {
    DeferredExecutor& deferred = ctx.deferred();
    // The check on this command (SELECT included): remember a lost persist for the next INCREMENT.
    const auto checked = deferred.completed_since_last_command();
    for (const auto& [name, result] : checked) {
      if (name == "persist") persist_lost_ = result.state != DeferredState::done;
    }
    if (command.ins == 0xA4) return iso7816::ResponseApdu(iso7816::sw::kOk);
    Apdu& apdu = *ctx.apdu();
    switch (command.ins) {
      case kIncrement:
      case kHold: {
        if (persist_lost_) {
          persist_lost_ = false;
          return iso7816::ResponseApdu(0x6581);  // the previous value was not stored: host retries
        }
        const Bytes current = ctx.persistent().read("counter").value_or(Bytes(4, 0x00));
        std::uint32_t value = (std::uint32_t{current[0]} << 24) | (std::uint32_t{current[1]} << 16) |
                              (std::uint32_t{current[2]} << 8) | current[3];
        ++value;
        Bytes& next = ctx.transient(TransientScope::clear_on_deselect, "next");
        next = {static_cast<std::uint8_t>(value >> 24), static_cast<std::uint8_t>(value >> 16),
                static_cast<std::uint8_t>(value >> 8), static_cast<std::uint8_t>(value)};
        holding_ = command.ins == kHold;
        deferred.schedule(*persist_);
        deferred.schedule(*seal_);
        apdu.set_outgoing(next);
        return iso7816::ResponseApdu(iso7816::sw::kOk);
      }
      case kStatus: {
        Bytes out = ctx.persistent().read("counter").value_or(Bytes(4, 0x00));
        out.push_back(static_cast<std::uint8_t>(deferred.result(*persist_).state));
        out.push_back(static_cast<std::uint8_t>(deferred.result(*seal_).state));
        out.push_back(static_cast<std::uint8_t>(checked.size()));
        std::uint8_t last_persist = 0xFF;
        for (const auto& [name, result] : checked) {
          if (name == "persist") last_persist = static_cast<std::uint8_t>(result.state);
        }
        out.push_back(last_persist);
        apdu.set_outgoing(out);
        return iso7816::ResponseApdu(iso7816::sw::kOk);
      }
      case kFail:
        deferred.schedule(*fail_);
        return iso7816::ResponseApdu(iso7816::sw::kOk);
      case kTwice:
        deferred.schedule(*persist_);
        deferred.schedule(*persist_);  // refused: 6985 (the first stays scheduled)
        return iso7816::ResponseApdu(iso7816::sw::kOk);
      case kEcho:
        apdu.set_outgoing_no_chaining(apdu.incoming());
        return iso7816::ResponseApdu(iso7816::sw::kOk);
      default:
        throw StatusWordError(iso7816::sw::kInsNotSupported);
    }
  }

  const DeferredTask& persist_task() const { return *persist_; }
  const DeferredTask& seal_task() const { return *seal_; }
  const DeferredTask& fail_task() const { return *fail_; }

 private:
  std::shared_ptr<DeferredTask> persist_;
  std::shared_ptr<DeferredTask> seal_;
  std::shared_ptr<DeferredTask> fail_;
  bool holding_ = false;
  bool persist_lost_ = false;
};

}  // namespace sefleet::card::test

// Wall-clock overhead of deferred execution (target: scheduling and running an empty deferred
// task <= 2 us median). Each benchmark times every iteration on its own and reports the median:
//  - BM_Baseline_PlainCommand: one in-process command to an applet that does nothing, plus the
//    after_response() call every transport makes (the baseline, same run);
//  - BM_Deferred_EmptyTask/<store>: the same command, but process() schedules an empty task that
//    after_response() runs (FIFO, transaction, result, the check list). The overhead is the
//    difference of the two medians.
//  - store 0: no persistent store; 1: an NvmStore on an in-memory device (the schedule record and
//    the task's "done" record are committed: two commits per task).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/deferred_executor.hpp"
#include "card/runtime/runtime.hpp"
#include "core/hex.hpp"

namespace sefleet::card {
namespace {

using Clock = std::chrono::steady_clock;

const Bytes kAid = from_hex("A0000000DE0002");
const Bytes kSelect = from_hex("00A4040007A0000000DE000200");
const Bytes kPlain = from_hex("80010000");
const Bytes kDefer = from_hex("80020000");

class EmptyTaskApplet final : public Applet {
 public:
  void install(AppletContext& ctx) override {
    task_ = ctx.deferred().create_task({"empty", false, 0}, [](AppletContext&) {});
  }
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override {
    if (command.ins == 0x02) ctx.deferred().schedule(*task_);
    return iso7816::ResponseApdu(0x9000);
  }

 private:
  std::shared_ptr<DeferredTask> task_;
};

struct Card {
  std::unique_ptr<nvm::NvmStore> store;
  std::unique_ptr<Runtime> runtime;

  explicit Card(bool with_store) {
    if (with_store) {
      auto device = std::make_unique<nvm::MemoryDevice>();
      nvm::NvmStore::format(*device);
      store = std::make_unique<nvm::NvmStore>(std::move(device));
    }
    RuntimeConfig config;
    config.atr = from_hex("3B00");
    config.store = store.get();
    runtime = std::make_unique<Runtime>(std::move(config));
    RegistryEntry entry;
    entry.aid = kAid;
    entry.privileges = Bytes{0x04, 0x00, 0x00};  // default selected
    runtime->install_applet(std::move(entry), std::make_unique<EmptyTaskApplet>());
    runtime->power_on();
  }
};

void run_timed(benchmark::State& state, Runtime& runtime, const Bytes& command) {
  std::vector<double> samples;
  samples.reserve(1 << 20);
  for (auto _ : state) {
    const auto start = Clock::now();
    Bytes response = runtime.transmit(command);
    runtime.after_response();
    const auto stop = Clock::now();
    benchmark::DoNotOptimize(response);
    if (response.size() != 2 || response[0] != 0x90 || runtime.deferred_pending()) state.SkipWithError("unexpected");
    if (samples.size() < samples.capacity())
      samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count());
  }
  std::sort(samples.begin(), samples.end());
  state.counters["median_us"] = samples[samples.size() / 2] / 1000.0;
  state.counters["p99_us"] = samples[samples.size() * 99 / 100] / 1000.0;
}

void BM_Baseline_PlainCommand(benchmark::State& state) {
  Card card(state.range(0) != 0);
  run_timed(state, *card.runtime, kPlain);
}
BENCHMARK(BM_Baseline_PlainCommand)->Arg(0)->Arg(1);

void BM_Deferred_EmptyTask(benchmark::State& state) {
  Card card(state.range(0) != 0);
  run_timed(state, *card.runtime, kDefer);
}
BENCHMARK(BM_Deferred_EmptyTask)->Arg(0)->Arg(1);

}  // namespace
}  // namespace sefleet::card

BENCHMARK_MAIN();

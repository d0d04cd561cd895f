// PC/SC round trip of a 10-byte APDU through pcscd + vpcd (target: median <= 150 us).
// Needs a running pcscd with a vpcd reader (bench/scripts/card_pcsc.sh sets it all up):
//   SEFLEET_BENCH_CARD_READER   reader holding `sefleet card run --vpcd` (e.g. "Virtual PCD 00 00")
//   SEFLEET_BENCH_ECHO_READER   reader for the baseline echo card this binary serves itself
//   SEFLEET_BENCH_ECHO_VPCD     HOST:PORT of that reader's vpcd slot
// The baseline is the same round trip to a card that only echoes (our vpcd link, no runtime), so the
// ratio isolates what the virtual SE adds on top of pcscd + vpcd on this machine, in this run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "transport/card_endpoint.hpp"
#include "transport/pcsc_channel.hpp"
#include "transport/stop_signal.hpp"
#include "transport/vpcd_card_link.hpp"

namespace {

using namespace sefleet;

// SELECT by DF name with the 5-byte partial ISD AID: 10 bytes, resolved by the card's runtime.
const Bytes kSelectPartialIsd = from_hex("00A4040005A000000151");

class EchoCard final : public transport::CardEndpoint {
 public:
  Bytes atr() override { return from_hex("3B8B810180594543484F434152442047"); }
  void power_on() override {}
  void power_off() override {}
  void reset() override {}
  Bytes transmit(ByteView command) override {
    Bytes response(command.begin(), command.end());
    response.push_back(0x90);
    response.push_back(0x00);
    return response;
  }
};

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

void round_trips(benchmark::State& state, const std::string& reader) {
  if (reader.empty()) {
    state.SkipWithError("reader not configured (run bench/scripts/card_pcsc.sh)");
    return;
  }
  try {
    auto channel = transport::PcscChannel::open(reader, std::chrono::seconds(10));
    for (int i = 0; i < 50; ++i) (void)channel->transmit(kSelectPartialIsd);  // warm up
    // Each call is timed on its own: the target is the median call, which the mean of a batch hides.
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(state.max_iterations));
    for (auto _ : state) {
      const auto start = std::chrono::steady_clock::now();
      Bytes response = channel->transmit(kSelectPartialIsd);
      micros.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
      benchmark::DoNotOptimize(response);
      if (response.size() < 2) {
        state.SkipWithError("short response");
        break;
      }
    }
    std::sort(micros.begin(), micros.end());
    const auto at = [&](double q) {
      return micros.empty() ? 0.0 : micros[static_cast<std::size_t>(q * (micros.size() - 1))];
    };
    state.counters["p50_us"] = at(0.50);
    state.counters["p90_us"] = at(0.90);
    state.counters["p99_us"] = at(0.99);
  } catch (const Error& e) {
    state.SkipWithError(e.what());
  }
}

void BM_PcscRoundTripVirtualSe(benchmark::State& state) {
  round_trips(state, env("SEFLEET_BENCH_CARD_READER"));
}

void BM_PcscRoundTripEchoCardBaseline(benchmark::State& state) {
  const std::string vpcd = env("SEFLEET_BENCH_ECHO_VPCD");
  if (vpcd.empty()) {
    state.SkipWithError("SEFLEET_BENCH_ECHO_VPCD not set");
    return;
  }
  EchoCard echo;
  transport::StopSignal stop;
  transport::VpcdCardLink link(echo, transport::HostPort::parse(vpcd));
  std::thread card([&] { link.run(stop); });
  round_trips(state, env("SEFLEET_BENCH_ECHO_READER"));
  stop.request();
  card.join();
}

BENCHMARK(BM_PcscRoundTripVirtualSe)->Unit(benchmark::kMicrosecond)->Iterations(5000);
BENCHMARK(BM_PcscRoundTripEchoCardBaseline)->Unit(benchmark::kMicrosecond)->Iterations(5000);

}  // namespace

BENCHMARK_MAIN();

// In-process SELECT + GET DATA round trip through Runtime::transmit (target: median <= 5 us),
// with a minimal applet and on the real virtual SE (ISD over the card state).
// Each iteration sends SELECT by AID (the applet answers its FCI) and GET DATA (4 bytes back) as raw
// bytes, exactly what a transport hands the card. Per-iteration times are collected so the median is
// reported as a counter. Baseline in the same run: the same two APDUs parsed and handed straight to
// the applet's process() (no runtime), i.e. the floor the dispatcher adds its cost to.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "card/state/card_profile.hpp"
#include "card/state/card_state.hpp"
#include "card/virtual_card.hpp"
#include "core/bytes.hpp"
#include "core/hex.hpp"

namespace {

using namespace sefleet;
using namespace sefleet::card;
using Clock = std::chrono::steady_clock;

class GetDataApplet final : public Applet {
 public:
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override {
    if (command.ins == 0xA4) {
      Bytes fci{0x6F, static_cast<std::uint8_t>(ctx.aid().size() + 2), 0x84,
                static_cast<std::uint8_t>(ctx.aid().size())};
      append(fci, ctx.aid());
      return iso7816::ResponseApdu(std::move(fci), 0x9000);
    }
    if (command.ins == 0xCA && command.p1 == 0x00 && command.p2 == 0x66) {
      return iso7816::ResponseApdu(Bytes{0x66, 0x02, 0x01, 0x02}, 0x9000);
    }
    return iso7816::ResponseApdu(0x6A88);
  }
};

class BaselineContext final : public AppletContext {
 public:
  explicit BaselineContext(Bytes aid) : aid_(std::move(aid)) {}
  std::uint8_t channel() const override { return 0; }
  ByteView aid() const override { return aid_; }
  gp::Scp03Card* secure_channel() override { return nullptr; }
  std::uint8_t security_level() const override { return 0; }
  Bytes& transient(TransientScope, std::string_view) override { return scratch_; }
  nvm::NvmStore* store() override { return nullptr; }
  AppletRegistry& registry() override { return registry_; }
  crypto::Random& random() override { return crypto::system_random(); }
  AppletCrypto& crypto() override { return crypto_; }
  PersistentMemory& persistent() override { return persistent_; }
  VirtualClock& clock() override { return clock_; }
  DeferredExecutor& deferred() override { throw StatusWordError(0x6985, "no deferred executor in the baseline"); }
  Apdu* apdu() override { return nullptr; }

 private:
  Bytes aid_;
  Bytes scratch_;
  AppletRegistry registry_;
  VirtualClock clock_;
  AppletCrypto crypto_{clock_, crypto::system_random()};
  PersistentMemory persistent_{nullptr, clock_};
};

const Bytes kAid = from_hex("A0000000010101");
const Bytes kSelect = from_hex("00A4040007A000000001010100");
const Bytes kGetData = from_hex("80CA006600");

void report_median(benchmark::State& state, std::vector<double>& samples_ns) {
  std::sort(samples_ns.begin(), samples_ns.end());
  state.counters["median_us"] = samples_ns[samples_ns.size() / 2] / 1000.0;
  state.counters["p99_us"] = samples_ns[samples_ns.size() * 99 / 100] / 1000.0;
}

// Times each iteration of `round_trip` (one SELECT + GET DATA pair, returning both responses) on its
// own, so the median per round trip can be reported; `valid` rejects an unexpected answer.
template <typename RoundTrip, typename Valid>
void time_round_trips(benchmark::State& state, RoundTrip&& round_trip, Valid&& valid) {
  std::vector<double> samples;
  samples.reserve(1 << 20);
  for (auto _ : state) {
    const auto start = Clock::now();
    auto [select, data] = round_trip();
    const auto stop = Clock::now();
    benchmark::DoNotOptimize(select);
    benchmark::DoNotOptimize(data);
    if (!valid(select, data)) state.SkipWithError("unexpected response");
    if (samples.size() < samples.capacity())
      samples.push_back(std::chrono::duration<double, std::nano>(stop - start).count());
  }
  report_median(state, samples);
}

void BM_RuntimeSelectGetData(benchmark::State& state) {
  GetDataApplet isd;
  GetDataApplet applet;
  RuntimeConfig config;
  config.atr = from_hex("3B00");
  Runtime runtime(std::move(config));
  RegistryEntry isd_entry;
  isd_entry.kind = RegistryEntry::Kind::issuer_security_domain;
  isd_entry.aid = from_hex("A000000151000000");
  isd_entry.applet = &isd;
  runtime.registry().add(isd_entry);
  RegistryEntry entry;
  entry.aid = kAid;
  entry.applet = &applet;
  runtime.registry().add(entry);
  runtime.power_on();

  time_round_trips(
      state,
      [&] {
        return std::pair{runtime.transmit(kSelect), runtime.transmit(kGetData)};
      },
      [](const Bytes& select, const Bytes& data) { return data.size() == 6 && select[select.size() - 2] == 0x90; });
}
BENCHMARK(BM_RuntimeSelectGetData);

void BM_BaselineDirectAppletCalls(benchmark::State& state) {
  GetDataApplet applet;
  BaselineContext ctx(kAid);
  time_round_trips(
      state,
      [&] {
        return std::pair{applet.process(iso7816::CommandApdu::parse(kSelect), ctx).encode(),
                         applet.process(iso7816::CommandApdu::parse(kGetData), ctx).encode()};
      },
      [](const Bytes&, const Bytes&) { return true; });
}
BENCHMARK(BM_BaselineDirectAppletCalls);

// The same round trip on the real virtual SE: SELECT of the ISD (its FCI with security domain
// management data) and GET DATA 0066 (card recognition data built from the card state), through the
// whole card (runtime, ISD, card state over an NVM store on a RAM medium). Neither command writes NVM.
void BM_VirtualCardSelectIsdGetData(benchmark::State& state) {
  auto device = std::make_unique<nvm::MemoryDevice>();
  auto medium = device->medium();
  nvm::NvmStore::format(*device);
  {
    nvm::NvmStore store(std::move(device));
    CardProfile profile;
    profile.se_id = from_hex("5345464C45455430303031");
    profile.kdd = from_hex("0001020304050607080A");
    profile.isd_aid = from_hex("A000000151000000");
    profile.platform_id = Bytes(8, 0);
    profile.atr = default_atr();
    const Bytes key = from_hex("404142434445464748494A4B4C4D4E4F");
    profile.scp03 = gp::StaticKeySet(0x30, SecretBytes(key), SecretBytes(key), SecretBytes(key));
    CardState::personalize(store, profile);
  }
  VirtualCard card = VirtualCard::open(std::make_unique<nvm::MemoryDevice>(medium));
  auto& endpoint = card.endpoint();
  endpoint.power_on();
  const Bytes select_isd = from_hex("00A4040008A00000015100000000");
  time_round_trips(
      state,
      [&] {
        return std::pair{endpoint.transmit(select_isd), endpoint.transmit(kGetData)};
      },
      [](const Bytes& select, const Bytes& data) {
        return select[select.size() - 2] == 0x90 && data[data.size() - 2] == 0x90;
      });
}
BENCHMARK(BM_VirtualCardSelectIsdGetData);

}  // namespace

BENCHMARK_MAIN();

// SCP03 secure-messaging speed (docs/benchmarks.md, "SCP03"):
//  - round trip of a 16-byte command with a 16-byte response at level 33: host wrap, card unwrap,
//    card wrap, host unwrap (target: median <= 3 us on one core);
//  - card-side unwrap (C-MAC verify + C-DECRYPTION) of 64 KB extended commands, against AES-128-CBC
//    encryption through the same EVP calls in the same process (target: >= 70 % of
//    `openssl speed -evp aes-128-cbc`, which bench/scripts/scp03_throughput.sh measures alongside);
//  - card-side processing of short commands from their wire bytes, as the card runtime hands them
//    over: 240 plaintext bytes at level 03 (C-MAC + C-DECRYPTION, S8), the fleet's broadcast-stream
//    commands, parsed, unwrapped, given to an application that takes the data field, and answered
//    (docs/benchmarks.md, "Short commands' routing and unwrap on the fleet path").
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "crypto/aes.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_host.hpp"

namespace {

using sefleet::Bytes;
using namespace sefleet::gp;
using sefleet::iso7816::CommandApdu;
using sefleet::iso7816::ResponseApdu;

// Plaintext that fills one extended command at level 03/33 in S8: 65 488 + 16 padding + 8 MAC = 65 512.
constexpr std::size_t kLargeCommand = 65488;

StaticKeySet keys(std::size_t size) {
  Bytes key(size);
  for (std::size_t i = 0; i < size; ++i) key[i] = static_cast<std::uint8_t>(0x40 + i);
  return StaticKeySet(0x30, sefleet::SecretBytes(key), sefleet::SecretBytes(key), sefleet::SecretBytes(key));
}

struct OpenSession {
  explicit OpenSession(std::uint8_t level, std::size_t key_size = 16) {
    registry.put(keys(key_size));
    card = std::make_unique<Scp03Card>(registry, Scp03CardConfig{});
    Scp03HostOptions options;
    options.security_level = level;
    host = std::make_unique<Scp03Host>(keys(key_size), options);
    const auto app = [](const CommandApdu&) { return ResponseApdu(0x9000); };
    const ResponseApdu iu = card->process(host->initialize_update(), app);
    const ResponseApdu ea = card->process(host->external_authenticate(iu), app);
    host->complete(ea);
  }
  InMemoryKeyRegistry registry;
  std::unique_ptr<Scp03Card> card;
  std::unique_ptr<Scp03Host> host;
};

void BM_RoundTrip16Level33(benchmark::State& state) {
  OpenSession session(0x33, static_cast<std::size_t>(state.range(0)));
  const CommandApdu plain(0x80, 0xE2, 0x00, 0x00, Bytes(16, 0xA5), 256);
  const ResponseApdu answer(Bytes(16, 0x5A), 0x9000);
  for (auto _ : state) {
    const CommandApdu wire = session.host->wrap(plain);
    auto unwrapped = session.card->unwrap(wire);
    const ResponseApdu protected_answer = session.card->wrap(answer);
    const ResponseApdu result = session.host->unwrap(protected_answer);
    benchmark::DoNotOptimize(unwrapped);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_RoundTrip16Level33)->Arg(16)->Arg(32)->Repetitions(9)->ReportAggregatesOnly(true);

void BM_CardUnwrap64K(benchmark::State& state) {
  const auto level = static_cast<std::uint8_t>(state.range(0));
  OpenSession session(level);
  const CommandApdu plain(0x80, 0xE8, 0x00, 0x00, Bytes(kLargeCommand, 0x3C));
  constexpr std::size_t kBatch = 32;
  std::vector<CommandApdu> batch;
  std::size_t wire_bytes = 0;
  std::size_t next = kBatch;
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kBatch; ++i) batch.push_back(session.host->wrap(plain));
      wire_bytes = batch.front().data.size();
      next = 0;
      state.ResumeTiming();
    }
    auto unwrapped = session.card->unwrap(batch[next++]);
    if (!unwrapped.command) state.SkipWithError("card refused a command");
    benchmark::DoNotOptimize(unwrapped);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * wire_bytes));
}
BENCHMARK(BM_CardUnwrap64K)
    ->Arg(0x03)
    ->Arg(0x33)
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);

void BM_CardProcessShort240(benchmark::State& state) {
  OpenSession session(0x03);
  const CommandApdu plain(0x80, 0xE8, 0x00, 0x00, Bytes(240, 0x3C));
  // Enough wrapped commands that pausing the timer to wrap the next batch costs nothing measurable.
  constexpr std::size_t kBatch = 4096;
  std::vector<Bytes> batch;
  std::size_t next = kBatch;
  std::size_t kept = 0;
  const Scp03Card::Application take_data = [&kept](CommandApdu& command) {
    Bytes data = std::move(command.data);  // as the ISD keeps a WRITE BLOCK's data
    kept += data.size();
    return ResponseApdu(0x9000);
  };
  for (auto _ : state) {
    if (next == kBatch) {
      state.PauseTiming();
      batch.clear();
      for (std::size_t i = 0; i < kBatch; ++i) batch.push_back(session.host->wrap(plain).encode());
      next = 0;
      state.ResumeTiming();
    }
    const Bytes response = session.card->process(batch[next++], take_data);
    if (response.size() != 2 || response[0] != 0x90) state.SkipWithError("card refused a command");
    benchmark::DoNotOptimize(response.data());
  }
  benchmark::DoNotOptimize(kept);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CardProcessShort240)->Unit(benchmark::kNanosecond)->Repetitions(5)->ReportAggregatesOnly(true);

// The in-process baseline: AES-128-CBC encryption of the same size with a reused context.
void BM_BaselineAes128CbcEncrypt64K(benchmark::State& state) {
  sefleet::crypto::Aes aes(Bytes(16, 0x11));
  const Bytes iv(16, 0);
  Bytes data(kLargeCommand + 16, 0x3C);
  for (auto _ : state) {
    aes.cbc_encrypt(iv, data, data.data());
    benchmark::DoNotOptimize(data.data());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_BaselineAes128CbcEncrypt64K)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();

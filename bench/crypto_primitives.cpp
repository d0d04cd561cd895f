// Throughput of the primitives on the SCP03 hot path: AES-128-CBC over 64 KiB, AES-CMAC-128 over
// 64 KiB, and the SCP03 session-key derivation (S-ENC, S-MAC, S-RMAC from one host/card challenge pair).
// Compare with `openssl speed -evp aes-128-cbc -bytes 16384 -seconds 3` run on the same machine.
#include <benchmark/benchmark.h>

#include <cstdint>

#include "core/bytes.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/kbkdf.hpp"

namespace {

using sefleet::Bytes;

constexpr std::size_t kPayload = 64 * 1024;

Bytes filled(std::size_t size, std::uint8_t seed) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(seed + i * 13);
  return out;
}

void BM_Aes128CbcEncrypt64K(benchmark::State& state) {
  sefleet::crypto::Aes aes(filled(16, 1));  // one key schedule, reused as SCP03 does
  const Bytes iv(16, 0);
  const Bytes in = filled(kPayload, 2);
  Bytes out(kPayload);
  for (auto _ : state) {
    aes.cbc_encrypt(iv, in, out.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayload));
}
BENCHMARK(BM_Aes128CbcEncrypt64K);

void BM_Cmac128_64K(benchmark::State& state) {
  sefleet::crypto::Cmac cmac(filled(16, 3));
  const Bytes in = filled(kPayload, 4);
  for (auto _ : state) {
    auto mac = cmac.compute(in);
    benchmark::DoNotOptimize(mac);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(kPayload));
}
BENCHMARK(BM_Cmac128_64K);

// One SCP03 session opening derives S-ENC (04), S-MAC (06) and S-RMAC (07) from the static keys,
// context = host challenge || card challenge (GP Amendment D §6.2.1). Fresh CMAC objects per key, as
// a card manager that keeps only the static key bytes would do.
void BM_Scp03SessionKeys(benchmark::State& state) {
  const Bytes enc = filled(16, 5);
  const Bytes mac = filled(16, 6);
  const Bytes context = filled(16, 7);
  for (auto _ : state) {
    auto s_enc = sefleet::crypto::scp03_kdf(enc, 0x04, 128, context);
    auto s_mac = sefleet::crypto::scp03_kdf(mac, 0x06, 128, context);
    auto s_rmac = sefleet::crypto::scp03_kdf(mac, 0x07, 128, context);
    benchmark::DoNotOptimize(s_enc.data());
    benchmark::DoNotOptimize(s_mac.data());
    benchmark::DoNotOptimize(s_rmac.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Scp03SessionKeys);

// The same derivation with CMAC objects built once per static key (the fast path).
void BM_Scp03SessionKeysReusedPrf(benchmark::State& state) {
  sefleet::crypto::Cmac enc(filled(16, 5));
  sefleet::crypto::Cmac mac(filled(16, 6));
  const Bytes context = filled(16, 7);
  for (auto _ : state) {
    auto s_enc = sefleet::crypto::scp03_kdf(enc, 0x04, 128, context);
    auto s_mac = sefleet::crypto::scp03_kdf(mac, 0x06, 128, context);
    auto s_rmac = sefleet::crypto::scp03_kdf(mac, 0x07, 128, context);
    benchmark::DoNotOptimize(s_enc.data());
    benchmark::DoNotOptimize(s_mac.data());
    benchmark::DoNotOptimize(s_rmac.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Scp03SessionKeysReusedPrf);

}  // namespace

BENCHMARK_MAIN();

// HSM role, PAUT generation rate (docs/benchmarks.md, "HSM role: PAUT generation"): one
// PautIssuer over the in-memory SoftwareKeystore, one thread, a different SE (KDD) per PAUT, so every
// PAUT derives its SE's static keys through the keystore (kdf3) and draws its host challenge from the
// keystore's generator. Target: >= 100 000 PAUTs per second.
//
// Baselines in the same run, to state a PAUT's cost in "CMAC-equivalents":
//  - one AES-128-CMAC of 16 bytes with a crypto::Cmac built once (the cheapest unit of work);
//  - one AES-128-CMAC of 16 bytes with a fresh crypto::Cmac (a key schedule per MAC, which a PAUT
//    cannot avoid for keys that exist only for one SE: K-ENC, K-MAC, S-ENC, S-MAC, S-RMAC);
//  - the kdf3 derivation alone through the keystore, and build_paut alone with precomputed keys.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/kdf3.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "paut_bench_inputs.hpp"

namespace {

using namespace sefleet;
namespace bc = gp::broadcast;

using bench::next_request;
using bench::pattern;
using bench::profile3_terms;

struct Hsm {
  Hsm() : store(offcard::SoftwareKeystore::in_memory()) {
    store->import_key("master", SecretBytes(pattern(16, 0x40)), offcard::KeyUsage::mac);
    store->generate("campaign-kek", 16, offcard::KeyUsage::wrap);
  }
  std::unique_ptr<offcard::SoftwareKeystore> store;
};

void BM_PautProfile3(benchmark::State& state) {
  Hsm hsm;
  const offcard::PautIssuer issuer(*hsm.store, offcard::KeyRef::current("master"), profile3_terms());
  std::uint32_t n = 0;
  for (auto _ : state) {
    bc::Paut paut = issuer.issue(next_request(n++));
    benchmark::DoNotOptimize(paut);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PautProfile3)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_PautProfile4(benchmark::State& state) {
  Hsm hsm;
  offcard::CampaignTerms design = profile3_terms();
  design.profile = bc::Profile::platform_key;
  design.wrapped_broadcast_keys.clear();
  design.integrity_code = Bytes(16, 0xD4);
  const Bytes envelope(4096, 0xE5);
  design.total_length = static_cast<std::uint32_t>(envelope.size());
  const auto prepared = offcard::prepare_platform_campaign(*hsm.store, offcard::KeyRef::current("campaign-kek"), design,
                                                           envelope, bc::kMaxShortChunk, false);
  const offcard::PautIssuer issuer(*hsm.store, offcard::KeyRef::current("master"), prepared.terms,
                                   offcard::KeyRef::current("campaign-kek"));
  std::uint32_t n = 0;
  for (auto _ : state) {
    bc::Paut paut = issuer.issue(next_request(n++));
    benchmark::DoNotOptimize(paut);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PautProfile4)->Repetitions(5)->ReportAggregatesOnly(true);

// Parts of a PAUT, to see where its time goes.
void BM_PartKdf3ThroughKeystore(benchmark::State& state) {
  Hsm hsm;
  std::uint32_t n = 0;
  for (auto _ : state) {
    const auto request = next_request(n++);
    auto keys = hsm.store->derive_kdf3(offcard::KeyRef::current("master"), request.kdd, request.kvn);
    benchmark::DoNotOptimize(keys);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PartKdf3ThroughKeystore)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_PartBuildPautWithGivenKeys(benchmark::State& state) {
  const offcard::CampaignTerms terms = profile3_terms();
  const gp::StaticKeySet keys = gp::kdf3_diversify(pattern(16, 0x40), Bytes(10, 0x5E), 0x30);
  bc::PautInput input;
  input.host_challenge = Bytes(8, 0x11);
  input.change_mode.profile = terms.profile;
  input.change_mode.campaign_id = terms.campaign_id;
  input.change_mode.broadcast_keys = SecretBytes(terms.wrapped_broadcast_keys);
  input.change_mode.counter = terms.start.counter;
  input.change_mode.chaining_value = terms.start.chaining_value;
  input.change_mode.key_version = terms.platform_key_version;
  input.change_mode.total_length = terms.total_length;
  input.authorize.campaign_id = terms.campaign_id;
  input.authorize.integrity_code = terms.integrity_code;
  std::uint32_t n = 0;
  for (auto _ : state) {
    input.sequence_counter = n++ % 0xFFFFF0;
    bc::Paut paut = bc::build_paut(keys, input);
    benchmark::DoNotOptimize(paut);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PartBuildPautWithGivenKeys)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_PartHostChallengeFromKeystore(benchmark::State& state) {
  Hsm hsm;
  for (auto _ : state) {
    Bytes challenge = hsm.store->random(8);
    benchmark::DoNotOptimize(challenge);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PartHostChallengeFromKeystore)->Repetitions(5)->ReportAggregatesOnly(true);

// Baselines.
void BM_BaselineCmac16ReusedKey(benchmark::State& state) {
  crypto::Cmac cmac(pattern(16, 0x40));
  Bytes block(16, 0x01);
  for (auto _ : state) {
    const crypto::Mac16 mac = cmac.compute(block);
    block[0] = mac[0];  // a dependency between iterations
    benchmark::DoNotOptimize(block);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineCmac16ReusedKey)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_BaselineCmac16NewKey(benchmark::State& state) {
  Bytes key = pattern(16, 0x40);
  Bytes block(16, 0x01);
  for (auto _ : state) {
    crypto::Cmac cmac(key);
    const crypto::Mac16 mac = cmac.compute(block);
    key[0] = mac[0];
    benchmark::DoNotOptimize(key);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineCmac16NewKey)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();

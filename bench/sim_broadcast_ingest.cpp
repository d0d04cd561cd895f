// SE ingest of the broadcast stream, in-process: a whole virtual SE (runtime, ISD, card
// state, NVM store on a RAM medium) receives a 16 MiB stream as 64 KB extended WRITE BLOCKs under the
// broadcast context — C-MAC verification, C-DECRYPTION, block checks and one journaled NVM
// transaction per block — then the final CHANGE MODE. The diversified session and CHANGE MODE to
// broadcast (PAUT[0..2]) are set up with the clock paused; only the PSE is timed.
// bench/scripts/broadcast_ingest.sh runs it next to `openssl speed -evp aes-128-cbc` and prints the ratio.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/kdf3.hpp"
#include "sim/fleet/virtual_fleet.hpp"

namespace {

using namespace sefleet;
namespace bc = gp::broadcast;

constexpr std::size_t kImageSize = std::size_t{16} << 20;
constexpr std::size_t kChunk = 64 * 1024 - 256;  // 65 280: the largest plain chunk of an extended WRITE BLOCK

sim::FleetConfig one_se() {
  sim::FleetConfig config;
  config.size = 1;
  config.master_key = SecretBytes(Bytes(16, 0x4D));
  config.platform_keys.version = 1;
  config.platform_keys.kos = SecretBytes(Bytes(16, 0x05));
  config.platform_keys.kmac = SecretBytes(Bytes(16, 0x0A));
  return config;
}

bool ok(const Bytes& response) {
  return response.size() >= 2 && response[response.size() - 2] == 0x90 && response.back() == 0x00;
}

void BM_SeIngestBroadcastStream(benchmark::State& state) {
  sim::VirtualFleet fleet(one_se());
  transport::CardChannel& channel = fleet.channel(0);
  const auto& profile = fleet.profile(0);
  crypto::DeterministicRandom random(Bytes{0x16});
  const Bytes stream = random.bytes(kImageSize);
  const bc::BroadcastKeys bk{SecretBytes(random.bytes(16)), SecretBytes(random.bytes(16))};
  bc::BroadcastContextStart start;
  const Bytes c3 = random.bytes(16), c4 = random.bytes(16);
  std::copy(c3.begin(), c3.end(), start.counter.begin());
  std::copy(c4.begin(), c4.end(), start.chaining_value.begin());
  const std::vector<Bytes> pse = bc::build_pse(bk, start, stream, kChunk, true);
  if (!ok(channel.transmit(
          Bytes{0x00, 0xA4, 0x04, 0x00, 0x08, 0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00, 0x00}))) {
    state.SkipWithError("SELECT ISD failed");
    return;
  }
  std::uint32_t counter = 0;
  for (auto _ : state) {
    state.PauseTiming();
    bc::PautInput input;
    input.sequence_counter = counter++;
    input.host_challenge = random.bytes(8);
    input.change_mode.profile = bc::Profile::platform_key;
    input.change_mode.campaign_id.fill(0x16);
    input.change_mode.broadcast_keys = bc::join_broadcast_keys(bk);
    input.change_mode.counter = start.counter;
    input.change_mode.chaining_value = start.chaining_value;
    input.change_mode.key_version = 1;
    input.change_mode.total_length = static_cast<std::uint32_t>(stream.size());
    input.authorize.campaign_id.fill(0x16);
    input.authorize.integrity_code = Bytes(16, 0);
    const bc::Paut paut = bc::build_paut(profile.scp03, input);
    for (std::size_t k = 0; k < 3; ++k) {
      if (!ok(channel.transmit(paut.commands[k].encode()))) {
        state.SkipWithError("PAUT command refused");
        return;
      }
    }
    state.ResumeTiming();
    for (const Bytes& command : pse) {
      if (!ok(channel.transmit(command))) {
        state.SkipWithError("PSE command refused");
        return;
      }
    }
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * stream.size()));
  state.counters["blocks"] = static_cast<double>(pse.size() - 1);
}
BENCHMARK(BM_SeIngestBroadcastStream)->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();

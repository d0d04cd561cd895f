// Campaign preparation for N = 1,000 SEs and a 1 MiB image, both ways, in one binary:
//  - broadcast (docs/broadcast-channel.md): the design system builds ONE PSE (profile 3) and the HSM issues one
//    PAUT per SE (kdf3 derivation through the software keystore, session keys, the four commands);
//  - per SE (what the seed replaces): for each SE, kdf3 derivation, session keys, host cryptogram and
//    EXTERNAL AUTHENTICATE C-MAC, then the whole image as SCP03-wrapped WRITE BLOCKs in that SE's own
//    session (C-DECRYPTION + C-MAC of a full copy per SE).
// Both use extended WRITE BLOCKs of 65 280 plain bytes (the fewest APDUs, which favours the per-SE side).
// bench/scripts/campaign_prep.sh runs it and prints both times and the ratio.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/secure_messaging.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/per_se_baseline.hpp"
#include "offcard/keystore/software_keystore.hpp"

namespace {

using namespace sefleet;
namespace bc = gp::broadcast;

constexpr std::size_t kSes = 1000;
constexpr std::size_t kImageSize = std::size_t{1} << 20;

struct Setup {
  Setup() : design(offcard::SoftwareKeystore::in_memory()), hsm(offcard::SoftwareKeystore::in_memory()) {
    design->import_key("kos", SecretBytes(Bytes(16, 0x05)), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
    design->import_key("kmac", SecretBytes(Bytes(16, 0x0A)), offcard::KeyUsage::mac);
    hsm->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
    crypto::DeterministicRandom random(Bytes{0x01});
    body = random.bytes(kImageSize);
    for (std::size_t n = 0; n < kSes; ++n) {
      offcard::SeAuthorizationRequest request;
      request.se_id = Bytes{'S', 'E', static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
      request.kdd =
          Bytes{0x5E, 0xF1, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
      request.kvn = 0x30;
      request.i = 0x70;
      request.sequence_counter = static_cast<std::uint32_t>(n % 1000);
      requests.push_back(request);
    }
  }

  offcard::CampaignDesign campaign_design() const {
    offcard::CampaignDesign d;
    d.manifest.type = bc::ImageType::os;
    d.manifest.version = 2;
    d.manifest.name = "os-2";
    d.body = body;
    d.profile = bc::Profile::campaign_key;
    d.kos = offcard::KeyRef::current("kos");
    d.kmac = offcard::KeyRef::current("kmac");
    d.platform_key_version = 1;
    d.chunk_size = bc::kMaxExtendedChunk;
    d.extended = true;
    return d;
  }

  std::unique_ptr<offcard::SoftwareKeystore> design;
  std::unique_ptr<offcard::SoftwareKeystore> hsm;
  Bytes body;
  std::vector<offcard::SeAuthorizationRequest> requests;
};

Setup& setup() {
  static Setup instance;
  return instance;
}

void BM_PrepareBroadcastCampaign(benchmark::State& state) {
  Setup& s = setup();
  const offcard::CampaignDesign design = s.campaign_design();
  std::size_t bytes = 0;
  for (auto _ : state) {
    const offcard::CampaignPackage package = offcard::design_campaign(*s.design, design);
    offcard::PautIssuer issuer(*s.hsm, offcard::KeyRef::current("master"), package.terms);
    bytes = 0;
    for (const auto& command : package.pse) bytes += command.size();
    for (const auto& request : s.requests) {
      const bc::Paut paut = issuer.issue(request, bc::Action::verify_and_activate);
      for (const auto& command : paut.commands) bytes += command.encode().size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["ses"] = static_cast<double>(kSes);
  state.counters["output_MiB"] = static_cast<double>(bytes) / (1 << 20);
}
BENCHMARK(BM_PrepareBroadcastCampaign)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_PreparePerSeCopies(benchmark::State& state) {
  Setup& s = setup();
  crypto::DeterministicRandom random(Bytes{0x02});
  const Bytes datasend = bc::encode_datasend(s.campaign_design().manifest, s.body);
  std::size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (const auto& request : s.requests) {
      const gp::StaticKeySet keys = s.hsm->derive_kdf3(offcard::KeyRef::current("master"), request.kdd, request.kvn);
      const Bytes host_challenge = random.bytes(8);
      const Bytes card_challenge = gp::pseudo_random_card_challenge(keys.enc.view(), gp::Scp03Mode::s8,
                                                                    request.sequence_counter + 1, gp::isd_aid());
      const gp::SessionKeys session = gp::derive_session_keys(keys, host_challenge, card_challenge);
      const Bytes cryptogram =
          gp::host_cryptogram(session.s_mac.view(), gp::Scp03Mode::s8, host_challenge, card_challenge);
      gp::SecureMessaging engine(session, gp::Scp03Mode::s8, 0x33);
      const crypto::Mac16 ea_mac = engine.external_authenticate_mac(0x84, 0x33, cryptogram);
      engine.begin(ea_mac);
      const auto commands = offcard::per_se_write_blocks(engine, datasend, bc::kMaxExtendedChunk, true);
      for (const auto& command : commands) bytes += command.size();
    }
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["ses"] = static_cast<double>(kSes);
  state.counters["output_MiB"] = static_cast<double>(bytes) / (1 << 20);
}
BENCHMARK(BM_PreparePerSeCopies)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace

BENCHMARK_MAIN();

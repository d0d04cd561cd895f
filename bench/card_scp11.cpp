// SCP11 session establishment on the whole virtual SE (docs/benchmarks.md, "SCP11 session
// establishment"): the command bytes a transport hands the card, through the runtime, the ISD and the
// card's stored SCP11 keys (card state over an NVM store on a RAM medium), to the open session.
//  - BM_IsdScp11bEstablish: one INTERNAL AUTHENTICATE (SCP11b);
//  - BM_IsdScp11aEstablish (for information): two PERFORM SECURITY OPERATION (an X.509 intermediate and
//    a GlobalPlatform-format OCE certificate, each verified) and MUTUAL AUTHENTICATE (SCP11a).
// The host's commands are built once and replayed: the card draws a new ephemeral key every time.
// bench/scripts/scp11_establishment.sh sets these against `openssl speed ecdhp256` in the same run.
#include <benchmark/benchmark.h>

#include <memory>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/state/card_profile.hpp"
#include "card/state/card_state.hpp"
#include "card/state/scp11_store.hpp"
#include "card/virtual_card.hpp"
#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_host.hpp"

namespace {

using namespace sefleet;
using namespace sefleet::card;
using crypto::P256PrivateKey;
namespace scp11 = gp::scp11;

constexpr std::uint8_t kSdKvn = 0x01;
constexpr std::uint8_t kOceKvn = 0x10;

struct Keys {
  P256PrivateKey sd = P256PrivateKey::generate();
  P256PrivateKey oce_ca = P256PrivateKey::generate();
  P256PrivateKey oce_intermediate = P256PrivateKey::generate();
  std::shared_ptr<const P256PrivateKey> oce = std::make_shared<const P256PrivateKey>(P256PrivateKey::generate());
};

const Keys& keys() {
  static const Keys instance;
  return instance;
}

std::vector<Bytes> oce_chain() {
  const Keys& k = keys();
  scp11::GpCertificateFields fields;
  fields.serial = Bytes(8, 0x0E);
  fields.ca_kloc_identifier = Bytes(20, 0xF1);
  fields.subject_identifier = Bytes(20, 0x0E);
  fields.public_key = k.oce->public_uncompressed();
  return {
      crypto::X509Certificate::issue(k.oce_intermediate.public_key(), "OCE intermediate", k.oce_ca, "OCE CA", 30).der(),
      scp11::make_gp_certificate(fields, k.oce_intermediate)};
}

// A card personalized with SCP03 keys and the SCP11 key pair and OCE CA key, powered on, ISD selected.
class Card {
 public:
  Card() {
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
      Scp11Profile scp11;
      scp11.kvn = kSdKvn;
      scp11.sk_sd_ecka = keys().sd.scalar();
      scp11.oce_kvn = kOceKvn;
      scp11.oce_ca_pk = keys().oce_ca.public_uncompressed();
      Scp11Store::personalize(store, scp11, profile.se_id);
    }
    card_ = std::make_unique<VirtualCard>(VirtualCard::open(std::make_unique<nvm::MemoryDevice>(medium)));
    card_->endpoint().power_on();
    ok_ = ok(transmit(from_hex("00A4040008A00000015100000000")));
  }
  Bytes transmit(const Bytes& command) { return card_->endpoint().transmit(command); }
  static bool ok(const Bytes& response) {
    return response.size() >= 2 && response[response.size() - 2] == 0x90 && response.back() == 0x00;
  }
  bool selected() const { return ok_; }

 private:
  std::unique_ptr<VirtualCard> card_;
  bool ok_ = false;
};

scp11::Scp11HostOptions host_options(scp11::Variant variant) {
  scp11::Scp11HostOptions options;
  options.variant = variant;
  options.kvn = kSdKvn;
  return options;
}

void BM_IsdScp11bEstablish(benchmark::State& state) {
  Card card;
  if (!card.selected()) state.SkipWithError("SELECT ISD");
  scp11::Scp11Host host(host_options(scp11::Variant::b), keys().sd.public_uncompressed());
  const Bytes command = host.authenticate().encode();
  for (auto _ : state) {
    const Bytes response = card.transmit(command);
    if (!Card::ok(response)) state.SkipWithError("INTERNAL AUTHENTICATE refused");
    benchmark::DoNotOptimize(response.data());
  }
}
BENCHMARK(BM_IsdScp11bEstablish)->Unit(benchmark::kMicrosecond);

void BM_IsdScp11aEstablish(benchmark::State& state) {
  Card card;
  if (!card.selected()) state.SkipWithError("SELECT ISD");
  scp11::Scp11Host host(host_options(scp11::Variant::a), keys().sd.public_uncompressed(),
                        scp11::OceCredentials{keys().oce, oce_chain(), kOceKvn, {}});
  std::vector<Bytes> commands;
  for (const auto& upload : host.certificate_uploads()) commands.push_back(upload.encode());
  commands.push_back(host.authenticate().encode());
  for (auto _ : state) {
    for (const Bytes& command : commands) {
      const Bytes response = card.transmit(command);
      if (!Card::ok(response)) state.SkipWithError("PERFORM SECURITY OPERATION or MUTUAL AUTHENTICATE refused");
      benchmark::DoNotOptimize(response.data());
    }
  }
}
BENCHMARK(BM_IsdScp11aEstablish)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

// SCP11 session establishment speed (docs/benchmarks.md, "SCP11 session establishment"), both roles,
// without transport:
//  - card, SCP11b: one INTERNAL AUTHENTICATE through gp::scp11::Scp11CardChannel::authenticate (parse
//    ePK.OCE.ECKA, a fresh ephemeral key pair, two ECDH, the X9.63 KDF, the receipt, the session keys);
//  - host, SCP11b: Scp11Host::authenticate (a fresh eSK.OCE.ECKA, the command) and complete() on the
//    card's answer (two ECDH, the KDF, the receipt check, the secure messaging set up);
//  - card, SCP11a (for information): the OCE chain of two certificates through PERFORM SECURITY
//    OPERATION (two ECDSA verifications), then MUTUAL AUTHENTICATE.
// Target: each SCP11b figure <= 2.5x the time of two ECDH of `openssl speed ecdhp256`, which
// bench/scripts/scp11_establishment.sh measures in the same run. BM_BaselineEcdhP256 is that ECDH in
// this process (EVP_PKEY_derive on a context prepared beforehand, as openssl speed times it).
#include <benchmark/benchmark.h>

#include <memory>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_card.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_host.hpp"

namespace {

using sefleet::Bytes;
using sefleet::ByteView;
using sefleet::MutableByteView;
using sefleet::crypto::P256PrivateKey;
using sefleet::iso7816::CommandApdu;
using sefleet::iso7816::ResponseApdu;
namespace scp11 = sefleet::gp::scp11;

constexpr std::uint8_t kSdKvn = 0x01;
constexpr std::uint8_t kOceKvn = 0x10;

// Gives the same bytes on every draw: the host then sends the same ephemeral key each iteration, so one
// recorded card answer completes every iteration's session (the host still does all of its work).
class ReplayRandom final : public sefleet::crypto::Random {
 public:
  explicit ReplayRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  void fill(MutableByteView out) override {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = bytes_[i % bytes_.size()];
  }

 private:
  Bytes bytes_;
};

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

scp11::Scp11CardKeys card_keys() {
  scp11::Scp11CardKeys out;
  out.kvn = kSdKvn;
  out.sd_key = &keys().sd;
  out.oce_kvn = kOceKvn;
  out.oce_ca_key = keys().oce_ca.public_uncompressed();
  return out;
}

// The OCE chain: an X.509 intermediate under the OCE CA, then the GlobalPlatform-format OCE certificate.
std::vector<Bytes> oce_chain() {
  const Keys& k = keys();
  scp11::GpCertificateFields fields;
  fields.serial = Bytes(8, 0x0E);
  fields.ca_kloc_identifier = Bytes(20, 0xF1);
  fields.subject_identifier = Bytes(20, 0x0E);
  fields.public_key = k.oce->public_uncompressed();
  return {sefleet::crypto::X509Certificate::issue(k.oce_intermediate.public_key(), "OCE intermediate", k.oce_ca,
                                                  "OCE CA", 30)
              .der(),
          scp11::make_gp_certificate(fields, k.oce_intermediate)};
}

scp11::Scp11HostOptions host_options(scp11::Variant variant) {
  scp11::Scp11HostOptions options;
  options.variant = variant;
  options.kvn = kSdKvn;
  return options;
}

void expect_ok(const ResponseApdu& response, benchmark::State& state, const char* what) {
  if (response.sw != 0x9000) state.SkipWithError(what);
}

void BM_CardScp11bEstablish(benchmark::State& state) {
  scp11::Scp11Host host(host_options(scp11::Variant::b), keys().sd.public_uncompressed());
  const CommandApdu command = host.authenticate();
  const scp11::Scp11CardKeys card = card_keys();
  scp11::Scp11CardChannel channel;
  std::optional<scp11::Scp11Established> established;
  for (auto _ : state) {
    const ResponseApdu response = channel.authenticate(command, card, sefleet::crypto::system_random(), established);
    benchmark::DoNotOptimize(response.data.data());
    if (!established) state.SkipWithError("INTERNAL AUTHENTICATE refused");
  }
}
BENCHMARK(BM_CardScp11bEstablish)->Unit(benchmark::kMicrosecond);

void BM_HostScp11bEstablish(benchmark::State& state) {
  ReplayRandom random(Bytes(32, 0x5A));
  scp11::Scp11Host host(host_options(scp11::Variant::b), keys().sd.public_uncompressed(), std::nullopt, random);
  // The card's answer to the command every iteration sends.
  scp11::Scp11CardChannel card;
  std::optional<scp11::Scp11Established> established;
  const ResponseApdu answer = card.authenticate(host.authenticate(), card_keys(), random, established);
  expect_ok(answer, state, "INTERNAL AUTHENTICATE refused");
  for (auto _ : state) {
    const CommandApdu command = host.authenticate();
    benchmark::DoNotOptimize(command.data.data());
    host.complete(answer);
    benchmark::DoNotOptimize(host.receipt());
  }
  if (host.state() != scp11::Scp11Host::State::open) state.SkipWithError("host session not open");
}
BENCHMARK(BM_HostScp11bEstablish)->Unit(benchmark::kMicrosecond);

void BM_CardScp11aEstablish(benchmark::State& state) {
  scp11::OceCredentials oce{keys().oce, oce_chain(), kOceKvn, {}};
  scp11::Scp11Host host(host_options(scp11::Variant::a), keys().sd.public_uncompressed(), oce);
  const std::vector<CommandApdu> uploads = host.certificate_uploads();
  const CommandApdu command = host.authenticate();
  const scp11::Scp11CardKeys card = card_keys();
  scp11::Scp11CardChannel channel;
  std::optional<scp11::Scp11Established> established;
  for (auto _ : state) {
    for (const CommandApdu& upload : uploads) expect_ok(channel.perform_security_operation(upload, card), state, "PSO");
    const ResponseApdu response = channel.authenticate(command, card, sefleet::crypto::system_random(), established);
    benchmark::DoNotOptimize(response.data.data());
    if (!established) state.SkipWithError("MUTUAL AUTHENTICATE refused");
  }
}
BENCHMARK(BM_CardScp11aEstablish)->Unit(benchmark::kMicrosecond);

// One P-256 ECDH as `openssl speed ecdhp256` times it: keys made and the derive context set up before
// the loop, only EVP_PKEY_derive inside.
void BM_BaselineEcdhP256(benchmark::State& state) {
  const P256PrivateKey own = P256PrivateKey::generate();
  const P256PrivateKey peer = P256PrivateKey::generate();
  const sefleet::crypto::P256PublicKey peer_public = peer.public_key();
  sefleet::crypto::detail::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, own.handle(), nullptr));
  if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 || EVP_PKEY_derive_set_peer(ctx.get(), peer_public.handle()) != 1) {
    state.SkipWithError("ECDH set-up");
    return;
  }
  unsigned char secret[32];
  for (auto _ : state) {
    std::size_t length = sizeof secret;
    if (EVP_PKEY_derive(ctx.get(), secret, &length) != 1) state.SkipWithError("ECDH");
    benchmark::DoNotOptimize(secret);
  }
}
BENCHMARK(BM_BaselineEcdhP256)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();

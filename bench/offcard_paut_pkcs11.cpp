// PAUT generation through a PKCS#11 token (SoftHSM2) against the in-memory software keystore, in the
// same run (docs/benchmarks.md, "HSM: PKCS#11 keystore"). Same PautIssuer, same master key
// value, a different SE (KDD) per PAUT; the only difference is where kdf3's CMACs (C_Sign
// CKM_AES_CMAC) and the host challenge (C_GenerateRandom) are computed. Also the token's unit costs:
// one C_Sign CMAC of 16 bytes and one kdf3 derivation. Threads(2): the session pool on 2 cores.
//
// The token is created in a temp dir with softhsm2-util at start (SOFTHSM2_CONF points there).
#include <benchmark/benchmark.h>

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "paut_bench_inputs.hpp"

namespace {

using namespace sefleet;
namespace bc = gp::broadcast;

using bench::next_request;
using bench::pattern;
using bench::profile3_terms;

// One SoftHSM2 token and one software store, both holding the same master key, for the whole run.
struct Stores {
  Stores() {
    dir = std::filesystem::temp_directory_path() / ("sefleet-bench-p11-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir / "tokens");
    std::ofstream(dir / "softhsm2.conf") << "directories.tokendir = " << (dir / "tokens").string()
                                         << "\nobjectstore.backend = file\nlog.level = ERROR\n";
    ::setenv("SOFTHSM2_CONF", (dir / "softhsm2.conf").c_str(), 1);
    if (std::system("softhsm2-util --init-token --free --label bench --pin 1234 --so-pin 5678 >/dev/null") != 0) {
      throw std::runtime_error("softhsm2-util --init-token failed");
    }
    token = offcard::Pkcs11Keystore::open(
        offcard::Pkcs11Config{"/usr/lib/softhsm/libsofthsm2.so", "bench", SecretBytes(bytes_of("1234"))});
    software = offcard::SoftwareKeystore::in_memory();
    for (offcard::Keystore* store :
         {static_cast<offcard::Keystore*>(token.get()), static_cast<offcard::Keystore*>(software.get())}) {
      store->import_key("master", SecretBytes(pattern(16, 0x40)), offcard::KeyUsage::mac);
    }
  }
  ~Stores() {
    token.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  std::filesystem::path dir;
  std::unique_ptr<offcard::Pkcs11Keystore> token;
  std::unique_ptr<offcard::SoftwareKeystore> software;
};

Stores& stores() {
  static Stores instance;
  return instance;
}

void run_pauts(benchmark::State& state, offcard::Keystore& store) {
  const offcard::PautIssuer issuer(store, offcard::KeyRef::current("master"), profile3_terms());
  std::uint32_t n = static_cast<std::uint32_t>(state.thread_index()) << 24;
  for (auto _ : state) {
    bc::Paut paut = issuer.issue(next_request(n++));
    benchmark::DoNotOptimize(paut);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_PautSoftwareKeystore(benchmark::State& state) {
  run_pauts(state, *stores().software);
}
BENCHMARK(BM_PautSoftwareKeystore)->Threads(1)->Threads(2)->UseRealTime()->Repetitions(3)->ReportAggregatesOnly(true);

void BM_PautPkcs11SoftHsm(benchmark::State& state) {
  run_pauts(state, *stores().token);
}
BENCHMARK(BM_PautPkcs11SoftHsm)->Threads(1)->Threads(2)->UseRealTime()->Repetitions(3)->ReportAggregatesOnly(true);

void BM_Pkcs11CmacSign16(benchmark::State& state) {
  const Bytes data(16, 0x33);
  for (auto _ : state) benchmark::DoNotOptimize(stores().token->cmac(offcard::KeyRef::current("master"), data));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pkcs11CmacSign16)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_Pkcs11Kdf3(benchmark::State& state) {
  std::uint32_t n = 0;
  for (auto _ : state) {
    const auto request = next_request(n++);
    benchmark::DoNotOptimize(stores().token->derive_kdf3(offcard::KeyRef::current("master"), request.kdd, request.kvn));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pkcs11Kdf3)->Repetitions(3)->ReportAggregatesOnly(true);

void BM_Pkcs11Random8(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(stores().token->random(8));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pkcs11Random8)->Repetitions(3)->ReportAggregatesOnly(true);

}  // namespace

BENCHMARK_MAIN();

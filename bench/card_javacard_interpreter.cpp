// The Java Card VM's interpreter (bench/javacard/interpreter, javac output loaded through the facade):
//  - BM_JavaLoop: BenchApplet.loop(n), simple int bytecodes (loads, stores, iadd, ixor, ishl,
//    iushr, iinc, if_icmplt, goto) in bytecodes per second; BM_CppLoop: the same loop in C++ (the
//    baseline of the ratio, same run). Target: >= 100 M bytecodes/s.
//  - BM_JavaSelectCommand / BM_CppSelectCommand: SELECT + one echo command through Runtime::transmit
//    on a RAM NVM medium, the Java applet against a C++ applet doing the same. Target: <= 3x.
//  - BM_LoadInstall: the VM's part of LOAD + INSTALL on a RAM NVM medium: decode the .sfjc bytes,
//    verify, link and store the package (its static initialisers run), install an applet instance.
//    Arg 0: the 9 KB package of tests/card/javacard/applet; arg 1: the 64 KB package of
//    tests/card/javacard/security (javac output, as users produce it). Target: <= 50 ms for 20 KB.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/loadfile/load_file.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"

namespace {

using namespace sefleet;
using namespace sefleet::card;

const Bytes kPackageAid = from_hex("F0000000FF");
const Bytes kClassAid = from_hex("F0000000FF01");
const Bytes kInstanceAid = from_hex("F0000000FF0101");
const Bytes kSelect = from_hex("00A4040007F0000000FF010100");
const Bytes kEcho = from_hex("8001000004010203040000");

// The load file of the classes under `root` (one package).
javacard::LoadFile package_of(const std::filesystem::path& root, std::string name, const Bytes& package_aid,
                              const std::string& applet_class, const Bytes& class_aid) {
  javacard::LoadFile file;
  file.package_aid = package_aid;
  file.package_name = std::move(name);
  file.applets.push_back(javacard::AppletDeclaration{applet_class, class_aid});
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".class") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    file.classes.push_back(javacard::ClassBytes{
        std::filesystem::relative(entry.path(), root).replace_extension().generic_string(), std::move(bytes)});
  }
  std::ranges::sort(file.classes, {}, &javacard::ClassBytes::name);
  return file;
}

javacard::LoadFile bench_package() {
  return package_of(SEFLEET_BENCH_JAVACARD_CLASSES, "com/sefleet/bench", kPackageAid, "com/sefleet/bench/BenchApplet",
                    kClassAid);
}

// A card with the bench applet installed and powered (RAM medium).
struct BenchCard {
  BenchCard() : medium(std::make_shared<Bytes>()), random(Bytes{7}) {
    nvm::MemoryDevice device(medium);
    nvm::NvmStore::format(device);
    store = std::make_unique<nvm::NvmStore>(std::make_unique<nvm::MemoryDevice>(medium));
    javacard::VmServices services;
    services.store = store.get();
    services.clock = &clock;
    services.random = &random;
    vm = std::make_unique<javacard::JavaCardVm>(services);
    vm->load(bench_package());
    RuntimeConfig config;
    config.store = store.get();
    config.clock = &clock;
    config.random = &random;
    runtime = std::make_unique<Runtime>(std::move(config));
    vm->attach(*runtime);
    RegistryEntry entry;
    entry.aid = kInstanceAid;
    runtime->install_applet(std::move(entry), vm->install(kPackageAid, kClassAid, kInstanceAid, {}));
    runtime->power_on();
  }

  nvm::MemoryDevice::Medium medium;
  VirtualClock clock;
  crypto::DeterministicRandom random;
  std::unique_ptr<nvm::NvmStore> store;
  std::unique_ptr<javacard::JavaCardVm> vm;
  std::unique_ptr<Runtime> runtime;
};

void BM_JavaLoop(benchmark::State& state) {
  BenchCard card;
  javacard::vm::Vm& machine = card.vm->machine();
  const javacard::vm::RtClass* cls = machine.find_class("com/sefleet/bench/BenchApplet");
  const javacard::vm::RtMethod* loop = cls->find_method("loop", "(I)I");
  const std::int32_t args[] = {static_cast<std::int32_t>(state.range(0))};
  std::uint64_t bytecodes = 0;
  for (auto _ : state) {
    machine.begin_entry(javacard::vm::EntryState{});
    benchmark::DoNotOptimize(machine.call(*loop, args, cls->package->context, javacard::vm::kNoInstance));
    bytecodes += machine.entry().executed;
    machine.end_entry();
  }
  state.counters["bytecodes_per_s"] = benchmark::Counter(static_cast<double>(bytecodes), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_JavaLoop)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

// The same computation in C++ (one loop iteration = the 14 bytecodes of the Java loop body and test).
std::int32_t cpp_loop(std::int32_t n) {
  std::uint32_t sum = 0;
  std::uint32_t x = 7;
  for (std::int32_t i = 0; i < n; ++i) {
    sum += static_cast<std::uint32_t>(i) ^ x;
    x = (x << 1) + (sum >> 3);
    benchmark::DoNotOptimize(x);
  }
  return static_cast<std::int32_t>(sum);
}

void BM_CppLoop(benchmark::State& state) {
  const auto n = static_cast<std::int32_t>(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(cpp_loop(n));
  state.counters["iterations_per_s"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(n), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_CppLoop)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_JavaSelectCommand(benchmark::State& state) {
  BenchCard card;
  for (auto _ : state) {
    benchmark::DoNotOptimize(card.runtime->transmit(kSelect));
    benchmark::DoNotOptimize(card.runtime->transmit(kEcho));
  }
}
BENCHMARK(BM_JavaSelectCommand)->Unit(benchmark::kMicrosecond);

// The C++ applet doing what BenchApplet does: an empty answer to its SELECT, the echo.
class EchoApplet final : public Applet {
 public:
  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext&) override {
    if (command.ins == 0xA4) return iso7816::ResponseApdu(0x9000);
    if (command.ins != 0x01) return iso7816::ResponseApdu(0x6D00);
    return iso7816::ResponseApdu(command.data, 0x9000);
  }
};

void BM_CppSelectCommand(benchmark::State& state) {
  auto medium = std::make_shared<Bytes>();
  nvm::MemoryDevice device(medium);
  nvm::NvmStore::format(device);
  nvm::NvmStore store(std::make_unique<nvm::MemoryDevice>(medium));
  VirtualClock clock;
  crypto::DeterministicRandom random(Bytes{7});
  RuntimeConfig config;
  config.store = &store;
  config.clock = &clock;
  config.random = &random;
  Runtime runtime(std::move(config));
  RegistryEntry entry;
  entry.aid = kInstanceAid;
  runtime.install_applet(std::move(entry), std::make_unique<EchoApplet>());
  runtime.power_on();
  for (auto _ : state) {
    benchmark::DoNotOptimize(runtime.transmit(kSelect));
    benchmark::DoNotOptimize(runtime.transmit(kEcho));
  }
}
BENCHMARK(BM_CppSelectCommand)->Unit(benchmark::kMicrosecond);

// An empty card: RAM medium, formatted store, the VM started (its ROM initialised).
struct EmptyCard {
  EmptyCard() : medium(std::make_shared<Bytes>()), random(Bytes{7}) {
    nvm::MemoryDevice device(medium);
    nvm::NvmStore::format(device);
    store = std::make_unique<nvm::NvmStore>(std::make_unique<nvm::MemoryDevice>(medium));
    javacard::VmServices services;
    services.store = store.get();
    services.clock = &clock;
    services.random = &random;
    vm = std::make_unique<javacard::JavaCardVm>(services);
  }

  nvm::MemoryDevice::Medium medium;
  VirtualClock clock;
  crypto::DeterministicRandom random;
  std::unique_ptr<nvm::NvmStore> store;
  std::unique_ptr<javacard::JavaCardVm> vm;
};

void BM_LoadInstall(benchmark::State& state) {
  const Bytes package_aid = from_hex("F0000000EE");
  const Bytes class_aid = from_hex("F0000000EE01");
  const Bytes instance_aid = from_hex("F0000000EE0101");
  const javacard::LoadFile file = state.range(0) == 0
                                      ? package_of(SEFLEET_BENCH_JAVACARD_APPLET_CLASSES, "com/sefleet/test/applet",
                                                   package_aid, "com/sefleet/test/applet/TestApplet", class_aid)
                                      : package_of(SEFLEET_BENCH_JAVACARD_SECURITY_CLASSES, "sefleet/test/security",
                                                   package_aid, "sefleet/test/security/SecurityTestApplet", class_aid);
  const Bytes encoded = javacard::encode_load_file(file);
  for (auto _ : state) {
    state.PauseTiming();
    auto card = std::make_unique<EmptyCard>();
    state.ResumeTiming();
    card->vm->load(javacard::decode_load_file(encoded));
    benchmark::DoNotOptimize(card->vm->install(package_aid, class_aid, instance_aid, {}));
    state.PauseTiming();
    card.reset();
    state.ResumeTiming();
  }
  state.counters["load_file_bytes"] = static_cast<double>(encoded.size());
}
BENCHMARK(BM_LoadInstall)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

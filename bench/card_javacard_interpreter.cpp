// The Java Card VM's interpreter (bench/javacard/interpreter, javac output loaded through the facade):
//  - BM_JavaLoop: BenchApplet.loop(n), simple int bytecodes (loads, stores, iadd, ixor, ishl,
//    iushr, iinc, if_icmplt, goto) in bytecodes per second; BM_CppLoop: the same loop in C++ (the
//    baseline of the ratio, same run). Target: >= 100 M bytecodes/s.
//  - BM_JavaSelectCommand / BM_CppSelectCommand: SELECT + one echo command through Runtime::transmit
//    on a RAM NVM medium, the Java applet against a C++ applet doing the same. Target: <= 3x.
#include <benchmark/benchmark.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "card/javacard/java_card_vm.hpp"
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

javacard::LoadFile bench_package() {
  javacard::LoadFile file;
  file.package_aid = kPackageAid;
  file.package_name = "com/sefleet/bench";
  file.applets.push_back(javacard::AppletDeclaration{"com/sefleet/bench/BenchApplet", kClassAid});
  const std::filesystem::path root(SEFLEET_BENCH_JAVACARD_CLASSES);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.path().extension() != ".class") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    file.classes.push_back(javacard::ClassBytes{
        std::filesystem::relative(entry.path(), root).replace_extension().generic_string(), std::move(bytes)});
  }
  return file;
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

}  // namespace

BENCHMARK_MAIN();

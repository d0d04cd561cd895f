// Parse + verify of Java class files: what LOAD does for every class of a load file before linking it
// (docs/javacard.md "Verifier"). Input: every class file of the VM's ROM (the Java Card API stubs and
// the VM's implementation classes, as javac wrote them). Figures: bytes/s, and the time for 20 KiB of
// class files ("per_20KiB": a 20 KB load file's classes, against LOAD + INSTALL's 50 ms budget).
// Baseline in the same run: SHA-256 over the same bytes (LOAD hashes the whole load file anyway).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <vector>

#include "card/javacard/classfile/class_file.hpp"
#include "card/javacard/classfile/verifier.hpp"
#include "card/javacard/vm/rom_image.hpp"
#include "core/bytes.hpp"
#include "crypto/hash.hpp"

namespace {

using namespace sefleet;
using namespace sefleet::card::javacard;

constexpr double kLoadFileBytes = 20 * 1024;

std::vector<ByteView> rom_classes() {
  std::vector<ByteView> classes;
  for (const auto& file : vm::rom_class_files()) classes.emplace_back(file.data, file.size);
  return classes;
}

std::size_t total_size(const std::vector<ByteView>& classes) {
  std::size_t total = 0;
  for (const ByteView cls : classes) total += cls.size();
  return total;
}

void report(benchmark::State& state, std::size_t bytes) {
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * bytes));
  state.counters["classes"] = static_cast<double>(vm::rom_class_files().size());
  state.counters["per_20KiB"] =
      benchmark::Counter(static_cast<double>(bytes) / kLoadFileBytes,
                         benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ParseRom(benchmark::State& state) {
  const std::vector<ByteView> classes = rom_classes();
  for (auto _ : state) {
    for (const ByteView cls : classes) benchmark::DoNotOptimize(classfile::parse_class_file(cls));
  }
  report(state, total_size(classes));
}
BENCHMARK(BM_ParseRom)->Unit(benchmark::kMillisecond);

void BM_ParseVerifyRom(benchmark::State& state) {
  const std::vector<ByteView> classes = rom_classes();
  const classfile::VerifyOptions rom_options{/*allow_native=*/true};
  for (auto _ : state) {
    for (const ByteView cls : classes) {
      const classfile::ClassFile parsed = classfile::parse_class_file(cls);
      if (!classfile::verify_class(parsed, rom_options).empty()) state.SkipWithError("a ROM class does not verify");
    }
  }
  report(state, total_size(classes));
}
BENCHMARK(BM_ParseVerifyRom)->Unit(benchmark::kMillisecond);

void BM_Sha256Rom(benchmark::State& state) {  // baseline
  const std::vector<ByteView> classes = rom_classes();
  Bytes all;
  for (const ByteView cls : classes) append(all, cls);
  for (auto _ : state) benchmark::DoNotOptimize(crypto::sha256(all));
  report(state, all.size());
}
BENCHMARK(BM_Sha256Rom)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

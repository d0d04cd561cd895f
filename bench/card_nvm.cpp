// Latency of one 256-byte transactional NVM write (begin, write 256 bytes, commit) on the real file
// device under /tmp, with the fsyncs each transaction makes. The baseline in the same run is the
// cheapest durable write the file system offers: one 256-byte pwrite followed by one fdatasync.
// Per-iteration times are collected so the median (not only the mean) is reported as a counter.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "card/nvm/file_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "core/bytes.hpp"

namespace {

using sefleet::Bytes;
using namespace sefleet::card::nvm;
using Clock = std::chrono::steady_clock;

class BenchDir {
 public:
  BenchDir() {
    std::string pattern = "/tmp/sefleet-bench-nvm-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~BenchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

void report_latency(benchmark::State& state, std::vector<double>& micros) {
  if (micros.empty()) return;
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
}

void BM_NvmTransactionalWrite256(benchmark::State& state) {
  BenchDir dir;
  const auto path = dir.path() / "card.nvm";
  NvmStore::create_file(path);
  auto counting =
      std::make_unique<TearingDevice>(std::make_unique<FileDevice>(path, FileDevice::Mode::open_existing), 0);
  const TearingDevice* device = counting.get();
  NvmStore store(std::move(counting));  // default options: compaction happens as in production
  Bytes value(256);
  std::vector<double> micros;
  std::uint64_t transactions = 0;
  const std::uint64_t syncs_before = device->syncs();
  for (auto _ : state) {
    value[0] = static_cast<std::uint8_t>(transactions);
    const std::string key = "obj/" + std::to_string(transactions % 16);
    const auto start = Clock::now();
    store.begin();
    store.write(key, value);
    store.commit();
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    ++transactions;
  }
  state.counters["fsyncs_per_tx"] = static_cast<double>(device->syncs() - syncs_before) /
                                    static_cast<double>(std::max<std::uint64_t>(transactions, 1));
  state.counters["compactions"] = static_cast<double>(store.stats().compactions);
  report_latency(state, micros);
}
BENCHMARK(BM_NvmTransactionalWrite256)->Unit(benchmark::kMicrosecond);

void BM_BaselinePwriteFdatasync256(benchmark::State& state) {
  BenchDir dir;
  const auto path = dir.path() / "raw.bin";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    state.SkipWithError("open failed");
    return;
  }
  Bytes value(256);
  std::vector<double> micros;
  std::uint64_t writes = 0;
  for (auto _ : state) {
    value[0] = static_cast<std::uint8_t>(writes);
    const auto start = Clock::now();
    // Appending, like the journal does, so the file size changes and fdatasync must persist it too.
    if (::pwrite(fd, value.data(), value.size(), static_cast<off_t>(writes * value.size())) != 256 ||
        ::fdatasync(fd) != 0) {
      state.SkipWithError("pwrite/fdatasync failed");
      break;
    }
    micros.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    ++writes;
  }
  ::close(fd);
  report_latency(state, micros);
}
BENCHMARK(BM_BaselinePwriteFdatasync256)->Unit(benchmark::kMicrosecond);

}  // namespace
BENCHMARK_MAIN();

// Random bytes for the software keystore, drawn from the system generator in blocks.
//
// Why: every PAUT needs an 8- or 16-byte host challenge, and one RAND_bytes call costs about as much
// as two fresh AES-CMAC key schedules on the build machine (OpenSSL 3.0 checks the process id with a
// system call and takes DRBG locks on each call; docs/benchmarks.md, "HSM role"). Drawing 4 KiB at a
// time makes that cost negligible.
//
// Safety: the bytes come from the same generator, only earlier; the pool is zeroizing memory and each
// byte is wiped as it is handed out, so no byte is ever served twice. After fork() the child discards
// the pool (pthread_atfork), so parent and child never share unused bytes. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::offcard {

class RandomPool {
 public:
  static constexpr std::size_t kBlock = 4096;

  RandomPool();
  // `count` bytes; requests larger than a quarter block bypass the pool.
  Bytes bytes(std::size_t count);

 private:
  std::mutex mutex_;
  SecretBytes pool_;
  std::size_t used_ = kBlock;  // everything used: the first call refills
  std::uint64_t fork_generation_ = 0;
};

}  // namespace sefleet::offcard

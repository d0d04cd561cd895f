// Random sources. Production code uses SystemRandom (OpenSSL's CTR-DRBG, seeded by the OS).
// DeterministicRandom exists for reproducible simulations and tests only: never for keys in use.
#pragma once

#include <cstddef>

#include "core/bytes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

class Random {
 public:
  virtual ~Random() = default;
  virtual void fill(MutableByteView out) = 0;
  Bytes bytes(std::size_t count);
};

class SystemRandom final : public Random {
 public:
  void fill(MutableByteView out) override;
};

// AES-256-CTR keystream under SHA-256(seed): the output stage of a CTR-DRBG without reseeding.
class DeterministicRandom final : public Random {
 public:
  explicit DeterministicRandom(ByteView seed);
  void fill(MutableByteView out) override;

 private:
  detail::CipherCtx ctx_;
};

// The process-wide system generator.
Random& system_random();

}  // namespace sefleet::crypto

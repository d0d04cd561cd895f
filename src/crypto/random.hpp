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
  // Mixes caller-supplied material into the generator as additional input (Java Card's
  // RandomData.setSeed): it never makes the output predictable or repeatable. Returns false when the
  // generator takes no input: sources whose output is fixed by construction (deterministic, replayed,
  // scripted) ignore it, so that what they produce stays reproducible.
  virtual bool add_input(ByteView /*material*/) { return false; }
};

class SystemRandom final : public Random {
 public:
  void fill(MutableByteView out) override;
  // RAND_add() with an entropy estimate of zero: the material is mixed in, never counted on.
  bool add_input(ByteView material) override;
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

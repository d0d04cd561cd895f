// HMAC (RFC 2104 / FIPS 198-1) with SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512, over OpenSSL's EVP_MAC.
// The key is set once; begin() starts a new MAC under the same key without re-hashing it.
// Not thread-safe: one object per thread.
#pragma once

#include <initializer_list>

#include "core/bytes.hpp"
#include "crypto/digest.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

class Hmac {
 public:
  // Throws Error(Errc::invalid_argument) for an empty key (OpenSSL refuses one; no standard needs it).
  Hmac(DigestAlgorithm algorithm, ByteView key);
  Hmac(Hmac&&) noexcept = default;
  Hmac& operator=(Hmac&&) noexcept = default;
  Hmac(const Hmac&) = delete;
  Hmac& operator=(const Hmac&) = delete;
  ~Hmac() = default;

  DigestAlgorithm algorithm() const noexcept { return algorithm_; }
  std::size_t size() const noexcept { return digest_size(algorithm_); }

  // Streaming use: update()..., finish(). A fresh object is already begun, and finish() begins the next
  // MAC; begin() abandons a MAC in progress.
  void begin();
  void update(ByteView data);
  Bytes finish();

  Bytes compute(ByteView data);
  Bytes compute(std::initializer_list<ByteView> parts);

 private:
  DigestAlgorithm algorithm_;
  detail::MacCtx ctx_;
};

// Convenience one-shot (builds a context; use Hmac for repeated MACs under one key).
Bytes hmac(DigestAlgorithm algorithm, ByteView key, ByteView data);

}  // namespace sefleet::crypto

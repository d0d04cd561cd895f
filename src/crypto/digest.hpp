// The SHA family behind one interface, for callers that choose the hash at run time (the Java Card
// MessageDigest, signatures "with SHA-x", HMAC). Over OpenSSL EVP_MD; hash.hpp keeps the fixed-size
// SHA-256/384 helpers the protocol code uses.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include "core/bytes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

enum class DigestAlgorithm { sha1, sha224, sha256, sha384, sha512 };

inline constexpr std::size_t kMaxDigestSize = 64;

// Output length in bytes: 20, 28, 32, 48, 64.
std::size_t digest_size(DigestAlgorithm algorithm) noexcept;
// Input block length in bytes: 64 (SHA-1, SHA-224, SHA-256) or 128 (SHA-384, SHA-512).
std::size_t digest_block_size(DigestAlgorithm algorithm) noexcept;
// "SHA-1", "SHA-224", ...
std::string_view digest_name(DigestAlgorithm algorithm) noexcept;
// The algorithm whose output has `size` bytes (nullopt for any other size).
std::optional<DigestAlgorithm> digest_of_size(std::size_t size) noexcept;

namespace detail {
const EVP_MD* evp_digest(DigestAlgorithm algorithm);
}

// One-shot digest.
Bytes digest(DigestAlgorithm algorithm, ByteView data);

// Incremental digest: update()..., finish(). finish() leaves the object ready for a new message, and
// reset() abandons the message in progress. Copies duplicate the running state (a hash of a common
// prefix can be continued two ways). Not thread-safe.
class MessageDigest {
 public:
  explicit MessageDigest(DigestAlgorithm algorithm);
  MessageDigest(const MessageDigest& other);
  MessageDigest& operator=(const MessageDigest& other);
  MessageDigest(MessageDigest&&) noexcept = default;
  MessageDigest& operator=(MessageDigest&&) noexcept = default;
  ~MessageDigest() = default;

  DigestAlgorithm algorithm() const noexcept { return algorithm_; }
  std::size_t size() const noexcept { return digest_size(algorithm_); }

  void update(ByteView data);
  Bytes finish();
  void reset();

 private:
  DigestAlgorithm algorithm_;
  detail::MdCtx ctx_;
};

}  // namespace sefleet::crypto

// SHA-2 digests over OpenSSL EVP.
#pragma once

#include <array>
#include <cstdint>

#include "core/bytes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

using Digest256 = std::array<std::uint8_t, 32>;
using Digest384 = std::array<std::uint8_t, 48>;

Digest256 sha256(ByteView data);
Digest384 sha384(ByteView data);

// Incremental SHA-256, for data that arrives in pieces (images streamed into NVM).
class Sha256 {
 public:
  Sha256();
  void update(ByteView data);
  Digest256 finish();  // the object can be reused after finish()

 private:
  detail::MdCtx ctx_;
};

}  // namespace sefleet::crypto

// AES in counter mode (NIST SP 800-38A §6.5) over OpenSSL EVP: the 16-byte initial counter block is
// incremented as one 128-bit big-endian integer per block (the standard incrementing function, as Java
// Card's Cipher.ALG_AES_CTR defines it). Encryption and decryption are the same operation. Successive
// calls continue the key stream, so a message may arrive in pieces of any length. Not thread-safe.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

class AesCtr {
 public:
  // Throws Error(Errc::invalid_argument) unless the key is 16, 24 or 32 bytes and the counter block 16.
  AesCtr(ByteView key, ByteView initial_counter);
  AesCtr(AesCtr&&) noexcept = default;
  AesCtr& operator=(AesCtr&&) noexcept = default;
  AesCtr(const AesCtr&) = delete;
  AesCtr& operator=(const AesCtr&) = delete;
  ~AesCtr() = default;

  // XORs the next in.size() bytes of key stream into `in`; `out` has room for in.size() (may equal in.data()).
  void apply(ByteView in, std::uint8_t* out);
  Bytes apply(ByteView in);

  // Restarts the key stream from a new initial counter block, keeping the key schedule.
  void restart(ByteView initial_counter);

 private:
  detail::CipherCtx ctx_;
};

}  // namespace sefleet::crypto

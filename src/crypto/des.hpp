// DES and Triple DES (two-key and three-key EDE) in ECB and CBC without padding, over OpenSSL EVP, for
// the legacy applets and the Java Card DES key types. The key length picks the algorithm:
//   8 bytes  single DES (OpenSSL 3's legacy provider, loaded in a library context of its own),
//   16 bytes two-key 3DES, K1 K2 K1 (default provider),
//   24 bytes three-key 3DES, K1 K2 K3 (default provider).
// Parity bits are ignored, as on smart cards. Like Aes, one object keeps its key schedules; not
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "crypto/block_cipher_contexts.hpp"

namespace sefleet::crypto {

inline constexpr std::size_t kDesBlock = 8;

// True for 8, 16 and 24.
bool is_des_key_size(std::size_t size) noexcept;

namespace detail {
// The fetched EVP cipher for a DES key of `key_size` bytes (8, 16 or 24) in `mode`.
const EVP_CIPHER* des_cipher(BlockMode mode, std::size_t key_size);
}  // namespace detail

class Des {
 public:
  // Throws Error(Errc::invalid_argument) unless the key is 8, 16 or 24 bytes, and Error(Errc::unsupported)
  // for an 8-byte key when OpenSSL's legacy provider is not installed.
  explicit Des(ByteView key);
  Des(Des&&) noexcept = default;
  Des& operator=(Des&&) noexcept = default;
  Des(const Des&) = delete;
  Des& operator=(const Des&) = delete;
  ~Des() = default;

  std::size_t key_size() const noexcept { return contexts_.key_size(); }

  // `in` must be a multiple of 8 bytes; `out` has room for in.size() bytes (may equal in.data()).
  void ecb_encrypt(ByteView in, std::uint8_t* out);
  void ecb_decrypt(ByteView in, std::uint8_t* out);
  void cbc_encrypt(ByteView iv, ByteView in, std::uint8_t* out);  // iv: 8 bytes
  void cbc_decrypt(ByteView iv, ByteView in, std::uint8_t* out);

  Bytes ecb_encrypt(ByteView in);
  Bytes ecb_decrypt(ByteView in);
  Bytes cbc_encrypt(ByteView iv, ByteView in);
  Bytes cbc_decrypt(ByteView iv, ByteView in);

 private:
  detail::BlockCipherContexts contexts_;
};

}  // namespace sefleet::crypto

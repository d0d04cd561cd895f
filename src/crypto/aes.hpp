// AES block cipher (128/192/256) in ECB and CBC without padding, over OpenSSL EVP.
// One object expands its key once; each mode's context is created on first use and reused, so a
// long-lived Aes costs no key schedule per call (the SCP03 fast path depends on this).
// Not thread-safe: give each thread its own object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/openssl_util.hpp"

namespace sefleet::crypto {

inline constexpr std::size_t kAesBlock = 16;

// True for 16, 24 and 32.
bool is_aes_key_size(std::size_t size) noexcept;

class Aes {
 public:
  // Throws Error(Errc::invalid_argument) unless the key is 16, 24 or 32 bytes.
  explicit Aes(ByteView key);
  Aes(Aes&&) noexcept = default;
  Aes& operator=(Aes&&) noexcept = default;
  Aes(const Aes&) = delete;
  Aes& operator=(const Aes&) = delete;
  ~Aes() = default;

  std::size_t key_size() const noexcept { return key_.size(); }

  // One block; `in` and `out` may be the same 16 bytes.
  void encrypt_block(const std::uint8_t* in, std::uint8_t* out);
  void decrypt_block(const std::uint8_t* in, std::uint8_t* out);

  // `in` must be a multiple of 16 bytes; `out` has room for in.size() bytes (may equal in.data()).
  void ecb_encrypt(ByteView in, std::uint8_t* out);
  void ecb_decrypt(ByteView in, std::uint8_t* out);
  void cbc_encrypt(ByteView iv, ByteView in, std::uint8_t* out);
  void cbc_decrypt(ByteView iv, ByteView in, std::uint8_t* out);

  // Streaming CBC, for inputs processed piece by piece: *_begin() sets the IV, then each *_continue()
  // call takes the next whole blocks and continues the chain where the previous call stopped (the
  // context keeps the chaining value; nothing is re-initialised between pieces). `in` and `out` may
  // be the same bytes (in place), otherwise they must not overlap. Encryption and decryption have
  // separate contexts, so one stream of each may be open at a time.
  void cbc_encrypt_begin(ByteView iv);
  void cbc_encrypt_continue(ByteView in, std::uint8_t* out);
  void cbc_decrypt_begin(ByteView iv);
  void cbc_decrypt_continue(ByteView in, std::uint8_t* out);

  Bytes ecb_encrypt(ByteView in);
  Bytes ecb_decrypt(ByteView in);
  Bytes cbc_encrypt(ByteView iv, ByteView in);
  Bytes cbc_decrypt(ByteView iv, ByteView in);

 private:
  enum Slot { kEcbEncrypt, kEcbDecrypt, kCbcEncrypt, kCbcDecrypt, kSlots };
  EVP_CIPHER_CTX* context(Slot slot);
  void run(Slot slot, const std::uint8_t* iv, ByteView in, std::uint8_t* out);
  void restart(Slot slot, const std::uint8_t* iv);
  void proceed(Slot slot, ByteView in, std::uint8_t* out);

  SecretBytes key_;
  detail::CipherCtx contexts_[kSlots];
};

// ISO/IEC 9797-1 padding method 2: append 80, then 00 up to a multiple of 16 (always at least one byte).
Bytes pad80(ByteView data, std::size_t block = kAesBlock);
void pad80_in_place(Bytes& data, std::size_t block = kAesBlock);

// Removes method-2 padding. Strict (default): the padding is 1..block bytes at the end of the last
// block. Lenient: any run of 00 after the last 80 is accepted (some cards pad non-minimally).
// Throws Error(Errc::integrity_error) on malformed padding.
enum class PaddingPolicy { strict, lenient };
Bytes unpad80(ByteView data, PaddingPolicy policy = PaddingPolicy::strict, std::size_t block = kAesBlock);
// The same check without throwing or copying: the length of the data before the padding, or nullopt
// (and the reason) when the padding is malformed. For card-side code, where refusals are values.
std::optional<std::size_t> unpadded_size(ByteView data, PaddingPolicy policy = PaddingPolicy::strict,
                                         std::size_t block = kAesBlock, std::string* reason = nullptr);

}  // namespace sefleet::crypto

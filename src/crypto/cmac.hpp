// AES-CMAC (NIST SP 800-38B). The key is expanded once; every new MAC only resets the state.
// Not thread-safe: one object per thread.
//
// CMAC is CBC-MAC with a subkey folded into the last block, and this class computes it exactly that
// way over OpenSSL's AES-CBC: all blocks but the last go through one streaming CBC encryption (the
// chaining value stays inside the EVP context), and the last block, XORed with K1 or K2 (padded
// for K2), is the final CBC step whose output is the tag. OpenSSL 3.0's own CMAC (EVP_MAC "CMAC")
// makes one EVP_Cipher call per 16-byte block, which costs as much again as the AES work for long
// messages (docs/benchmarks.md, "Data path"); a CBC call over many blocks has no such per-block
// overhead. The tests check this class against EVP_MAC and the SP 800-38B examples.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "core/bytes.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {

using Mac16 = std::array<std::uint8_t, 16>;

class Cmac {
 public:
  explicit Cmac(ByteView key);  // 16, 24 or 32 bytes
  Cmac(Cmac&&) noexcept = default;
  Cmac& operator=(Cmac&&) noexcept = default;
  Cmac(const Cmac&) = delete;
  Cmac& operator=(const Cmac&) = delete;
  ~Cmac();  // wipes the subkeys and any buffered message bytes

  // Streaming use: begin(), update()..., finish().
  void begin();
  void update(ByteView data);
  Mac16 finish();

  // One-shot MAC over the concatenation of the parts.
  Mac16 compute(ByteView data);
  Mac16 compute(std::initializer_list<ByteView> parts);

 private:
  // Short messages are collected here and enciphered in one call at finish(); the last block of a
  // message always waits here, since only finish() knows it is the last. Room for the C-MAC input of
  // any short command (a 16-byte chaining value, a header of up to 7 bytes and up to 255 data bytes),
  // so that verifying one costs a single OpenSSL call: each call costs about as much as enciphering
  // twenty blocks (docs/benchmarks.md, "The per-APDU path").
  static constexpr std::size_t kPendingSize = 512;

  void encipher(ByteView in, std::uint8_t* out);
  void absorb_pending();
  void absorb(ByteView blocks);

  Aes cipher_;
  std::array<std::uint8_t, kAesBlock> k1_{};
  std::array<std::uint8_t, kAesBlock> k2_{};
  std::array<std::uint8_t, kPendingSize> pending_{};
  std::size_t pending_size_ = 0;
  bool chain_started_ = false;  // false: the next block starts a new CBC chain (zero IV)
};

// Convenience one-shot (expands the key; use Cmac for repeated MACs under one key).
Mac16 aes_cmac(ByteView key, ByteView data);

}  // namespace sefleet::crypto

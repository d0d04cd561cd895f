// CBC-MACs of ISO/IEC 9797-1 over OpenSSL EVP, with the padding methods of padding.hpp:
//   CbcMac     MAC algorithm 1: the last block of the CBC encryption of the padded data, with AES
//              (Java Card ALG_AES_MAC_*_NOPAD) or DES/3DES chosen by key length (ALG_DES_MAC8_*).
//   RetailMac  MAC algorithm 3 ("retail MAC", ANSI X9.19): single-DES CBC under K1, then the last block
//              decrypted under K2 and encrypted under K1 (two-key) or K3 (three-key).
// The IV is zero unless given. Data may arrive in pieces of any length. Not thread-safe.
#pragma once

#include <cstddef>

#include "core/bytes.hpp"
#include "crypto/des.hpp"
#include "crypto/openssl_util.hpp"
#include "crypto/padding.hpp"

namespace sefleet::crypto {

enum class BlockCipherAlgorithm { aes, des };

class CbcMac {
 public:
  // AES: 16/24/32-byte key, 16-byte blocks; DES: 8/16/24-byte key, 8-byte blocks. `iv` is empty (zeros)
  // or one block. Throws Error(Errc::invalid_argument) for other sizes.
  CbcMac(BlockCipherAlgorithm cipher, ByteView key, BlockPadding padding, ByteView iv = {});
  CbcMac(CbcMac&&) noexcept = default;
  CbcMac& operator=(CbcMac&&) noexcept = default;
  CbcMac(const CbcMac&) = delete;
  CbcMac& operator=(const CbcMac&) = delete;
  ~CbcMac() = default;

  std::size_t block_size() const noexcept { return block_; }

  // Starts a new MAC under a new IV (empty: zeros), keeping the key schedule; the IV stays for later MACs.
  void restart(ByteView iv);
  // Starts a new MAC under the current IV.
  void reset();
  void update(ByteView data);
  // Pads, and returns the last cipher block; then starts a new MAC under the same IV. With
  // BlockPadding::none it throws Error(Errc::invalid_argument) when the data is not a positive multiple
  // of the block size.
  Bytes finish();
  Bytes compute(ByteView data);

 private:
  void feed(ByteView data);

  std::size_t block_;
  BlockPadding padding_;
  detail::CipherCtx ctx_;
  Bytes iv_;
  std::size_t length_ = 0;
  Bytes chain_;  // the last complete cipher block (the IV before the first)
};

class RetailMac {
 public:
  // `key` is 16 (K1 K2) or 24 bytes (K1 K2 K3). Needs single DES (OpenSSL's legacy provider).
  RetailMac(ByteView key, BlockPadding padding, ByteView iv = {});

  void restart(ByteView iv);
  void reset();
  void update(ByteView data);
  Bytes finish();
  Bytes compute(ByteView data);

 private:
  CbcMac chain_;  // single DES under K1
  Des k2_;
  Des last_key_;  // K1 (two-key) or K3 (three-key)
};

}  // namespace sefleet::crypto

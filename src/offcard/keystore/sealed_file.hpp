// The encrypted container of the software keystore file (format version 1).
//
//   offset  size  field (all integers big-endian)
//   0       4     magic "SFKS"
//   4       2     format version = 1
//   6       1     KDF identifier: 1 = scrypt
//   7       1     log2(N), scrypt CPU/memory cost
//   8       4     r, scrypt block size
//   12      4     p, scrypt parallelism
//   16      1     salt length S (16..64)
//   17      S     salt (random, chosen when the keystore is created or its passphrase changes)
//   17+S    12    AES-GCM nonce (random, new for every write)
//   29+S    4     length C of the ciphertext including its 16-byte tag
//   33+S    C     AES-256-GCM(KEK, nonce, aad = bytes 0 .. 33+S-1, plaintext)
//
// KEK = scrypt(passphrase, salt, N, r, p, 32 bytes). The header is the associated data, so changing
// any parameter, the salt or the nonce makes decryption fail. Nothing may follow the ciphertext.
#pragma once

#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::offcard {

struct KeystoreKdf {
  std::uint8_t log2_n = 17;  // N = 131072: 128 MiB and about 0.7 s per open on the reference machine
  std::uint32_t r = 8;
  std::uint32_t p = 1;
};

// Accepted ranges (so a hostile header cannot ask for unbounded memory or time, and a weak
// keystore cannot be created by mistake): log2 N 10..20, r 1..32, p 1..16, 128*r*N <= 1 GiB.
void check_keystore_kdf(const KeystoreKdf& kdf);

inline constexpr std::size_t kKeystoreSaltSize = 16;
inline constexpr std::size_t kKeystoreMaxFileSize = 16u << 20;

struct SealedFile {
  KeystoreKdf kdf;
  Bytes salt;
  Bytes header;      // bytes 0 .. 33+S-1, the associated data
  Bytes ciphertext;  // ciphertext || tag
  Bytes nonce;
};

// Parses and checks the header; Error(parse_error) naming the problem (not a keystore, unsupported
// version, truncated, trailing bytes, parameters out of range). `name` is used in messages.
SealedFile parse_sealed_file(ByteView file, const std::string& name);

SecretBytes derive_keystore_kek(ByteView passphrase, const KeystoreKdf& kdf, ByteView salt);

// Error(integrity_error) "wrong passphrase, or the file was altered" when the tag does not verify.
SecretBytes open_sealed_file(const SealedFile& sealed, const SecretBytes& kek, const std::string& name);

// A complete file image with a fresh random nonce.
Bytes seal_file(const SecretBytes& kek, const KeystoreKdf& kdf, ByteView salt, ByteView plaintext);

}  // namespace sefleet::offcard

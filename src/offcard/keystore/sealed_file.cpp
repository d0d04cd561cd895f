#include "offcard/keystore/sealed_file.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "crypto/aead.hpp"
#include "crypto/kdf.hpp"
#include "crypto/random.hpp"

namespace sefleet::offcard {
namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'F', 'K', 'S'};
constexpr std::uint16_t kFormatVersion = 1;
constexpr std::uint8_t kKdfScrypt = 1;
constexpr std::size_t kMinSalt = 16;
constexpr std::size_t kMaxSalt = 64;
constexpr std::size_t kFixedHeader = 17;  // up to and including the salt length byte

Bytes header_bytes(const KeystoreKdf& kdf, ByteView salt, ByteView nonce, std::size_t ciphertext_size) {
  Bytes header(std::begin(kMagic), std::end(kMagic));
  put_be16(header, kFormatVersion);
  header.push_back(kKdfScrypt);
  header.push_back(kdf.log2_n);
  put_be32(header, kdf.r);
  put_be32(header, kdf.p);
  header.push_back(static_cast<std::uint8_t>(salt.size()));
  append(header, salt);
  append(header, nonce);
  put_be32(header, static_cast<std::uint32_t>(ciphertext_size));
  return header;
}

}  // namespace

void check_keystore_kdf(const KeystoreKdf& kdf) {
  if (kdf.log2_n < 10 || kdf.log2_n > 20) {
    throw Error(Errc::invalid_argument, "scrypt log2(N) must be between 10 and 20, got " + std::to_string(kdf.log2_n));
  }
  if (kdf.r < 1 || kdf.r > 32)
    throw Error(Errc::invalid_argument, "scrypt r must be 1..32, got " + std::to_string(kdf.r));
  if (kdf.p < 1 || kdf.p > 16)
    throw Error(Errc::invalid_argument, "scrypt p must be 1..16, got " + std::to_string(kdf.p));
  const std::uint64_t memory = 128ULL * kdf.r * (1ULL << kdf.log2_n);
  if (memory > (1ULL << 30)) {
    throw Error(Errc::invalid_argument,
                "scrypt parameters need " + std::to_string(memory >> 20) + " MiB; at most 1024 MiB is allowed");
  }
}

SealedFile parse_sealed_file(ByteView file, const std::string& name) {
  const auto fail = [&](const std::string& why) -> Error { return Error(Errc::parse_error, name + ": " + why); };
  if (file.size() < sizeof kMagic || !std::equal(std::begin(kMagic), std::end(kMagic), file.begin())) {
    throw fail("not a sefleet keystore file (bad magic)");
  }
  if (file.size() < kFixedHeader) throw fail("truncated header");
  const std::uint16_t version = read_be16(file, 4);
  if (version != kFormatVersion) {
    throw fail("keystore format version " + std::to_string(version) + " is not supported (this build reads " +
               std::to_string(kFormatVersion) + ")");
  }
  if (file[6] != kKdfScrypt) throw fail("unknown key-derivation function " + std::to_string(file[6]));
  SealedFile sealed;
  sealed.kdf.log2_n = file[7];
  sealed.kdf.r = read_be32(file, 8);
  sealed.kdf.p = read_be32(file, 12);
  try {
    check_keystore_kdf(sealed.kdf);
  } catch (const Error& e) {
    throw fail(std::string("header parameters out of range: ") + e.what());
  }
  const std::size_t salt_size = file[16];
  if (salt_size < kMinSalt || salt_size > kMaxSalt)
    throw fail("salt length " + std::to_string(salt_size) + " out of range");
  const std::size_t header_size = kFixedHeader + salt_size + crypto::kGcmIvSize + 4;
  if (file.size() < header_size) throw fail("truncated header");
  sealed.salt.assign(file.begin() + kFixedHeader, file.begin() + static_cast<std::ptrdiff_t>(kFixedHeader + salt_size));
  const auto nonce = file.subspan(kFixedHeader + salt_size, crypto::kGcmIvSize);
  sealed.nonce.assign(nonce.begin(), nonce.end());
  const std::size_t ciphertext_size = read_be32(file, header_size - 4);
  if (ciphertext_size < crypto::kGcmTagSize) throw fail("ciphertext shorter than its tag");
  if (file.size() - header_size < ciphertext_size) {
    throw fail("truncated: header announces " + std::to_string(ciphertext_size) + " bytes of ciphertext, only " +
               std::to_string(file.size() - header_size) + " present");
  }
  if (file.size() - header_size > ciphertext_size) {
    throw fail(std::to_string(file.size() - header_size - ciphertext_size) + " unexpected bytes after the ciphertext");
  }
  sealed.header.assign(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(header_size));
  sealed.ciphertext.assign(file.begin() + static_cast<std::ptrdiff_t>(header_size), file.end());
  return sealed;
}

SecretBytes derive_keystore_kek(ByteView passphrase, const KeystoreKdf& kdf, ByteView salt) {
  check_keystore_kdf(kdf);
  crypto::ScryptParams params;
  params.n = 1ULL << kdf.log2_n;
  params.r = kdf.r;
  params.p = kdf.p;
  return crypto::scrypt(passphrase, salt, params, 32);
}

SecretBytes open_sealed_file(const SealedFile& sealed, const SecretBytes& kek, const std::string& name) {
  try {
    return crypto::aes_gcm_decrypt(kek.view(), sealed.nonce, sealed.header, sealed.ciphertext);
  } catch (const Error& e) {
    if (e.code() != Errc::integrity_error) throw;
    throw Error(Errc::integrity_error,
                "cannot decrypt keystore " + name + ": wrong passphrase, or the file was altered");
  }
}

Bytes seal_file(const SecretBytes& kek, const KeystoreKdf& kdf, ByteView salt, ByteView plaintext) {
  check_keystore_kdf(kdf);
  if (salt.size() < kMinSalt || salt.size() > kMaxSalt) throw Error(Errc::invalid_argument, "keystore salt size");
  const Bytes nonce = crypto::system_random().bytes(crypto::kGcmIvSize);
  const std::size_t ciphertext_size = plaintext.size() + crypto::kGcmTagSize;
  if (ciphertext_size > kKeystoreMaxFileSize) throw Error(Errc::invalid_argument, "keystore content too large");
  Bytes file = header_bytes(kdf, salt, nonce, ciphertext_size);
  const Bytes ciphertext = crypto::aes_gcm_encrypt(kek.view(), nonce, file, plaintext);
  append(file, ciphertext);
  return file;
}

}  // namespace sefleet::offcard

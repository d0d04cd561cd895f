// The keystore used by the design system and the HSM role: named AES keys with versions, and the
// cryptographic operations the broadcast protocol needs, performed with a stored key that never leaves
// the store (CMAC, kdf3 diversification, AES-KW, AES-ECB/CBC, random); and named P-256 key pairs
// (algorithm "EC-P256") for SCP11's OCE keys and certificate issuing (ECDH, ECDSA-SHA-256), whose
// private scalar never leaves the store either.
//
// Implementations: SoftwareKeystore (software_keystore.hpp: one encrypted file, the embedded default,
// or memory only) and Pkcs11Keystore (pkcs11_keystore.hpp: any token, SoftHSM2 in CI).
// docs/keystores.md describes formats and security properties.
//
// Versions: a key label has versions 1, 2, ...; the newest is current, every older one is retired.
// Retired versions stay usable when named explicitly (KeyRef::at), so campaigns prepared under an
// older version can finish after a rotation; an operation that names no version uses the current one.
//
// Thread safety: every method may be called from several threads at once on one object.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::offcard {

// What a key may be used for. `mac` covers AES-CMAC and kdf3 (which is CMAC-based); `wrap` covers
// AES-KW wrap and unwrap; `encrypt` covers AES-ECB/CBC encrypt and decrypt. `all` is every AES usage.
// EC key pairs always have `agree` (ECDH) and `sign` (ECDSA), and nothing else.
enum class KeyUsage : std::uint8_t { none = 0, mac = 1, wrap = 2, encrypt = 4, all = 7, agree = 8, sign = 16, ec = 24 };

constexpr KeyUsage operator|(KeyUsage a, KeyUsage b) {
  return static_cast<KeyUsage>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr bool allows(KeyUsage granted, KeyUsage wanted) {
  return (static_cast<std::uint8_t>(granted) & static_cast<std::uint8_t>(wanted)) == static_cast<std::uint8_t>(wanted);
}

// "mac,wrap,encrypt" (or "agree,sign") style text (canonical order); "none" for no usage.
std::string key_usage_text(KeyUsage usage);
// Parses a comma-separated list of mac, wrap, encrypt, or "all" (the usages of an AES key).
// Throws Error(invalid_argument).
KeyUsage parse_key_usage(std::string_view text);

// Error(invalid_argument) when the key `key_name` of `algorithm` is asked for a usage of the other
// algorithm (an AES operation on an EC key, or an EC operation on an AES key); stores call it first.
void check_key_algorithm(std::string_view key_name, std::string_view algorithm, KeyUsage wanted);

// KeyInfo::algorithm of the two kinds of key.
inline constexpr std::string_view kAesAlgorithm = "AES";
inline constexpr std::string_view kEcP256Algorithm = "EC-P256";
inline constexpr std::size_t kEcP256ScalarSize = 32;
inline constexpr std::size_t kEcP256PointSize = 65;

enum class KeyOrigin { generated, imported };
std::string_view key_origin_text(KeyOrigin origin);

// Key check value as GlobalPlatform defines it for AES keys: the first 3 bytes of
// AES-ECB(key, 16 bytes of 01). Identifies a key without revealing it.
using Kcv = std::array<std::uint8_t, 3>;
Kcv aes_kcv(ByteView key);
// The check value of an EC key version: the first 3 bytes of SHA-256 over its uncompressed public
// point (identifies the key pair in `hsm list` as the KCV does an AES key).
Kcv ec_key_check_value(ByteView public_point);

struct KeyVersionInfo {
  std::uint32_t version = 0;
  std::int64_t created = 0;  // Unix time (seconds, UTC)
  bool retired = false;      // true for every version except the newest
  KeyOrigin origin = KeyOrigin::generated;
  Kcv kcv{};
  Bytes public_point;  // EC keys: the uncompressed public point (65 bytes); empty for AES keys
};

// Public description of a key: never contains secret bytes.
struct KeyInfo {
  std::string label;
  std::string algorithm = std::string(kAesAlgorithm);  // or kEcP256Algorithm
  std::size_t size = 0;                                // bytes: 16, 24 or 32 (AES); 32 (EC-P256 scalar)
  KeyUsage usage = KeyUsage::none;
  bool extractable = false;              // whether the store would ever export the key value (never, in both stores)
  std::vector<KeyVersionInfo> versions;  // ascending; the last is current

  const KeyVersionInfo& current() const;
  const KeyVersionInfo* find_version(std::uint32_t version) const;
  bool is_ec() const noexcept { return algorithm == kEcP256Algorithm; }
};

// Names a key for an operation: a label and a version, 0 meaning "the current version".
struct KeyRef {
  std::string label;
  std::uint32_t version = 0;

  static KeyRef current(std::string label) { return KeyRef{std::move(label), 0}; }
  static KeyRef at(std::string label, std::uint32_t version) { return KeyRef{std::move(label), version}; }
  std::string text() const;  // "label" or "label@v3", for messages
};

inline constexpr std::size_t kKddSize = 10;

enum class BlockMode { ecb, cbc };

// Labels: 1 to 64 characters from [A-Za-z0-9._-], starting with a letter or digit (they appear in
// CKA_LABEL, file names of exports and command lines, so they stay plain).
bool is_valid_key_label(std::string_view label) noexcept;
// Throws Error(invalid_argument) naming the rule when the label is not valid.
void check_key_label(std::string_view label);

class Keystore {
 public:
  virtual ~Keystore() = default;
  Keystore() = default;
  Keystore(const Keystore&) = delete;
  Keystore& operator=(const Keystore&) = delete;

  // "software" or "pkcs11".
  virtual std::string kind() const = 0;
  // Where the keys are (the spec without any secret), for messages and `hsm list`.
  virtual std::string location() const = 0;

  // --- key management --------------------------------------------------------------------------
  std::vector<KeyInfo> list();           // sorted by label
  KeyInfo info(std::string_view label);  // Error(not_found) when absent
  bool contains(std::string_view label);

  // A new key (version 1) from the store's own random generator. Error(state_error) if the label exists.
  KeyInfo generate(std::string_view label, std::size_t size, KeyUsage usage);
  // A new key (version 1) with a value given by an operator; the store never exports it afterwards.
  KeyInfo import_key(std::string_view label, const SecretBytes& value, KeyUsage usage);
  // A new current version (random, or the given value); older versions become retired but stay usable.
  // For an EC key the new version is a new key pair (the value: a 32-byte private scalar).
  KeyInfo rotate(std::string_view label);
  KeyInfo rotate_import(std::string_view label, const SecretBytes& value);
  // Removes every version of a key.
  void delete_key(std::string_view label);
  // Removes one retired version (a campaign under it has finished). The current version cannot be
  // removed this way: rotate first, or delete the whole key.
  KeyInfo delete_version(std::string_view label, std::uint32_t version);

  // --- operations with a stored key ------------------------------------------------------------
  // AES-CMAC (full 16 bytes). Key usage: mac.
  crypto::Mac16 cmac(const KeyRef& key, ByteView data);

  // kdf3 diversification (gp/kdf3.hpp, GlobalPlatformPro's template, docs/scp03.md):
  // the per-SE static key set (ENC, MAC, DEK of the master's size, KVN `kvn`). The CMACs run inside
  // the store; only the derived keys come out, on purpose: every session-key derivation and APDU MAC
  // of the SE's sessions uses them (docs/keystores.md). Key usage: mac.
  gp::StaticKeySet derive_kdf3(const KeyRef& master, ByteView kdd, std::uint8_t kvn);

  // AES key wrap (RFC 3394, default IV). `plaintext`: a multiple of 8 bytes, at least 16. Usage: wrap.
  Bytes wrap(const KeyRef& kek, ByteView plaintext);
  // Error(integrity_error) when the wrapped data does not verify under the KEK.
  SecretBytes unwrap(const KeyRef& kek, ByteView wrapped);

  // AES-ECB or AES-CBC without padding (the caller pads, e.g. with crypto::pad80). `iv`: empty for
  // ECB, 16 bytes for CBC. Usage: encrypt.
  Bytes encrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView plaintext);
  SecretBytes decrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView ciphertext);

  // Random bytes from the store's generator (the token's RNG for PKCS#11).
  Bytes random(std::size_t count);

  // --- P-256 key pairs ---------------------------------------------------------------------------
  // AES operations refuse an EC key, and these refuse an AES key (Error(invalid_argument) naming both).

  // A new P-256 key pair (version 1); algorithm "EC-P256" in KeyInfo. Error(state_error) if it exists.
  KeyInfo generate_ec(std::string_view label);
  // Imports a P-256 private scalar (32 bytes, big-endian, in [1, n-1]); the public point is derived.
  KeyInfo import_ec(std::string_view label, const SecretBytes& private_scalar);
  // The uncompressed public point (65 bytes, 04 || x || y).
  Bytes ec_public_key(const KeyRef& key);
  // ECDH with a stored private key: the 32-byte x-coordinate of d * peer. `peer_point`: an
  // uncompressed point (65 bytes), validated; Error(invalid_argument) when it is not on the curve.
  SecretBytes ecdh(const KeyRef& key, ByteView peer_point);
  // ECDSA with SHA-256 over `message` with a stored private key; the signature DER-encoded
  // (SEQUENCE { r, s }), as X.509 and GlobalPlatform certificates carry it.
  Bytes ecdsa_sign_sha256(const KeyRef& key, ByteView message);

 protected:
  // Implementations: arguments are already checked (label syntax, sizes, KDD length, data lengths).
  virtual std::vector<KeyInfo> do_list() = 0;
  virtual KeyInfo do_generate(const std::string& label, std::size_t size, KeyUsage usage) = 0;
  virtual KeyInfo do_import(const std::string& label, const SecretBytes& value, KeyUsage usage) = 0;
  // `value` null: generate the new version in the store.
  virtual KeyInfo do_rotate(const std::string& label, const SecretBytes* value) = 0;
  virtual void do_delete(const std::string& label) = 0;
  virtual KeyInfo do_delete_version(const std::string& label, std::uint32_t version) = 0;
  virtual crypto::Mac16 do_cmac(const KeyRef& key, ByteView data) = 0;
  virtual gp::StaticKeySet do_derive_kdf3(const KeyRef& master, ByteView kdd, std::uint8_t kvn) = 0;
  virtual Bytes do_wrap(const KeyRef& kek, ByteView plaintext) = 0;
  virtual SecretBytes do_unwrap(const KeyRef& kek, ByteView wrapped) = 0;
  virtual Bytes do_encrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView plaintext) = 0;
  virtual SecretBytes do_decrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView ciphertext) = 0;
  virtual Bytes do_random(std::size_t count) = 0;
  // `private_scalar` null: generate the key pair in the store; else a valid scalar, with its public
  // point already derived (`public_point`, empty when generating).
  virtual KeyInfo do_create_ec(const std::string& label, const SecretBytes* private_scalar, ByteView public_point) = 0;
  virtual Bytes do_ec_public_key(const KeyRef& key) = 0;
  // `peer_point` is a validated uncompressed P-256 point.
  virtual SecretBytes do_ecdh(const KeyRef& key, ByteView peer_point) = 0;
  virtual Bytes do_ecdsa_sign_sha256(const KeyRef& key, ByteView message) = 0;
};

}  // namespace sefleet::offcard

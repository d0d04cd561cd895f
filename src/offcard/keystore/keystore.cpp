#include "offcard/keystore/keystore.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/hash.hpp"

namespace sefleet::offcard {
namespace {

constexpr std::size_t kMaxLabelLength = 64;
// A generous bound on one request, so a caller bug cannot make the store allocate without limit.
constexpr std::size_t kMaxRandomBytes = 1u << 20;

bool is_label_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

void check_key_size(std::size_t size) {
  if (!crypto::is_aes_key_size(size)) {
    throw Error(Errc::invalid_argument, "AES key size must be 16, 24 or 32 bytes, got " + std::to_string(size));
  }
}

void check_usage(KeyUsage usage) {
  if (usage == KeyUsage::none) {
    throw Error(Errc::invalid_argument, "a key needs at least one usage (mac, wrap or encrypt)");
  }
}

void check_ref(const KeyRef& ref) {
  check_key_label(ref.label);
}

const crypto::EcCurve& p256() {
  static const crypto::EcCurve curve = crypto::EcCurve::named(crypto::NamedCurve::secp256r1);
  return curve;
}

void check_block_args(BlockMode mode, ByteView iv, std::size_t length, const char* what) {
  if (mode == BlockMode::ecb && !iv.empty()) {
    throw Error(Errc::invalid_argument, std::string(what) + ": AES-ECB takes no IV");
  }
  if (mode == BlockMode::cbc && iv.size() != crypto::kAesBlock) {
    throw Error(Errc::invalid_argument,
                std::string(what) + ": AES-CBC needs a 16-byte IV, got " + std::to_string(iv.size()));
  }
  if (length == 0 || length % crypto::kAesBlock != 0) {
    throw Error(Errc::invalid_argument, std::string(what) + ": data must be a positive multiple of 16 bytes, got " +
                                            std::to_string(length) + " (pad it first)");
  }
}

}  // namespace

std::string key_usage_text(KeyUsage usage) {
  std::string out;
  const auto add = [&](KeyUsage flag, const char* name) {
    if (!allows(usage, flag)) return;
    if (!out.empty()) out += ',';
    out += name;
  };
  add(KeyUsage::mac, "mac");
  add(KeyUsage::wrap, "wrap");
  add(KeyUsage::encrypt, "encrypt");
  add(KeyUsage::agree, "agree");
  add(KeyUsage::sign, "sign");
  return out.empty() ? "none" : out;
}

KeyUsage parse_key_usage(std::string_view text) {
  if (text == "all") return KeyUsage::all;
  KeyUsage usage = KeyUsage::none;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    if (item == "mac") {
      usage = usage | KeyUsage::mac;
    } else if (item == "wrap") {
      usage = usage | KeyUsage::wrap;
    } else if (item == "encrypt") {
      usage = usage | KeyUsage::encrypt;
    } else {
      throw Error(Errc::invalid_argument, "unknown key usage '" + std::string(item) +
                                              "' (use a comma-separated list of mac, wrap, encrypt, or all)");
    }
    start = comma + 1;
  }
  return usage;
}

std::string_view key_origin_text(KeyOrigin origin) {
  return origin == KeyOrigin::generated ? "generated" : "imported";
}

Kcv aes_kcv(ByteView key) {
  crypto::Aes aes(key);
  std::uint8_t block[crypto::kAesBlock];
  std::fill(std::begin(block), std::end(block), std::uint8_t{0x01});
  aes.encrypt_block(block, block);
  return Kcv{block[0], block[1], block[2]};
}

void check_key_algorithm(std::string_view key_name, std::string_view algorithm, KeyUsage wanted) {
  const bool wants_ec = allows(KeyUsage::ec, wanted) && wanted != KeyUsage::none;
  const bool is_ec = algorithm == kEcP256Algorithm;
  if (wants_ec == is_ec) return;
  const std::string operation = wants_ec ? "ECDH, ECDSA and the public key" : "AES-CMAC, kdf3, AES-KW and AES-ECB/CBC";
  throw Error(Errc::invalid_argument, "key '" + std::string(key_name) + "' is an " + std::string(algorithm) + " key; " +
                                          operation + " need" + (wants_ec ? " an EC-P256" : " an AES") + " key");
}

Kcv ec_key_check_value(ByteView public_point) {
  const auto digest = crypto::sha256(public_point);
  return Kcv{digest[0], digest[1], digest[2]};
}

const KeyVersionInfo& KeyInfo::current() const {
  if (versions.empty()) {
    throw Error(Errc::state_error, "key '" + label + "' has no version");
  }
  return versions.back();
}

const KeyVersionInfo* KeyInfo::find_version(std::uint32_t version) const {
  for (const auto& v : versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

std::string KeyRef::text() const {
  return version == 0 ? label : label + "@v" + std::to_string(version);
}

bool is_valid_key_label(std::string_view label) noexcept {
  if (label.empty() || label.size() > kMaxLabelLength) return false;
  if (label.front() == '.' || label.front() == '_' || label.front() == '-') return false;
  return std::all_of(label.begin(), label.end(), is_label_char);
}

void check_key_label(std::string_view label) {
  if (!is_valid_key_label(label)) {
    throw Error(Errc::invalid_argument,
                "invalid key label '" + std::string(label) +
                    "': use 1 to 64 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit");
  }
}

std::vector<KeyInfo> Keystore::list() {
  auto keys = do_list();
  std::sort(keys.begin(), keys.end(), [](const KeyInfo& a, const KeyInfo& b) { return a.label < b.label; });
  return keys;
}

KeyInfo Keystore::info(std::string_view label) {
  check_key_label(label);
  for (auto& key : do_list()) {
    if (key.label == label) return key;
  }
  throw Error(Errc::not_found, "no key '" + std::string(label) + "' in " + location());
}

bool Keystore::contains(std::string_view label) {
  check_key_label(label);
  const auto keys = do_list();
  return std::any_of(keys.begin(), keys.end(), [&](const KeyInfo& k) { return k.label == label; });
}

KeyInfo Keystore::generate(std::string_view label, std::size_t size, KeyUsage usage) {
  check_key_label(label);
  check_key_size(size);
  check_usage(usage);
  return do_generate(std::string(label), size, usage);
}

KeyInfo Keystore::import_key(std::string_view label, const SecretBytes& value, KeyUsage usage) {
  check_key_label(label);
  check_key_size(value.size());
  check_usage(usage);
  return do_import(std::string(label), value, usage);
}

KeyInfo Keystore::rotate(std::string_view label) {
  check_key_label(label);
  return do_rotate(std::string(label), nullptr);
}

KeyInfo Keystore::rotate_import(std::string_view label, const SecretBytes& value) {
  check_key_label(label);
  check_key_size(value.size());
  return do_rotate(std::string(label), &value);
}

void Keystore::delete_key(std::string_view label) {
  check_key_label(label);
  do_delete(std::string(label));
}

KeyInfo Keystore::delete_version(std::string_view label, std::uint32_t version) {
  check_key_label(label);
  if (version == 0) throw Error(Errc::invalid_argument, "key versions start at 1");
  return do_delete_version(std::string(label), version);
}

crypto::Mac16 Keystore::cmac(const KeyRef& key, ByteView data) {
  check_ref(key);
  return do_cmac(key, data);
}

gp::StaticKeySet Keystore::derive_kdf3(const KeyRef& master, ByteView kdd, std::uint8_t kvn) {
  check_ref(master);
  if (kdd.size() != kKddSize) {
    throw Error(Errc::invalid_argument,
                "kdf3: key diversification data must be 10 bytes, got " + std::to_string(kdd.size()));
  }
  return do_derive_kdf3(master, kdd, kvn);
}

Bytes Keystore::wrap(const KeyRef& kek, ByteView plaintext) {
  check_ref(kek);
  if (plaintext.size() < 16 || plaintext.size() % 8 != 0) {
    throw Error(Errc::invalid_argument, "AES-KW: data to wrap must be a multiple of 8 bytes, at least 16; got " +
                                            std::to_string(plaintext.size()));
  }
  return do_wrap(kek, plaintext);
}

SecretBytes Keystore::unwrap(const KeyRef& kek, ByteView wrapped) {
  check_ref(kek);
  if (wrapped.size() < 24 || wrapped.size() % 8 != 0) {
    throw Error(Errc::integrity_error, "AES-KW: wrapped data must be a multiple of 8 bytes, at least 24; got " +
                                           std::to_string(wrapped.size()));
  }
  return do_unwrap(kek, wrapped);
}

Bytes Keystore::encrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView plaintext) {
  check_ref(key);
  check_block_args(mode, iv, plaintext.size(), "encrypt");
  return do_encrypt(key, mode, iv, plaintext);
}

SecretBytes Keystore::decrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView ciphertext) {
  check_ref(key);
  check_block_args(mode, iv, ciphertext.size(), "decrypt");
  return do_decrypt(key, mode, iv, ciphertext);
}

Bytes Keystore::random(std::size_t count) {
  if (count > kMaxRandomBytes) {
    throw Error(Errc::invalid_argument, "random: at most 1 MiB per request, asked for " + std::to_string(count));
  }
  if (count == 0) return {};
  return do_random(count);
}

KeyInfo Keystore::generate_ec(std::string_view label) {
  check_key_label(label);
  return do_create_ec(std::string(label), nullptr, {});
}

KeyInfo Keystore::import_ec(std::string_view label, const SecretBytes& private_scalar) {
  check_key_label(label);
  if (private_scalar.size() != kEcP256ScalarSize) {
    throw Error(Errc::invalid_argument,
                "a P-256 private key is a 32-byte scalar, got " + std::to_string(private_scalar.size()) + " bytes");
  }
  // Derives the public point, and refuses 0 and scalars >= n (Error(invalid_argument)).
  const auto key = crypto::EcPrivateKey::from_scalar(p256(), private_scalar.view());
  const Bytes point = key.public_point();
  return do_create_ec(std::string(label), &private_scalar, point);
}

Bytes Keystore::ec_public_key(const KeyRef& key) {
  check_ref(key);
  return do_ec_public_key(key);
}

SecretBytes Keystore::ecdh(const KeyRef& key, ByteView peer_point) {
  check_ref(key);
  if (peer_point.size() != kEcP256PointSize || peer_point[0] != 0x04) {
    throw Error(Errc::invalid_argument, "ECDH with '" + key.text() +
                                            "': the peer key must be an uncompressed P-256 point (65 bytes, 04 || x "
                                            "|| y), got " +
                                            std::to_string(peer_point.size()) + " bytes");
  }
  try {
    (void)crypto::EcPublicKey::from_point(p256(), peer_point);
  } catch (const Error& e) {
    throw Error(Errc::invalid_argument,
                "ECDH with '" + key.text() + "': the peer key is not a point of P-256 (" + e.what() + ")");
  }
  return do_ecdh(key, peer_point);
}

Bytes Keystore::ecdsa_sign_sha256(const KeyRef& key, ByteView message) {
  check_ref(key);
  return do_ecdsa_sign_sha256(key, message);
}

}  // namespace sefleet::offcard

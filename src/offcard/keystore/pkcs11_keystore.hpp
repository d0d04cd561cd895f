// The PKCS#11 keystore: keys live on a token (an HSM, or SoftHSM2 in CI) as sensitive,
// non-extractable AES secret-key objects, and every operation with a stored key runs on the token.
// Object layout and attribute mapping: pkcs11_key_id.hpp and docs/keystores.md.
//
// Mechanisms: CMAC and kdf3 with C_Sign CKM_AES_CMAC (or CKM_AES_CMAC_GENERAL with a 16-byte MAC);
// AES-KW with C_WrapKey / C_UnwrapKey CKM_AES_KEY_WRAP over a short-lived session object holding the
// data (C_Encrypt with CKM_AES_KEY_WRAP would need CKA_ENCRYPT on the KEK, which would also let it do
// raw ECB/CBC, so the wrap usage is kept apart); ECB/CBC with C_Encrypt CKM_AES_ECB/CKM_AES_CBC;
// random bytes from C_GenerateRandom. P-256 key pairs (pkcs11_ec_keys.cpp): a CKO_PRIVATE_KEY (sensitive,
// not extractable, CKA_DERIVE and CKA_SIGN) and its CKO_PUBLIC_KEY, generated with CKM_EC_KEY_PAIR_GEN or
// created from an imported scalar; ECDH with C_DeriveKey CKM_ECDH1_DERIVE (CKD_NULL) into a short-lived
// session object whose value (the x-coordinate) is read; ECDSA with C_Sign CKM_ECDSA over a SHA-256
// hash computed on the host. An operation whose mechanism the token lacks fails with
// Error(unsupported) naming it; open() never fails for a missing mechanism (`hsm init` lists them).
//
// Threads: the module is initialized with CKF_OS_LOCKING_OK; each operation borrows a session from a
// pool (one session per concurrent operation, opened on demand, all logged in through the one login
// of the application). Object handles are cached per key version and refreshed after every change
// made through this object, or when a key is not found (another process may have added it).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include <p11-kit/pkcs11.h>

#include "core/secret.hpp"
#include "offcard/keystore/keystore.hpp"
#include "offcard/keystore/pkcs11_module.hpp"

namespace sefleet::offcard {

struct Pkcs11Config {
  std::filesystem::path module;  // e.g. /usr/lib/softhsm/libsofthsm2.so
  std::string token_label;       // CK_TOKEN_INFO label
  SecretBytes pin;               // the user PIN (used for C_Login, not kept)
};

// What the token offers of the mechanisms this keystore uses (C_GetMechanismList).
struct Pkcs11Mechanisms {
  bool aes_key_gen = false;
  bool aes_cmac = false;
  bool aes_cmac_general = false;
  bool aes_key_wrap = false;
  bool aes_ecb = false;
  bool aes_cbc = false;
  bool ec_key_pair_gen = false;
  bool ecdh1_derive = false;
  bool ecdsa = false;
};

class Pkcs11Keystore final : public Keystore {
 public:
  // Loads the module, finds the token by label, logs in as the user. Errors: not_found (module file,
  // token label), state_error with CKR_PIN_INCORRECT / CKR_PIN_LOCKED / ... for a refused PIN,
  // invalid_argument for an empty PIN, other CKR errors as check_ckr maps them.
  static std::unique_ptr<Pkcs11Keystore> open(const Pkcs11Config& config);
  ~Pkcs11Keystore() override;

  std::string kind() const override { return "pkcs11"; }
  std::string location() const override;
  const Pkcs11Mechanisms& mechanisms() const noexcept { return mechanisms_; }
  // "CKM_AES_CMAC yes, CKM_AES_KEY_WRAP yes, ..." for `hsm init` and messages.
  std::string mechanism_summary() const;
  // Token facts for `hsm init`: manufacturer, model, serial, free private memory (no secrets).
  std::string token_summary() const;

 protected:
  std::vector<KeyInfo> do_list() override;
  KeyInfo do_generate(const std::string& label, std::size_t size, KeyUsage usage) override;
  KeyInfo do_import(const std::string& label, const SecretBytes& value, KeyUsage usage) override;
  KeyInfo do_rotate(const std::string& label, const SecretBytes* value) override;
  void do_delete(const std::string& label) override;
  KeyInfo do_delete_version(const std::string& label, std::uint32_t version) override;
  crypto::Mac16 do_cmac(const KeyRef& key, ByteView data) override;
  gp::StaticKeySet do_derive_kdf3(const KeyRef& master, ByteView kdd, std::uint8_t kvn) override;
  Bytes do_wrap(const KeyRef& kek, ByteView plaintext) override;
  SecretBytes do_unwrap(const KeyRef& kek, ByteView wrapped) override;
  Bytes do_encrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView plaintext) override;
  SecretBytes do_decrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView ciphertext) override;
  Bytes do_random(std::size_t count) override;
  KeyInfo do_create_ec(const std::string& label, const SecretBytes* private_scalar, ByteView public_point) override;
  Bytes do_ec_public_key(const KeyRef& key) override;
  SecretBytes do_ecdh(const KeyRef& key, ByteView peer_point) override;
  Bytes do_ecdsa_sign_sha256(const KeyRef& key, ByteView message) override;

 private:
  class Session;  // a pooled session borrowed for one operation

  // One key version on the token: an AES secret key, or an EC private key and its public key.
  struct VersionObject {
    CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;         // the secret or private key
    CK_OBJECT_HANDLE public_handle = CK_INVALID_HANDLE;  // EC only
    bool ec = false;
    Bytes public_point;  // EC only: uncompressed
    std::uint32_t version = 0;
    std::int64_t created = 0;
    KeyOrigin origin = KeyOrigin::generated;
    Kcv kcv{};
    KeyUsage usage = KeyUsage::none;
    std::size_t size = 0;
  };
  using Objects = std::map<std::string, std::vector<VersionObject>, std::less<>>;  // versions ascending

  explicit Pkcs11Keystore(std::shared_ptr<Pkcs11Module> module);

  CK_SESSION_HANDLE acquire_session();
  void release_session(CK_SESSION_HANDLE session);
  CK_FUNCTION_LIST_PTR p11() const noexcept { return module_->functions(); }
  CK_MECHANISM block_mechanism(BlockMode mode, ByteView iv) const;

  Objects scan_token(CK_SESSION_HANDLE session) const;
  // Adds the EC key pairs of the token to `objects` (pkcs11_ec_keys.cpp).
  void scan_ec_keys(CK_SESSION_HANDLE session, Objects& objects) const;
  void refresh();
  // The object of `ref`, checked for `usage`; rescans once when the label or version is unknown.
  VersionObject resolve(const KeyRef& ref, KeyUsage usage);
  KeyInfo info_locked(const std::string& label) const;  // objects_mutex_ held
  KeyInfo create_version(const std::string& label, std::uint32_t version, std::size_t size, KeyUsage usage,
                         const SecretBytes* value);
  // A new EC key pair version: generated on the token (`scalar` null) or created from `scalar`.
  void create_ec_version(const std::string& label, std::uint32_t version, const SecretBytes* scalar);
  void destroy_version(CK_SESSION_HANDLE session, const std::string& label, const VersionObject& version);
  crypto::Mac16 sign_cmac(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key, ByteView data, const std::string& name);

  std::shared_ptr<Pkcs11Module> module_;
  CK_SLOT_ID slot_ = 0;
  std::string token_label_;
  Pkcs11Mechanisms mechanisms_;

  std::mutex pool_mutex_;
  std::vector<CK_SESSION_HANDLE> idle_sessions_;
  std::vector<CK_SESSION_HANDLE> all_sessions_;

  std::mutex change_mutex_;  // one key change at a time from this object
  mutable std::shared_mutex objects_mutex_;
  Objects objects_;
};

}  // namespace sefleet::offcard

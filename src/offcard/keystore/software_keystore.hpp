// The software keystore: keys in one file encrypted at rest (sealed_file.hpp: scrypt → AES-256-GCM
// with the header as associated data), or only in memory (tests, benchmarks, the demo).
//
// File discipline: the file must be mode 0600 (group/other access is refused, not repaired); every
// change is written to a temporary file and renamed over the old one (a crash leaves the old or the
// new content, never a mix); changes from several processes are serialized by an advisory flock on
// `<path>.lock`, and each change first reloads the file under that lock, so a change made by another
// process is never overwritten. Operations with keys use the content loaded at open() or at this
// object's last change: a key another process adds becomes visible after reopening.
//
// Speed: AES and CMAC objects are built once per key version and pooled, so a CMAC or a kdf3
// derivation with a stored key runs no key schedule per call, and threads do not wait on each other
// for them (each borrows its own object from the pool). Random bytes come from the system generator
// through a RandomPool (random_pool.hpp), because one generator call per host challenge would cost
// more than the rest of a PAUT's keystore work.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/secret.hpp"
#include "offcard/keystore/key_material.hpp"
#include "offcard/keystore/keystore.hpp"
#include "offcard/keystore/random_pool.hpp"
#include "offcard/keystore/sealed_file.hpp"

namespace sefleet::offcard {

class SoftwareKeystore final : public Keystore {
 public:
  // Creates a new, empty keystore file (mode 0600). Error(state_error) when `path` exists,
  // Error(invalid_argument) for an empty passphrase or scrypt parameters out of range.
  static std::unique_ptr<SoftwareKeystore> create(const std::filesystem::path& path, const SecretBytes& passphrase,
                                                  const KeystoreKdf& kdf = {});
  // Opens an existing keystore file. Error(not_found) when missing; Error(io_error) when it is not a
  // regular file or group/other may access it; Error(parse_error) for a file that is not a keystore,
  // is truncated or has trailing bytes; Error(integrity_error) for a wrong passphrase or altered data.
  static std::unique_ptr<SoftwareKeystore> open(const std::filesystem::path& path, const SecretBytes& passphrase);
  // A keystore that lives only in this object: nothing is written anywhere.
  static std::unique_ptr<SoftwareKeystore> in_memory();

  ~SoftwareKeystore() override;

  std::string kind() const override { return "software"; }
  std::string location() const override;
  // The file, or nullopt for an in-memory store.
  const std::optional<std::filesystem::path>& path() const noexcept { return path_; }

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
  struct KeyObjects;  // one key version's value and its pooled AES/CMAC objects, or its EC key pair
  // Resolved key versions, by label then version (ascending): rebuilt after every change.
  using Handles = std::map<std::string, std::vector<std::shared_ptr<KeyObjects>>, std::less<>>;

  SoftwareKeystore() = default;

  // The key version `ref` names, checked for `usage` (and so for its algorithm).
  // Error(not_found) / Error(invalid_argument).
  std::shared_ptr<KeyObjects> resolve(const KeyRef& ref, KeyUsage usage) const;
  // Applies `change` to the content (reloaded from the file under its lock first), persists it and
  // refreshes the handles. `change` returns the label whose KeyInfo is reported (empty: none).
  using Change = std::function<std::string(KeyMaterial&)>;
  KeyInfo mutate(const Change& change);
  KeyInfo do_import_or_generate(const std::string& label, const SecretBytes* value, std::size_t size, KeyUsage usage);
  void rebuild_handles();
  KeyMaterial load_locked() const;  // caller holds the file lock
  void persist(const KeyMaterial& material) const;

  std::optional<std::filesystem::path> path_;
  SecretBytes kek_;
  KeystoreKdf kdf_;
  Bytes salt_;

  RandomPool random_;

  mutable std::shared_mutex mutex_;  // guards material_ and handles_
  KeyMaterial material_;
  Handles handles_;
};

}  // namespace sefleet::offcard

#include "offcard/keystore/software_keystore.hpp"

#include <chrono>
#include <ctime>
#include <string>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdh.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/keywrap.hpp"
#include "crypto/random.hpp"
#include "gp/kdf3.hpp"
#include "offcard/keystore/private_file.hpp"

namespace sefleet::offcard {

// One key version: its value and the AES/CMAC objects built from it. Objects are borrowed for one
// operation and returned, so each thread works on its own object (crypto::Aes and crypto::Cmac are
// not thread-safe) and the key schedule runs once per object, not once per call.
struct SoftwareKeystore::KeyObjects {
  std::string name;  // "label@vN", for messages
  std::string algorithm;
  KeyUsage usage = KeyUsage::none;
  SecretBytes value;
  std::optional<crypto::EcPrivateKey> ec;  // EC keys: the key pair, built once (thread-safe to share)

  std::mutex pool_mutex;
  std::vector<std::unique_ptr<crypto::Cmac>> cmacs;
  std::vector<std::unique_ptr<crypto::Aes>> aes;
};

namespace {

constexpr std::chrono::milliseconds kLockTimeout{10000};

// Takes an object of type T from `pool` (or builds one from `value`) and gives it back when done.
template <typename T>
class Borrowed {
 public:
  Borrowed(std::mutex& mutex, std::vector<std::unique_ptr<T>>& pool, const SecretBytes& value)
      : mutex_(mutex), pool_(pool) {
    {
      std::lock_guard lock(mutex_);
      if (!pool_.empty()) {
        object_ = std::move(pool_.back());
        pool_.pop_back();
      }
    }
    if (!object_) object_ = std::make_unique<T>(value.view());
  }
  ~Borrowed() {
    std::lock_guard lock(mutex_);
    pool_.push_back(std::move(object_));
  }
  Borrowed(const Borrowed&) = delete;
  Borrowed& operator=(const Borrowed&) = delete;
  T& operator*() { return *object_; }
  T* operator->() { return object_.get(); }

 private:
  std::mutex& mutex_;
  std::vector<std::unique_ptr<T>>& pool_;
  std::unique_ptr<T> object_;
};

std::int64_t now_seconds() {
  return std::int64_t{std::time(nullptr)};
}

std::filesystem::path lock_path_of(const std::filesystem::path& path) {
  std::filesystem::path lock = path;
  lock += ".lock";
  return lock;
}

StoredKey& existing_key(KeyMaterial& material, const std::string& label, const std::string& where) {
  StoredKey* key = material.find(label);
  if (key == nullptr) throw Error(Errc::not_found, "no key '" + label + "' in " + where);
  return *key;
}

// Key values straight from the system generator (not the pool: key generation is rare, and this keeps
// key bytes out of any buffer shared with host challenges).
SecretBytes fresh_key(std::size_t size) {
  SecretBytes key(size);
  crypto::system_random().fill(key.mutable_view());
  return key;
}

const crypto::EcCurve& p256() {
  static const crypto::EcCurve curve = crypto::EcCurve::named(crypto::NamedCurve::secp256r1);
  return curve;
}

// A new P-256 private scalar from the system generator (uniform in [1, n-1]).
SecretBytes fresh_ec_scalar() {
  return crypto::EcPrivateKey::generate(p256()).scalar();
}

void check_passphrase(const SecretBytes& passphrase) {
  if (passphrase.empty()) throw Error(Errc::invalid_argument, "the keystore passphrase must not be empty");
}

}  // namespace

SoftwareKeystore::~SoftwareKeystore() = default;

std::unique_ptr<SoftwareKeystore> SoftwareKeystore::create(const std::filesystem::path& path,
                                                           const SecretBytes& passphrase, const KeystoreKdf& kdf) {
  check_passphrase(passphrase);
  check_keystore_kdf(kdf);
  std::unique_ptr<SoftwareKeystore> store(new SoftwareKeystore());
  store->path_ = path;
  store->kdf_ = kdf;
  store->salt_ = crypto::system_random().bytes(kKeystoreSaltSize);
  store->kek_ = derive_keystore_kek(passphrase.view(), kdf, store->salt_);
  const SecretBytes content = serialize_key_material(store->material_);
  create_private_file(path, seal_file(store->kek_, kdf, store->salt_, content.view()));
  return store;
}

std::unique_ptr<SoftwareKeystore> SoftwareKeystore::open(const std::filesystem::path& path,
                                                         const SecretBytes& passphrase) {
  check_passphrase(passphrase);
  const SealedFile sealed = parse_sealed_file(read_private_file(path, kKeystoreMaxFileSize), path.string());
  std::unique_ptr<SoftwareKeystore> store(new SoftwareKeystore());
  store->path_ = path;
  store->kdf_ = sealed.kdf;
  store->salt_ = sealed.salt;
  store->kek_ = derive_keystore_kek(passphrase.view(), sealed.kdf, sealed.salt);
  store->material_ = parse_key_material(open_sealed_file(sealed, store->kek_, path.string()));
  store->rebuild_handles();
  return store;
}

std::unique_ptr<SoftwareKeystore> SoftwareKeystore::in_memory() {
  return std::unique_ptr<SoftwareKeystore>(new SoftwareKeystore());
}

std::string SoftwareKeystore::location() const {
  return path_ ? "software keystore " + path_->string() : std::string("in-memory software keystore");
}

KeyMaterial SoftwareKeystore::load_locked() const {
  const SealedFile sealed = parse_sealed_file(read_private_file(*path_, kKeystoreMaxFileSize), path_->string());
  if (sealed.salt != salt_ || sealed.kdf.log2_n != kdf_.log2_n || sealed.kdf.r != kdf_.r || sealed.kdf.p != kdf_.p) {
    throw Error(Errc::state_error,
                path_->string() + " was re-encrypted under another passphrase since it was opened; open it again");
  }
  return parse_key_material(open_sealed_file(sealed, kek_, path_->string()));
}

void SoftwareKeystore::persist(const KeyMaterial& material) const {
  const SecretBytes content = serialize_key_material(material);
  write_private_file_atomically(*path_, seal_file(kek_, kdf_, salt_, content.view()));
}

void SoftwareKeystore::rebuild_handles() {
  Handles handles;
  for (const auto& key : material_.keys) {
    auto& versions = handles[key.label];
    for (const auto& v : key.versions) {
      // Keep the existing objects of an unchanged version (their pools stay warm).
      std::shared_ptr<KeyObjects> kept;
      if (const auto old = handles_.find(key.label); old != handles_.end()) {
        const std::string name = key.label + "@v" + std::to_string(v.version);
        for (const auto& o : old->second) {
          if (o->name == name && o->algorithm == key.algorithm && o->usage == key.usage && o->value == v.value) {
            kept = o;
          }
        }
      }
      if (!kept) {
        kept = std::make_shared<KeyObjects>();
        kept->name = key.label + "@v" + std::to_string(v.version);
        kept->algorithm = key.algorithm;
        kept->usage = key.usage;
        kept->value = v.value;
        if (key.is_ec()) kept->ec = crypto::EcPrivateKey::from_scalar(p256(), v.value.view());
      }
      versions.push_back(std::move(kept));
    }
  }
  handles_ = std::move(handles);
}

KeyInfo SoftwareKeystore::mutate(const Change& change) {
  std::unique_lock lock(mutex_);
  std::optional<FileLock> file_lock;
  KeyMaterial material;
  if (path_) {
    file_lock.emplace(lock_path_of(*path_), kLockTimeout);
    material = load_locked();
  } else {
    material = material_;
  }
  const std::string label = change(material);
  if (path_) persist(material);
  material_ = std::move(material);
  rebuild_handles();
  if (label.empty()) return KeyInfo{};
  return existing_key(material_, label, location()).info();
}

std::shared_ptr<SoftwareKeystore::KeyObjects> SoftwareKeystore::resolve(const KeyRef& ref, KeyUsage usage) const {
  std::shared_lock lock(mutex_);
  const auto found = handles_.find(ref.label);
  if (found == handles_.end()) throw Error(Errc::not_found, "no key '" + ref.label + "' in " + location());
  const auto& versions = found->second;
  std::shared_ptr<KeyObjects> key;
  if (ref.version == 0) {
    key = versions.back();
  } else {
    const std::string name = ref.label + "@v" + std::to_string(ref.version);
    for (const auto& v : versions) {
      if (v->name == name) key = v;
    }
    if (!key) throw Error(Errc::not_found, "key '" + ref.label + "' has no version " + std::to_string(ref.version));
  }
  check_key_algorithm(key->name, key->algorithm, usage);
  if (!allows(key->usage, usage)) {
    throw Error(Errc::invalid_argument, "key '" + key->name + "' (usage " + key_usage_text(key->usage) +
                                            ") may not be used for " + key_usage_text(usage));
  }
  return key;
}

std::vector<KeyInfo> SoftwareKeystore::do_list() {
  std::shared_lock lock(mutex_);
  std::vector<KeyInfo> out;
  for (const auto& key : material_.keys) out.push_back(key.info());
  return out;
}

KeyInfo SoftwareKeystore::do_generate(const std::string& label, std::size_t size, KeyUsage usage) {
  return do_import_or_generate(label, nullptr, size, usage);
}

KeyInfo SoftwareKeystore::do_import(const std::string& label, const SecretBytes& value, KeyUsage usage) {
  return do_import_or_generate(label, &value, value.size(), usage);
}

KeyInfo SoftwareKeystore::do_import_or_generate(const std::string& label, const SecretBytes* value, std::size_t size,
                                                KeyUsage usage) {
  return mutate([&](KeyMaterial& material) {
    if (material.find(label) != nullptr) {
      throw Error(Errc::state_error, "key '" + label + "' already exists in " + location());
    }
    StoredKey key;
    key.label = label;
    key.size = size;
    key.usage = usage;
    StoredKeyVersion version;
    version.version = 1;
    version.created = now_seconds();
    version.origin = value != nullptr ? KeyOrigin::imported : KeyOrigin::generated;
    version.value = value != nullptr ? *value : fresh_key(size);
    key.versions.push_back(std::move(version));
    material.keys.push_back(std::move(key));
    return label;
  });
}

KeyInfo SoftwareKeystore::do_rotate(const std::string& label, const SecretBytes* value) {
  return mutate([&](KeyMaterial& material) {
    StoredKey& key = existing_key(material, label, location());
    if (value != nullptr && value->size() != key.size) {
      throw Error(Errc::invalid_argument, "key '" + label + "' is " + std::to_string(key.size) +
                                              " bytes; the new version must have the same size, got " +
                                              std::to_string(value->size()));
    }
    StoredKeyVersion version;
    version.version = key.versions.back().version + 1;
    version.created = now_seconds();
    version.origin = value != nullptr ? KeyOrigin::imported : KeyOrigin::generated;
    if (key.is_ec()) {
      // A new key pair; an imported scalar is checked (0 and values >= n are refused).
      version.value = value != nullptr ? *value : fresh_ec_scalar();
      (void)crypto::EcPrivateKey::from_scalar(p256(), version.value.view());
    } else {
      version.value = value != nullptr ? *value : fresh_key(key.size);
    }
    key.versions.push_back(std::move(version));
    return label;
  });
}

void SoftwareKeystore::do_delete(const std::string& label) {
  mutate([&](KeyMaterial& material) {
    existing_key(material, label, location());
    std::erase_if(material.keys, [&](const StoredKey& k) { return k.label == label; });
    return std::string();
  });
}

KeyInfo SoftwareKeystore::do_delete_version(const std::string& label, std::uint32_t version) {
  return mutate([&](KeyMaterial& material) {
    StoredKey& key = existing_key(material, label, location());
    if (key.find(version) == nullptr) {
      throw Error(Errc::not_found, "key '" + label + "' has no version " + std::to_string(version));
    }
    if (key.versions.back().version == version) {
      throw Error(Errc::state_error, "version " + std::to_string(version) + " of key '" + label +
                                         "' is current; rotate first, or delete the whole key");
    }
    std::erase_if(key.versions, [&](const StoredKeyVersion& v) { return v.version == version; });
    return label;
  });
}

crypto::Mac16 SoftwareKeystore::do_cmac(const KeyRef& key, ByteView data) {
  const auto objects = resolve(key, KeyUsage::mac);
  Borrowed<crypto::Cmac> cmac(objects->pool_mutex, objects->cmacs, objects->value);
  return cmac->compute(data);
}

gp::StaticKeySet SoftwareKeystore::do_derive_kdf3(const KeyRef& master, ByteView kdd, std::uint8_t kvn) {
  const auto objects = resolve(master, KeyUsage::mac);
  Borrowed<crypto::Cmac> cmac(objects->pool_mutex, objects->cmacs, objects->value);
  return gp::kdf3_diversify(objects->value.size(), kdd, kvn, [&](const gp::Kdf3Block& input) {
    return cmac->compute(ByteView(input.data(), input.size()));
  });
}

Bytes SoftwareKeystore::do_wrap(const KeyRef& kek, ByteView plaintext) {
  const auto objects = resolve(kek, KeyUsage::wrap);
  return crypto::aes_key_wrap(objects->value.view(), plaintext);
}

SecretBytes SoftwareKeystore::do_unwrap(const KeyRef& kek, ByteView wrapped) {
  const auto objects = resolve(kek, KeyUsage::wrap);
  try {
    return crypto::aes_key_unwrap(objects->value.view(), wrapped);
  } catch (const Error& e) {
    if (e.code() != Errc::integrity_error) throw;
    throw Error(Errc::integrity_error,
                "AES-KW unwrap under '" + objects->name + "' failed: wrong key, or the wrapped data was altered");
  }
}

Bytes SoftwareKeystore::do_encrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView plaintext) {
  const auto objects = resolve(key, KeyUsage::encrypt);
  Borrowed<crypto::Aes> aes(objects->pool_mutex, objects->aes, objects->value);
  return mode == BlockMode::ecb ? aes->ecb_encrypt(plaintext) : aes->cbc_encrypt(iv, plaintext);
}

SecretBytes SoftwareKeystore::do_decrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView ciphertext) {
  const auto objects = resolve(key, KeyUsage::encrypt);
  Borrowed<crypto::Aes> aes(objects->pool_mutex, objects->aes, objects->value);
  Bytes plain = mode == BlockMode::ecb ? aes->ecb_decrypt(ciphertext) : aes->cbc_decrypt(iv, ciphertext);
  return SecretBytes::take(plain);
}

Bytes SoftwareKeystore::do_random(std::size_t count) {
  return random_.bytes(count);
}

KeyInfo SoftwareKeystore::do_create_ec(const std::string& label, const SecretBytes* private_scalar,
                                       ByteView /*public_point: derived again from the stored scalar*/) {
  return mutate([&](KeyMaterial& material) {
    if (material.find(label) != nullptr) {
      throw Error(Errc::state_error, "key '" + label + "' already exists in " + location());
    }
    StoredKey key;
    key.label = label;
    key.algorithm = std::string(kEcP256Algorithm);
    key.size = kEcP256ScalarSize;
    key.usage = KeyUsage::ec;
    StoredKeyVersion version;
    version.version = 1;
    version.created = now_seconds();
    version.origin = private_scalar != nullptr ? KeyOrigin::imported : KeyOrigin::generated;
    version.value = private_scalar != nullptr ? *private_scalar : fresh_ec_scalar();
    key.versions.push_back(std::move(version));
    material.keys.push_back(std::move(key));
    return label;
  });
}

Bytes SoftwareKeystore::do_ec_public_key(const KeyRef& key) {
  return resolve(key, KeyUsage::ec)->ec->public_point();
}

SecretBytes SoftwareKeystore::do_ecdh(const KeyRef& key, ByteView peer_point) {
  const auto objects = resolve(key, KeyUsage::agree);
  return crypto::ecdh(*objects->ec, peer_point, crypto::EcdhOutput::x);
}

Bytes SoftwareKeystore::do_ecdsa_sign_sha256(const KeyRef& key, ByteView message) {
  const auto objects = resolve(key, KeyUsage::sign);
  return crypto::ecdsa_sign(*objects->ec, crypto::DigestAlgorithm::sha256, message);
}

}  // namespace sefleet::offcard

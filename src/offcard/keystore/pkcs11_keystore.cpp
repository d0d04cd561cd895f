#include "offcard/keystore/pkcs11_keystore.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <sstream>
#include <utility>

#include "core/error.hpp"
#include "gp/kdf3.hpp"
#include "offcard/keystore/pkcs11_key_id.hpp"
#include "offcard/keystore/pkcs11_template.hpp"

namespace sefleet::offcard {
namespace {

using namespace pkcs11_detail;

// True when C_UnwrapKey's answer means "the wrapped data does not verify under this KEK" rather than
// a problem with the session or the token.
bool is_unwrap_integrity_failure(CK_RV rv) {
  return rv == CKR_WRAPPED_KEY_INVALID || rv == CKR_WRAPPED_KEY_LEN_RANGE || rv == CKR_ENCRYPTED_DATA_INVALID ||
         rv == CKR_ENCRYPTED_DATA_LEN_RANGE || rv == CKR_GENERAL_ERROR || rv == CKR_FUNCTION_FAILED;
}

}  // namespace

Pkcs11Keystore::Pkcs11Keystore(std::shared_ptr<Pkcs11Module> module) : module_(std::move(module)) {}

Pkcs11Keystore::~Pkcs11Keystore() {
  // Closing only our sessions: another keystore on the same token keeps its own (and the login).
  for (const CK_SESSION_HANDLE session : all_sessions_) p11()->C_CloseSession(session);
}

std::unique_ptr<Pkcs11Keystore> Pkcs11Keystore::open(const Pkcs11Config& config) {
  if (config.pin.empty()) throw Error(Errc::invalid_argument, "the PKCS#11 user PIN must not be empty");
  if (config.token_label.empty()) throw Error(Errc::invalid_argument, "a PKCS#11 token label is needed");
  std::unique_ptr<Pkcs11Keystore> store(new Pkcs11Keystore(Pkcs11Module::load(config.module)));
  store->token_label_ = config.token_label;
  store->slot_ = store->module_->find_token(config.token_label);

  CK_ULONG count = 0;
  check_ckr(store->p11()->C_GetMechanismList(store->slot_, nullptr, &count), "C_GetMechanismList");
  std::vector<CK_MECHANISM_TYPE> list(count);
  if (count > 0) check_ckr(store->p11()->C_GetMechanismList(store->slot_, list.data(), &count), "C_GetMechanismList");
  list.resize(count);
  const auto has = [&](CK_MECHANISM_TYPE m) { return std::find(list.begin(), list.end(), m) != list.end(); };
  store->mechanisms_.aes_key_gen = has(CKM_AES_KEY_GEN);
  store->mechanisms_.aes_cmac = has(CKM_AES_CMAC);
  store->mechanisms_.aes_cmac_general = has(CKM_AES_CMAC_GENERAL);
  store->mechanisms_.aes_key_wrap = has(CKM_AES_KEY_WRAP);
  store->mechanisms_.aes_ecb = has(CKM_AES_ECB);
  store->mechanisms_.aes_cbc = has(CKM_AES_CBC);
  store->mechanisms_.ec_key_pair_gen = has(CKM_EC_KEY_PAIR_GEN);
  store->mechanisms_.ecdh1_derive = has(CKM_ECDH1_DERIVE);
  store->mechanisms_.ecdsa = has(CKM_ECDSA);

  // The first session logs in (the login covers every session of this application on the token) and
  // stays open while this object lives, so the login does too.
  const CK_SESSION_HANDLE first = store->acquire_session();
  SecretBytes pin = config.pin;
  const CK_RV rv = store->p11()->C_Login(first, CKU_USER, pin.data(), ck_len(pin.size()));
  store->release_session(first);
  if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN) {
    check_ckr(rv, "login to PKCS#11 token '" + config.token_label + "'");
  }
  store->refresh();
  return store;
}

std::string Pkcs11Keystore::location() const {
  return "PKCS#11 token '" + token_label_ + "' (" + module_->path().string() + ")";
}

std::string Pkcs11Keystore::mechanism_summary() const {
  const auto item = [](const char* name, bool present) { return std::string(name) + (present ? " yes" : " no"); };
  return item("CKM_AES_KEY_GEN", mechanisms_.aes_key_gen) + ", " + item("CKM_AES_CMAC", mechanisms_.aes_cmac) + ", " +
         item("CKM_AES_CMAC_GENERAL", mechanisms_.aes_cmac_general) + ", " +
         item("CKM_AES_KEY_WRAP", mechanisms_.aes_key_wrap) + ", " + item("CKM_AES_ECB", mechanisms_.aes_ecb) + ", " +
         item("CKM_AES_CBC", mechanisms_.aes_cbc) + ", " + item("CKM_EC_KEY_PAIR_GEN", mechanisms_.ec_key_pair_gen) +
         ", " + item("CKM_ECDH1_DERIVE", mechanisms_.ecdh1_derive) + ", " + item("CKM_ECDSA", mechanisms_.ecdsa);
}

std::string Pkcs11Keystore::token_summary() const {
  CK_TOKEN_INFO info{};
  check_ckr(p11()->C_GetTokenInfo(slot_, &info), "C_GetTokenInfo");
  const auto text = [](const unsigned char* field, std::size_t size) {
    std::string out(reinterpret_cast<const char*>(field), size);
    while (!out.empty() && (out.back() == ' ' || out.back() == '\0')) out.pop_back();
    return out;
  };
  std::ostringstream out;
  out << "token '" << token_label_ << "': " << text(info.manufacturerID, sizeof info.manufacturerID) << " "
      << text(info.model, sizeof info.model) << ", serial " << text(info.serialNumber, sizeof info.serialNumber)
      << ", slot " << slot_;
  return out.str();
}

CK_SESSION_HANDLE Pkcs11Keystore::acquire_session() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_sessions_.empty()) {
      const CK_SESSION_HANDLE session = idle_sessions_.back();
      idle_sessions_.pop_back();
      return session;
    }
  }
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  check_ckr(p11()->C_OpenSession(slot_, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session),
            "C_OpenSession on token '" + token_label_ + "'");
  std::lock_guard lock(pool_mutex_);
  all_sessions_.push_back(session);
  return session;
}

void Pkcs11Keystore::release_session(CK_SESSION_HANDLE session) {
  std::lock_guard lock(pool_mutex_);
  idle_sessions_.push_back(session);
}

Pkcs11Keystore::Objects Pkcs11Keystore::scan_token(CK_SESSION_HANDLE session) const {
  CK_OBJECT_CLASS key_class = CKO_SECRET_KEY;
  CK_KEY_TYPE key_type = CKK_AES;
  CK_ATTRIBUTE search[] = {value_of(CKA_CLASS, key_class), value_of(CKA_KEY_TYPE, key_type)};
  const std::vector<CK_OBJECT_HANDLE> handles = find_objects(p11(), session, search, 2);
  Objects objects;
  for (const CK_OBJECT_HANDLE handle : handles) {
    CK_ATTRIBUTE sizes[] = {{CKA_LABEL, nullptr, 0}, {CKA_ID, nullptr, 0}};
    if (p11()->C_GetAttributeValue(session, handle, sizes, 2) != CKR_OK) continue;
    if (sizes[0].ulValueLen == CK_UNAVAILABLE_INFORMATION || sizes[1].ulValueLen != kPkcs11KeyIdSize) continue;
    std::string label(sizes[0].ulValueLen, '\0');
    Bytes id(kPkcs11KeyIdSize);
    CK_ULONG value_len = 0;
    CK_BBOOL sign = CK_FALSE, wrap = CK_FALSE, encrypt = CK_FALSE;
    CK_ATTRIBUTE values[] = {{CKA_LABEL, label.data(), ck_len(label.size())},
                             {CKA_ID, id.data(), ck_len(id.size())},
                             value_of(CKA_VALUE_LEN, value_len),
                             value_of(CKA_SIGN, sign),
                             value_of(CKA_WRAP, wrap),
                             value_of(CKA_ENCRYPT, encrypt)};
    if (p11()->C_GetAttributeValue(session, handle, values, 6) != CKR_OK) continue;
    const auto parsed = parse_pkcs11_key_id(id);
    if (!parsed || !is_valid_key_label(label)) continue;  // not one of ours
    VersionObject object;
    object.handle = handle;
    object.version = parsed->version;
    object.created = parsed->created;
    object.origin = parsed->origin;
    object.kcv = parsed->kcv;
    object.size = value_len;
    KeyUsage usage = KeyUsage::none;
    if (sign == CK_TRUE) usage = usage | KeyUsage::mac;
    if (wrap == CK_TRUE) usage = usage | KeyUsage::wrap;
    if (encrypt == CK_TRUE) usage = usage | KeyUsage::encrypt;
    object.usage = usage;
    objects[label].push_back(object);
  }
  scan_ec_keys(session, objects);
  for (auto& [label, versions] : objects) {
    std::sort(versions.begin(), versions.end(),
              [](const VersionObject& a, const VersionObject& b) { return a.version < b.version; });
  }
  return objects;
}

void Pkcs11Keystore::refresh() {
  Objects objects;
  {
    Session session(*this);
    objects = scan_token(session);
  }
  std::unique_lock lock(objects_mutex_);
  objects_ = std::move(objects);
}

Pkcs11Keystore::VersionObject Pkcs11Keystore::resolve(const KeyRef& ref, KeyUsage usage) {
  std::optional<VersionObject> object;
  bool label_known = false;
  for (int attempt = 0; attempt < 2 && !object; ++attempt) {
    if (attempt == 1) refresh();  // another process may have added the key
    std::shared_lock lock(objects_mutex_);
    const auto found = objects_.find(ref.label);
    if (found == objects_.end()) continue;
    label_known = true;
    if (ref.version == 0) {
      object = found->second.back();
    } else {
      for (const auto& v : found->second) {
        if (v.version == ref.version) object = v;
      }
    }
  }
  if (!object) {
    if (!label_known) throw Error(Errc::not_found, "no key '" + ref.label + "' in " + location());
    throw Error(Errc::not_found, "key '" + ref.label + "' has no version " + std::to_string(ref.version));
  }
  check_key_algorithm(version_name(ref.label, object->version), object->ec ? kEcP256Algorithm : kAesAlgorithm, usage);
  if (!allows(object->usage, usage)) {
    throw Error(Errc::invalid_argument, "key '" + version_name(ref.label, object->version) + "' (usage " +
                                            key_usage_text(object->usage) + ") may not be used for " +
                                            key_usage_text(usage));
  }
  return *object;
}

KeyInfo Pkcs11Keystore::info_locked(const std::string& label) const {
  const auto found = objects_.find(label);
  if (found == objects_.end()) throw Error(Errc::not_found, "no key '" + label + "' in " + location());
  const auto& versions = found->second;
  KeyInfo info;
  info.label = label;
  info.algorithm = versions.back().ec ? kEcP256Algorithm : kAesAlgorithm;
  info.size = versions.back().size;
  info.usage = versions.back().usage;
  info.extractable = false;  // created CKA_EXTRACTABLE=FALSE, CKA_SENSITIVE=TRUE; the token keeps it so
  for (const auto& v : versions) {
    KeyVersionInfo version;
    version.version = v.version;
    version.created = v.created;
    version.retired = v.version != versions.back().version;
    version.origin = v.origin;
    version.kcv = v.kcv;
    version.public_point = v.public_point;
    info.versions.push_back(version);
  }
  return info;
}

std::vector<KeyInfo> Pkcs11Keystore::do_list() {
  refresh();  // list is rare and should show keys other processes added
  std::shared_lock lock(objects_mutex_);
  std::vector<KeyInfo> out;
  for (const auto& entry : objects_) out.push_back(info_locked(entry.first));
  return out;
}

KeyInfo Pkcs11Keystore::create_version(const std::string& label, std::uint32_t version, std::size_t size,
                                       KeyUsage usage, const SecretBytes* value) {
  const bool mac = allows(usage, KeyUsage::mac);
  const bool wrap = allows(usage, KeyUsage::wrap);
  const bool encrypt = allows(usage, KeyUsage::encrypt);
  Pkcs11KeyId id;
  id.version = version;
  id.created = now();
  id.origin = value != nullptr ? KeyOrigin::imported : KeyOrigin::generated;
  if (value != nullptr) id.kcv = aes_kcv(value->view());

  CK_OBJECT_CLASS key_class = CKO_SECRET_KEY;
  CK_KEY_TYPE key_type = CKK_AES;
  CK_ULONG value_len = size;
  const Bytes final_id = encode_pkcs11_key_id(id);
  std::vector<CK_ATTRIBUTE> attributes = {
      value_of(CKA_CLASS, key_class),
      value_of(CKA_KEY_TYPE, key_type),
      flag(CKA_TOKEN, true),
      flag(CKA_PRIVATE, true),
      flag(CKA_SENSITIVE, true),
      flag(CKA_EXTRACTABLE, false),
      bytes_of(CKA_LABEL, ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size())),
      flag(CKA_SIGN, mac),
      flag(CKA_VERIFY, mac),
      flag(CKA_WRAP, wrap),
      flag(CKA_UNWRAP, wrap),
      flag(CKA_DERIVE, false),
  };
  const std::string name = version_name(label, version);
  Session session(*this);
  CK_OBJECT_HANDLE handle = CK_INVALID_HANDLE;
  if (value != nullptr) {
    attributes.push_back(bytes_of(CKA_ID, final_id));
    attributes.push_back(flag(CKA_ENCRYPT, encrypt));
    attributes.push_back(flag(CKA_DECRYPT, encrypt));
    attributes.push_back(bytes_of(CKA_VALUE, value->view()));
    check_ckr(p11()->C_CreateObject(session, attributes.data(), ck_len(attributes.size()), &handle),
              "C_CreateObject for key '" + name + "'");
  } else {
    if (!mechanisms_.aes_key_gen) {
      throw Error(Errc::unsupported, location() + " does not offer CKM_AES_KEY_GEN; import the key instead");
    }
    if (!mechanisms_.aes_ecb) {
      throw Error(Errc::unsupported, location() + " does not offer CKM_AES_ECB, needed for the key check value");
    }
    // Generated with CKA_ENCRYPT on, so the token can compute the GlobalPlatform KCV (AES-ECB of a
    // block of 01 bytes); the flag is then set to the key's real usage before the key gets its ID.
    attributes.push_back(bytes_of(CKA_ID, kPendingId));
    attributes.push_back(flag(CKA_ENCRYPT, true));
    attributes.push_back(flag(CKA_DECRYPT, encrypt));
    attributes.push_back(value_of(CKA_VALUE_LEN, value_len));
    CK_MECHANISM generate{CKM_AES_KEY_GEN, nullptr, 0};
    check_ckr(p11()->C_GenerateKey(session, &generate, attributes.data(), ck_len(attributes.size()), &handle),
              "C_GenerateKey for key '" + name + "'");
    ObjectGuard guard(p11(), session, handle);  // removed again unless it is finished below
    CK_MECHANISM ecb{CKM_AES_ECB, nullptr, 0};
    std::uint8_t block[16];
    std::fill(std::begin(block), std::end(block), std::uint8_t{0x01});
    std::uint8_t out[16];
    CK_ULONG out_len = sizeof out;
    check_ckr(p11()->C_EncryptInit(session, &ecb, handle), "C_EncryptInit (KCV) for key '" + name + "'");
    check_ckr(p11()->C_Encrypt(session, block, sizeof block, out, &out_len), "C_Encrypt (KCV) for key '" + name + "'");
    id.kcv = Kcv{out[0], out[1], out[2]};
    const Bytes generated_id = encode_pkcs11_key_id(id);
    CK_ATTRIBUTE finish[] = {bytes_of(CKA_ID, generated_id), flag(CKA_ENCRYPT, encrypt)};
    check_ckr(p11()->C_SetAttributeValue(session, handle, finish, 2), "C_SetAttributeValue for key '" + name + "'");
    guard.release();
  }
  return KeyInfo{};
}

KeyInfo Pkcs11Keystore::do_generate(const std::string& label, std::size_t size, KeyUsage usage) {
  std::lock_guard change(change_mutex_);
  refresh();
  {
    std::shared_lock lock(objects_mutex_);
    if (objects_.count(label) != 0)
      throw Error(Errc::state_error, "key '" + label + "' already exists in " + location());
  }
  create_version(label, 1, size, usage, nullptr);
  refresh();
  std::shared_lock lock(objects_mutex_);
  return info_locked(label);
}

KeyInfo Pkcs11Keystore::do_import(const std::string& label, const SecretBytes& value, KeyUsage usage) {
  std::lock_guard change(change_mutex_);
  refresh();
  {
    std::shared_lock lock(objects_mutex_);
    if (objects_.count(label) != 0)
      throw Error(Errc::state_error, "key '" + label + "' already exists in " + location());
  }
  create_version(label, 1, value.size(), usage, &value);
  refresh();
  std::shared_lock lock(objects_mutex_);
  return info_locked(label);
}

KeyInfo Pkcs11Keystore::do_rotate(const std::string& label, const SecretBytes* value) {
  std::lock_guard change(change_mutex_);
  refresh();
  VersionObject current;
  {
    std::shared_lock lock(objects_mutex_);
    const auto found = objects_.find(label);
    if (found == objects_.end()) throw Error(Errc::not_found, "no key '" + label + "' in " + location());
    current = found->second.back();
  }
  if (value != nullptr && value->size() != current.size) {
    throw Error(Errc::invalid_argument, "key '" + label + "' is " + std::to_string(current.size) +
                                            " bytes; the new version must have the same size, got " +
                                            std::to_string(value->size()));
  }
  if (current.ec) {
    create_ec_version(label, current.version + 1, value);
  } else {
    create_version(label, current.version + 1, current.size, current.usage, value);
  }
  refresh();
  std::shared_lock lock(objects_mutex_);
  return info_locked(label);
}

void Pkcs11Keystore::destroy_version(CK_SESSION_HANDLE session, const std::string& label,
                                     const VersionObject& version) {
  const std::string name = version_name(label, version.version);
  // The private (or secret) key first: without it the version is gone even if the public half stays.
  check_ckr(p11()->C_DestroyObject(session, version.handle), "C_DestroyObject for key '" + name + "'");
  if (version.public_handle != CK_INVALID_HANDLE) {
    check_ckr(p11()->C_DestroyObject(session, version.public_handle),
              "C_DestroyObject for the public key of '" + name + "'");
  }
}

void Pkcs11Keystore::do_delete(const std::string& label) {
  std::lock_guard change(change_mutex_);
  refresh();
  std::vector<VersionObject> versions;
  {
    std::shared_lock lock(objects_mutex_);
    const auto found = objects_.find(label);
    if (found == objects_.end()) throw Error(Errc::not_found, "no key '" + label + "' in " + location());
    versions = found->second;
  }
  {
    Session session(*this);
    for (const auto& v : versions) destroy_version(session, label, v);
  }
  refresh();
}

KeyInfo Pkcs11Keystore::do_delete_version(const std::string& label, std::uint32_t version) {
  std::lock_guard change(change_mutex_);
  refresh();
  VersionObject target;
  {
    std::shared_lock lock(objects_mutex_);
    const auto found = objects_.find(label);
    if (found == objects_.end()) throw Error(Errc::not_found, "no key '" + label + "' in " + location());
    const auto& versions = found->second;
    const auto it =
        std::find_if(versions.begin(), versions.end(), [&](const VersionObject& v) { return v.version == version; });
    if (it == versions.end()) {
      throw Error(Errc::not_found, "key '" + label + "' has no version " + std::to_string(version));
    }
    if (it->version == versions.back().version) {
      throw Error(Errc::state_error, "version " + std::to_string(version) + " of key '" + label +
                                         "' is current; rotate first, or delete the whole key");
    }
    target = *it;
  }
  {
    Session session(*this);
    destroy_version(session, label, target);
  }
  refresh();
  std::shared_lock lock(objects_mutex_);
  return info_locked(label);
}

crypto::Mac16 Pkcs11Keystore::sign_cmac(CK_SESSION_HANDLE session, CK_OBJECT_HANDLE key, ByteView data,
                                        const std::string& name) {
  CK_ULONG mac_length = 16;
  CK_MECHANISM mechanism{CKM_AES_CMAC, nullptr, 0};
  if (!mechanisms_.aes_cmac) {
    if (!mechanisms_.aes_cmac_general) {
      throw Error(Errc::unsupported, location() + " offers neither CKM_AES_CMAC nor CKM_AES_CMAC_GENERAL: key '" +
                                         name + "' cannot compute a CMAC there");
    }
    mechanism = CK_MECHANISM{CKM_AES_CMAC_GENERAL, &mac_length, sizeof mac_length};
  }
  crypto::Mac16 mac{};
  CK_ULONG out_len = mac.size();
  check_ckr(p11()->C_SignInit(session, &mechanism, key), "C_SignInit (AES-CMAC) with key '" + name + "'");
  check_ckr(p11()->C_Sign(session, data_pointer(data), ck_len(data.size()), mac.data(), &out_len),
            "C_Sign (AES-CMAC) with key '" + name + "'");
  if (out_len != mac.size()) {
    throw Error(Errc::crypto_error, "C_Sign (AES-CMAC) with key '" + name + "' returned " + std::to_string(out_len) +
                                        " bytes instead of 16");
  }
  return mac;
}

crypto::Mac16 Pkcs11Keystore::do_cmac(const KeyRef& key, ByteView data) {
  const VersionObject object = resolve(key, KeyUsage::mac);
  Session session(*this);
  return sign_cmac(session, object.handle, data, version_name(key.label, object.version));
}

gp::StaticKeySet Pkcs11Keystore::do_derive_kdf3(const KeyRef& master, ByteView kdd, std::uint8_t kvn) {
  const VersionObject object = resolve(master, KeyUsage::mac);
  const std::string name = version_name(master.label, object.version);
  Session session(*this);
  // Every PRF block is a C_Sign on the token; only the derived per-SE keys come back (keystore.hpp).
  return gp::kdf3_diversify(object.size, kdd, kvn, [&](const gp::Kdf3Block& input) {
    return sign_cmac(session, object.handle, ByteView(input.data(), input.size()), name);
  });
}

Bytes Pkcs11Keystore::do_wrap(const KeyRef& kek, ByteView plaintext) {
  const VersionObject object = resolve(kek, KeyUsage::wrap);
  const std::string name = version_name(kek.label, object.version);
  if (!mechanisms_.aes_key_wrap) {
    throw Error(Errc::unsupported, location() + " does not offer CKM_AES_KEY_WRAP (needed by key '" + name + "')");
  }
  Session session(*this);
  // The data becomes a short-lived, extractable session object that C_WrapKey wraps under the KEK.
  CK_OBJECT_CLASS data_class = CKO_SECRET_KEY;
  CK_KEY_TYPE data_type = CKK_GENERIC_SECRET;
  CK_ATTRIBUTE data_template[] = {value_of(CKA_CLASS, data_class), value_of(CKA_KEY_TYPE, data_type),
                                  flag(CKA_TOKEN, false),          flag(CKA_PRIVATE, true),
                                  flag(CKA_SENSITIVE, false),      flag(CKA_EXTRACTABLE, true),
                                  bytes_of(CKA_VALUE, plaintext)};
  CK_OBJECT_HANDLE data_object = CK_INVALID_HANDLE;
  check_ckr(p11()->C_CreateObject(session, data_template, 7, &data_object),
            "C_CreateObject (data to wrap under '" + name + "')");
  ObjectGuard guard(p11(), session, data_object);
  CK_MECHANISM mechanism{CKM_AES_KEY_WRAP, nullptr, 0};
  Bytes wrapped(plaintext.size() + 8);
  CK_ULONG wrapped_len = ck_len(wrapped.size());
  check_ckr(p11()->C_WrapKey(session, &mechanism, object.handle, data_object, wrapped.data(), &wrapped_len),
            "C_WrapKey (AES-KW) under key '" + name + "'");
  wrapped.resize(wrapped_len);
  return wrapped;
}

SecretBytes Pkcs11Keystore::do_unwrap(const KeyRef& kek, ByteView wrapped) {
  const VersionObject object = resolve(kek, KeyUsage::wrap);
  const std::string name = version_name(kek.label, object.version);
  if (!mechanisms_.aes_key_wrap) {
    throw Error(Errc::unsupported, location() + " does not offer CKM_AES_KEY_WRAP (needed by key '" + name + "')");
  }
  Session session(*this);
  // Unwrapped into a short-lived session object whose value is then read: unwrap returns the data by
  // contract (e.g. BK for a profile-4 campaign), so this object is extractable on purpose.
  CK_OBJECT_CLASS data_class = CKO_SECRET_KEY;
  CK_KEY_TYPE data_type = CKK_GENERIC_SECRET;
  CK_ATTRIBUTE data_template[] = {value_of(CKA_CLASS, data_class), value_of(CKA_KEY_TYPE, data_type),
                                  flag(CKA_TOKEN, false),          flag(CKA_PRIVATE, true),
                                  flag(CKA_SENSITIVE, false),      flag(CKA_EXTRACTABLE, true)};
  CK_MECHANISM mechanism{CKM_AES_KEY_WRAP, nullptr, 0};
  CK_OBJECT_HANDLE data_object = CK_INVALID_HANDLE;
  const CK_RV rv = p11()->C_UnwrapKey(session, &mechanism, object.handle, const_cast<std::uint8_t*>(wrapped.data()),
                                      ck_len(wrapped.size()), data_template, 6, &data_object);
  if (is_unwrap_integrity_failure(rv)) {
    throw Error(
        Errc::integrity_error,
        "AES-KW unwrap under '" + name + "' failed: wrong key, or the wrapped data was altered (" + ckr_name(rv) + ")");
  }
  check_ckr(rv, "C_UnwrapKey (AES-KW) under key '" + name + "'");
  ObjectGuard guard(p11(), session, data_object);
  SecretBytes value(wrapped.size() - 8);
  CK_ATTRIBUTE read{CKA_VALUE, value.data(), ck_len(value.size())};
  check_ckr(p11()->C_GetAttributeValue(session, data_object, &read, 1),
            "reading the data unwrapped under '" + name + "'");
  value.resize(read.ulValueLen);
  return value;
}

// CKM_AES_ECB or CKM_AES_CBC (with `iv`, already checked to be 16 bytes by Keystore::encrypt/decrypt);
// Error(unsupported) when the token does not offer it. The mechanism points into `iv`.
CK_MECHANISM Pkcs11Keystore::block_mechanism(BlockMode mode, ByteView iv) const {
  if (mode == BlockMode::ecb ? !mechanisms_.aes_ecb : !mechanisms_.aes_cbc) {
    throw Error(Errc::unsupported,
                location() + " does not offer " + (mode == BlockMode::ecb ? "CKM_AES_ECB" : "CKM_AES_CBC"));
  }
  return mode == BlockMode::ecb ? CK_MECHANISM{CKM_AES_ECB, nullptr, 0}
                                : CK_MECHANISM{CKM_AES_CBC, const_cast<std::uint8_t*>(iv.data()), 16};
}

Bytes Pkcs11Keystore::do_encrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView plaintext) {
  const VersionObject object = resolve(key, KeyUsage::encrypt);
  const std::string name = version_name(key.label, object.version);
  CK_MECHANISM mechanism = block_mechanism(mode, iv);
  Session session(*this);
  Bytes out(plaintext.size());
  CK_ULONG out_len = ck_len(out.size());
  check_ckr(p11()->C_EncryptInit(session, &mechanism, object.handle), "C_EncryptInit with key '" + name + "'");
  check_ckr(p11()->C_Encrypt(session, data_pointer(plaintext), ck_len(plaintext.size()), out.data(), &out_len),
            "C_Encrypt with key '" + name + "'");
  out.resize(out_len);
  return out;
}

SecretBytes Pkcs11Keystore::do_decrypt(const KeyRef& key, BlockMode mode, ByteView iv, ByteView ciphertext) {
  const VersionObject object = resolve(key, KeyUsage::encrypt);
  const std::string name = version_name(key.label, object.version);
  CK_MECHANISM mechanism = block_mechanism(mode, iv);
  Session session(*this);
  SecretBytes out(ciphertext.size());
  CK_ULONG out_len = ck_len(out.size());
  check_ckr(p11()->C_DecryptInit(session, &mechanism, object.handle), "C_DecryptInit with key '" + name + "'");
  check_ckr(p11()->C_Decrypt(session, data_pointer(ciphertext), ck_len(ciphertext.size()), out.data(), &out_len),
            "C_Decrypt with key '" + name + "'");
  out.resize(out_len);
  return out;
}

Bytes Pkcs11Keystore::do_random(std::size_t count) {
  Session session(*this);
  Bytes out(count);
  check_ckr(p11()->C_GenerateRandom(session, out.data(), ck_len(count)), "C_GenerateRandom");
  return out;
}

}  // namespace sefleet::offcard

// P-256 key pairs of the PKCS#11 keystore. Each key version is two token objects with the same
// CKA_LABEL and CKA_ID record (pkcs11_key_id.hpp; its check value is ec_key_check_value of the public
// point): a CKO_PRIVATE_KEY / CKK_EC (CKA_SENSITIVE, not extractable, CKA_DERIVE and CKA_SIGN only)
// and a CKO_PUBLIC_KEY / CKK_EC holding CKA_EC_POINT, from which `hsm public` and the KeyInfo read the
// point without touching the private key. The private key is what makes a version exist: it is
// created last, and a private key without its public half is not listed.
#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "core/error.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/hash.hpp"
#include "offcard/keystore/pkcs11_key_id.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/pkcs11_template.hpp"

namespace sefleet::offcard {
namespace {

using namespace pkcs11_detail;

// DER of the named curve prime256v1 (OID 1.2.840.10045.3.1.7), the CKA_EC_PARAMS of every key here.
const Bytes kP256Params{0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};

const crypto::EcCurve& p256_curve_for_pkcs11() {
  static const crypto::EcCurve curve = crypto::EcCurve::named(crypto::NamedCurve::secp256r1);
  return curve;
}

// CKA_EC_POINT is the DER OCTET STRING of the point (PKCS#11 2.40 §2.3.3); a few tokens store the
// raw point, which is accepted too.
Bytes ec_point_attribute(ByteView point) {
  Bytes out{0x04, static_cast<std::uint8_t>(point.size())};
  out.insert(out.end(), point.begin(), point.end());
  return out;
}

std::optional<Bytes> decode_ec_point_attribute(ByteView value) {
  if (value.size() == kEcP256PointSize + 2 && value[0] == 0x04 && value[1] == kEcP256PointSize) {
    value = value.subspan(2);
  }
  if (value.size() != kEcP256PointSize || value[0] != 0x04) return std::nullopt;
  return Bytes(value.begin(), value.end());
}

// The value of a variable-length attribute; nullopt when the object does not have it.
std::optional<Bytes> read_attribute(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE session, CK_OBJECT_HANDLE object,
                                    CK_ATTRIBUTE_TYPE type) {
  CK_ATTRIBUTE size{type, nullptr, 0};
  if (p11->C_GetAttributeValue(session, object, &size, 1) != CKR_OK) return std::nullopt;
  if (size.ulValueLen == CK_UNAVAILABLE_INFORMATION) return std::nullopt;
  Bytes value(size.ulValueLen);
  CK_ATTRIBUTE read{type, value.data(), ck_len(value.size())};
  if (p11->C_GetAttributeValue(session, object, &read, 1) != CKR_OK) return std::nullopt;
  value.resize(read.ulValueLen);
  return value;
}

std::string text_of(const Bytes& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

ByteView label_bytes(const std::string& label) {
  return ByteView(reinterpret_cast<const std::uint8_t*>(label.data()), label.size());
}

}  // namespace

void Pkcs11Keystore::scan_ec_keys(CK_SESSION_HANDLE session, Objects& objects) const {
  CK_KEY_TYPE key_type = CKK_EC;
  // The public halves, by label and CKA_ID record.
  std::map<std::pair<std::string, Bytes>, std::pair<CK_OBJECT_HANDLE, Bytes>> public_keys;
  {
    CK_OBJECT_CLASS key_class = CKO_PUBLIC_KEY;
    CK_ATTRIBUTE search[] = {value_of(CKA_CLASS, key_class), value_of(CKA_KEY_TYPE, key_type)};
    for (const CK_OBJECT_HANDLE handle : find_objects(p11(), session, search, 2)) {
      const auto label = read_attribute(p11(), session, handle, CKA_LABEL);
      const auto id = read_attribute(p11(), session, handle, CKA_ID);
      const auto point = read_attribute(p11(), session, handle, CKA_EC_POINT);
      if (!label || !id || !point || !parse_pkcs11_key_id(*id)) continue;
      const auto decoded = decode_ec_point_attribute(*point);
      if (!decoded) continue;
      public_keys[{text_of(*label), *id}] = {handle, *decoded};
    }
  }
  CK_OBJECT_CLASS key_class = CKO_PRIVATE_KEY;
  CK_ATTRIBUTE search[] = {value_of(CKA_CLASS, key_class), value_of(CKA_KEY_TYPE, key_type)};
  for (const CK_OBJECT_HANDLE handle : find_objects(p11(), session, search, 2)) {
    const auto label = read_attribute(p11(), session, handle, CKA_LABEL);
    const auto id = read_attribute(p11(), session, handle, CKA_ID);
    const auto params = read_attribute(p11(), session, handle, CKA_EC_PARAMS);
    if (!label || !id || !params || *params != kP256Params) continue;
    const std::string name = text_of(*label);
    const auto parsed = parse_pkcs11_key_id(*id);
    if (!parsed || !is_valid_key_label(name)) continue;  // not one of ours
    const auto found = public_keys.find({name, *id});
    if (found == public_keys.end()) continue;  // half made or half deleted
    VersionObject object;
    object.handle = handle;
    object.public_handle = found->second.first;
    object.public_point = found->second.second;
    object.ec = true;
    object.version = parsed->version;
    object.created = parsed->created;
    object.origin = parsed->origin;
    object.kcv = parsed->kcv;
    object.usage = KeyUsage::ec;
    object.size = kEcP256ScalarSize;
    objects[name].push_back(std::move(object));
  }
}

void Pkcs11Keystore::create_ec_version(const std::string& label, std::uint32_t version, const SecretBytes* scalar) {
  const std::string name = version_name(label, version);
  Pkcs11KeyId id;
  id.version = version;
  id.created = now();
  id.origin = scalar != nullptr ? KeyOrigin::imported : KeyOrigin::generated;

  CK_OBJECT_CLASS private_class = CKO_PRIVATE_KEY;
  CK_OBJECT_CLASS public_class = CKO_PUBLIC_KEY;
  CK_KEY_TYPE key_type = CKK_EC;
  std::vector<CK_ATTRIBUTE> private_template = {
      value_of(CKA_CLASS, private_class),
      value_of(CKA_KEY_TYPE, key_type),
      flag(CKA_TOKEN, true),
      flag(CKA_PRIVATE, true),
      flag(CKA_SENSITIVE, true),
      flag(CKA_EXTRACTABLE, false),
      bytes_of(CKA_LABEL, label_bytes(label)),
      flag(CKA_DERIVE, true),
      flag(CKA_SIGN, true),
      flag(CKA_DECRYPT, false),
      flag(CKA_UNWRAP, false),
  };
  std::vector<CK_ATTRIBUTE> public_template = {
      value_of(CKA_CLASS, public_class),
      value_of(CKA_KEY_TYPE, key_type),
      bytes_of(CKA_EC_PARAMS, kP256Params),
      flag(CKA_TOKEN, true),
      flag(CKA_PRIVATE, false),
      bytes_of(CKA_LABEL, label_bytes(label)),
      flag(CKA_VERIFY, true),
      flag(CKA_DERIVE, false),
  };
  Session session(*this);
  if (scalar != nullptr) {
    // The point is derived on the host, which also refuses 0 and scalars >= n.
    const Bytes point = crypto::EcPrivateKey::from_scalar(p256_curve_for_pkcs11(), scalar->view()).public_point();
    id.kcv = ec_key_check_value(point);
    const Bytes record = encode_pkcs11_key_id(id);
    const Bytes point_attribute = ec_point_attribute(point);
    public_template.push_back(bytes_of(CKA_ID, record));
    public_template.push_back(bytes_of(CKA_EC_POINT, point_attribute));
    private_template.push_back(bytes_of(CKA_ID, record));
    private_template.push_back(bytes_of(CKA_EC_PARAMS, kP256Params));  // generation takes them from the public half
    private_template.push_back(bytes_of(CKA_VALUE, scalar->view()));
    CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
    check_ckr(p11()->C_CreateObject(session, public_template.data(), ck_len(public_template.size()), &public_key),
              "C_CreateObject for the public key of '" + name + "'");
    ObjectGuard public_guard(p11(), session, public_key);
    CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
    check_ckr(p11()->C_CreateObject(session, private_template.data(), ck_len(private_template.size()), &private_key),
              "C_CreateObject for key '" + name + "'");
    public_guard.release();
    return;
  }
  if (!mechanisms_.ec_key_pair_gen) {
    throw Error(Errc::unsupported, location() + " does not offer CKM_EC_KEY_PAIR_GEN; import the key instead");
  }
  // Both halves carry the pending marker until the point (and so the check value) is known.
  public_template.push_back(bytes_of(CKA_ID, kPendingId));
  private_template.push_back(bytes_of(CKA_ID, kPendingId));
  CK_MECHANISM generate{CKM_EC_KEY_PAIR_GEN, nullptr, 0};
  CK_OBJECT_HANDLE public_key = CK_INVALID_HANDLE;
  CK_OBJECT_HANDLE private_key = CK_INVALID_HANDLE;
  check_ckr(
      p11()->C_GenerateKeyPair(session, &generate, public_template.data(), ck_len(public_template.size()),
                               private_template.data(), ck_len(private_template.size()), &public_key, &private_key),
      "C_GenerateKeyPair (P-256) for key '" + name + "'");
  ObjectGuard public_guard(p11(), session, public_key);
  ObjectGuard private_guard(p11(), session, private_key);
  const auto attribute = read_attribute(p11(), session, public_key, CKA_EC_POINT);
  const auto point = attribute ? decode_ec_point_attribute(*attribute) : std::nullopt;
  if (!point) throw Error(Errc::crypto_error, "the token gave no P-256 point for the new key '" + name + "'");
  id.kcv = ec_key_check_value(*point);
  const Bytes record = encode_pkcs11_key_id(id);
  CK_ATTRIBUTE finish[] = {bytes_of(CKA_ID, record)};
  check_ckr(p11()->C_SetAttributeValue(session, public_key, finish, 1),
            "C_SetAttributeValue for the public key of '" + name + "'");
  check_ckr(p11()->C_SetAttributeValue(session, private_key, finish, 1), "C_SetAttributeValue for key '" + name + "'");
  public_guard.release();
  private_guard.release();
}

KeyInfo Pkcs11Keystore::do_create_ec(const std::string& label, const SecretBytes* private_scalar,
                                     ByteView /*public_point: derived again in create_ec_version*/) {
  std::lock_guard change(change_mutex_);
  refresh();
  {
    std::shared_lock lock(objects_mutex_);
    if (objects_.count(label) != 0) {
      throw Error(Errc::state_error, "key '" + label + "' already exists in " + location());
    }
  }
  create_ec_version(label, 1, private_scalar);
  refresh();
  std::shared_lock lock(objects_mutex_);
  return info_locked(label);
}

Bytes Pkcs11Keystore::do_ec_public_key(const KeyRef& key) {
  return resolve(key, KeyUsage::ec).public_point;
}

SecretBytes Pkcs11Keystore::do_ecdh(const KeyRef& key, ByteView peer_point) {
  const VersionObject object = resolve(key, KeyUsage::agree);
  const std::string name = version_name(key.label, object.version);
  if (!mechanisms_.ecdh1_derive) {
    throw Error(Errc::unsupported, location() + " does not offer CKM_ECDH1_DERIVE (needed by key '" + name + "')");
  }
  // The shared x-coordinate becomes a short-lived, extractable session object, read and destroyed:
  // the caller needs it (SCP11's shared secret), the private key stays on the token.
  CK_ECDH1_DERIVE_PARAMS params{CKD_NULL, 0, nullptr, ck_len(peer_point.size()),
                                const_cast<std::uint8_t*>(peer_point.data())};
  CK_MECHANISM mechanism{CKM_ECDH1_DERIVE, &params, sizeof params};
  CK_OBJECT_CLASS secret_class = CKO_SECRET_KEY;
  CK_KEY_TYPE secret_type = CKK_GENERIC_SECRET;
  CK_ULONG secret_length = kEcP256ScalarSize;
  CK_ATTRIBUTE secret_template[] = {value_of(CKA_CLASS, secret_class),
                                    value_of(CKA_KEY_TYPE, secret_type),
                                    value_of(CKA_VALUE_LEN, secret_length),
                                    flag(CKA_TOKEN, false),
                                    flag(CKA_PRIVATE, true),
                                    flag(CKA_SENSITIVE, false),
                                    flag(CKA_EXTRACTABLE, true)};
  Session session(*this);
  CK_OBJECT_HANDLE secret = CK_INVALID_HANDLE;
  check_ckr(p11()->C_DeriveKey(session, &mechanism, object.handle, secret_template, 7, &secret),
            "C_DeriveKey (CKM_ECDH1_DERIVE) with key '" + name + "'");
  ObjectGuard guard(p11(), session, secret);
  SecretBytes value(kEcP256ScalarSize);
  CK_ATTRIBUTE read{CKA_VALUE, value.data(), ck_len(value.size())};
  check_ckr(p11()->C_GetAttributeValue(session, secret, &read, 1), "reading the ECDH result of key '" + name + "'");
  if (read.ulValueLen != kEcP256ScalarSize) {
    throw Error(Errc::crypto_error,
                "ECDH with key '" + name + "' gave " + std::to_string(read.ulValueLen) + " bytes instead of 32");
  }
  return value;
}

Bytes Pkcs11Keystore::do_ecdsa_sign_sha256(const KeyRef& key, ByteView message) {
  const VersionObject object = resolve(key, KeyUsage::sign);
  const std::string name = version_name(key.label, object.version);
  if (!mechanisms_.ecdsa) {
    throw Error(Errc::unsupported, location() + " does not offer CKM_ECDSA (needed by key '" + name + "')");
  }
  // CKM_ECDSA signs a hash: SHA-256 runs on the host (every ECDSA token offers CKM_ECDSA, fewer the
  // combined CKM_ECDSA_SHA256). The token answers r || s; certificates carry the DER form.
  auto digest = crypto::sha256(message);
  CK_MECHANISM mechanism{CKM_ECDSA, nullptr, 0};
  Session session(*this);
  std::uint8_t raw[64];
  CK_ULONG raw_len = sizeof raw;
  check_ckr(p11()->C_SignInit(session, &mechanism, object.handle), "C_SignInit (ECDSA) with key '" + name + "'");
  check_ckr(p11()->C_Sign(session, digest.data(), ck_len(digest.size()), raw, &raw_len),
            "C_Sign (ECDSA) with key '" + name + "'");
  if (raw_len != sizeof raw) {
    throw Error(Errc::crypto_error,
                "C_Sign (ECDSA) with key '" + name + "' returned " + std::to_string(raw_len) + " bytes instead of 64");
  }
  return crypto::ecdsa_raw_to_der(ByteView(raw, sizeof raw));
}

}  // namespace sefleet::offcard

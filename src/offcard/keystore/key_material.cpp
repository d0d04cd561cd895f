#include "offcard/keystore/key_material.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/ec_key.hpp"

namespace sefleet::offcard {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;

[[noreturn]] void fail(const std::string& why) {
  throw Error(Errc::parse_error, "keystore content: " + why);
}

// Overwrites the characters of every "value" string in the tree (the hex of key values) before the
// tree releases them.
void wipe_values(json& root) {
  if (!root.is_object() || !root.contains("keys") || !root["keys"].is_array()) return;
  for (auto& key : root["keys"]) {
    if (!key.is_object() || !key.contains("versions") || !key["versions"].is_array()) continue;
    for (auto& version : key["versions"]) {
      if (!version.is_object() || !version.contains("value") || !version["value"].is_string()) continue;
      auto& text = version["value"].get_ref<std::string&>();
      secure_zero(text.data(), text.size());
    }
  }
}

// Wipes the tree on every exit path.
struct WipedJson {
  json tree;
  ~WipedJson() { wipe_values(tree); }
};

std::string hex_of(const SecretBytes& value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(value.size() * 2, '0');
  for (std::size_t i = 0; i < value.size(); ++i) {
    text[2 * i] = kDigits[value.data()[i] >> 4];
    text[2 * i + 1] = kDigits[value.data()[i] & 0x0F];
  }
  return text;
}

SecretBytes secret_from_hex(const std::string& text, const std::string& where) {
  Bytes plain;
  try {
    plain = from_hex(text);
  } catch (const Error&) {
    fail(where + ": value is not hexadecimal");
  }
  return SecretBytes::take(plain);
}

template <typename T>
T field(const json& object, const char* name, const std::string& where) {
  if (!object.is_object() || !object.contains(name)) fail(where + ": missing field '" + name + "'");
  try {
    return object.at(name).get<T>();
  } catch (const json::exception&) {
    fail(where + ": field '" + name + "' has the wrong type");
  }
}

KeyOrigin parse_origin(const std::string& text, const std::string& where) {
  if (text == "generated") return KeyOrigin::generated;
  if (text == "imported") return KeyOrigin::imported;
  fail(where + ": unknown origin '" + text + "'");
}

const crypto::EcCurve& p256_curve_for_material() {
  static const crypto::EcCurve curve = crypto::EcCurve::named(crypto::NamedCurve::secp256r1);
  return curve;
}

}  // namespace

KeyInfo StoredKey::info() const {
  KeyInfo out;
  out.label = label;
  out.algorithm = algorithm;
  out.size = size;
  out.usage = usage;
  out.extractable = false;
  for (const auto& v : versions) {
    KeyVersionInfo vi;
    vi.version = v.version;
    vi.created = v.created;
    vi.origin = v.origin;
    vi.retired = &v != &versions.back();
    if (is_ec()) {
      vi.public_point = crypto::EcPrivateKey::from_scalar(p256_curve_for_material(), v.value.view()).public_point();
      vi.kcv = ec_key_check_value(vi.public_point);
    } else {
      vi.kcv = aes_kcv(v.value.view());
    }
    out.versions.push_back(vi);
  }
  return out;
}

const StoredKeyVersion* StoredKey::find(std::uint32_t version) const {
  if (versions.empty()) return nullptr;
  if (version == 0) return &versions.back();
  for (const auto& v : versions) {
    if (v.version == version) return &v;
  }
  return nullptr;
}

StoredKey* KeyMaterial::find(const std::string& label) {
  for (auto& key : keys) {
    if (key.label == label) return &key;
  }
  return nullptr;
}

const StoredKey* KeyMaterial::find(const std::string& label) const {
  for (const auto& key : keys) {
    if (key.label == label) return &key;
  }
  return nullptr;
}

SecretBytes serialize_key_material(const KeyMaterial& material) {
  WipedJson doc;
  doc.tree = json::object();
  doc.tree["format"] = kFormat;
  doc.tree["keys"] = json::array();
  for (const auto& key : material.keys) {
    json k = json::object();
    k["label"] = key.label;
    k["algorithm"] = key.algorithm;
    k["size"] = key.size;
    k["usage"] = key_usage_text(key.usage);
    k["versions"] = json::array();
    for (const auto& v : key.versions) {
      json jv = json::object();
      jv["version"] = v.version;
      jv["created"] = v.created;
      jv["origin"] = std::string(key_origin_text(v.origin));
      std::string value = hex_of(v.value);
      jv["value"] = std::move(value);
      secure_zero(value.data(), value.size());  // empty after the move, unless the string was short
      k["versions"].push_back(std::move(jv));
    }
    doc.tree["keys"].push_back(std::move(k));
  }
  std::string text = doc.tree.dump();
  SecretBytes out(ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  secure_zero(text.data(), text.size());
  return out;
}

KeyMaterial parse_key_material(const SecretBytes& json_text) {
  WipedJson doc;
  try {
    doc.tree = json::parse(json_text.data(), json_text.data() + json_text.size());
  } catch (const json::exception&) {
    fail("not valid JSON");
  }
  if (!doc.tree.is_object()) fail("top level is not an object");
  const int format = field<int>(doc.tree, "format", "top level");
  if (format != kFormat) fail("format " + std::to_string(format) + " is not supported (this build reads 1)");
  if (!doc.tree.contains("keys") || !doc.tree["keys"].is_array()) fail("'keys' must be an array");

  KeyMaterial material;
  for (const auto& k : doc.tree["keys"]) {
    StoredKey key;
    key.label = field<std::string>(k, "label", "key");
    const std::string where = "key '" + key.label + "'";
    if (!is_valid_key_label(key.label)) fail(where + ": invalid label");
    if (material.find(key.label) != nullptr) fail(where + ": duplicate label");
    key.algorithm = field<std::string>(k, "algorithm", where);
    key.size = field<std::size_t>(k, "size", where);
    const std::string usage = field<std::string>(k, "usage", where);
    if (key.is_ec()) {
      if (key.size != kEcP256ScalarSize) fail(where + ": size of an EC-P256 key must be 32");
      if (usage != key_usage_text(KeyUsage::ec)) fail(where + ": usage of an EC-P256 key must be agree,sign");
      key.usage = KeyUsage::ec;
    } else {
      if (key.algorithm != kAesAlgorithm) fail(where + ": algorithm must be AES or EC-P256");
      if (!crypto::is_aes_key_size(key.size)) fail(where + ": size must be 16, 24 or 32");
      try {
        key.usage = parse_key_usage(usage);
      } catch (const Error& e) {
        fail(where + ": " + e.what());
      }
      if (key.usage == KeyUsage::none) fail(where + ": no usage");
    }
    if (!k.contains("versions") || !k["versions"].is_array() || k["versions"].empty()) {
      fail(where + ": 'versions' must be a non-empty array");
    }
    for (const auto& jv : k["versions"]) {
      StoredKeyVersion v;
      v.version = field<std::uint32_t>(jv, "version", where);
      if (v.version == 0 || (!key.versions.empty() && v.version <= key.versions.back().version)) {
        fail(where + ": versions must be positive and strictly ascending");
      }
      const std::string vwhere = where + " version " + std::to_string(v.version);
      v.created = field<std::int64_t>(jv, "created", vwhere);
      v.origin = parse_origin(field<std::string>(jv, "origin", vwhere), vwhere);
      if (!jv.contains("value") || !jv["value"].is_string()) fail(vwhere + ": missing value");
      v.value = secret_from_hex(jv["value"].get_ref<const std::string&>(), vwhere);
      if (v.value.size() != key.size) fail(vwhere + ": value length differs from the key size");
      if (key.is_ec()) {
        try {
          (void)crypto::EcPrivateKey::from_scalar(p256_curve_for_material(), v.value.view());
        } catch (const Error&) {
          fail(vwhere + ": value is not a P-256 private scalar");
        }
      }
      key.versions.push_back(std::move(v));
    }
    material.keys.push_back(std::move(key));
  }
  return material;
}

}  // namespace sefleet::offcard

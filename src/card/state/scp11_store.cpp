#include "card/state/scp11_store.hpp"

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card {
namespace {

constexpr std::string_view kScp11Prefix = "scp11/";
constexpr std::string_view kPrivate = "sk";
constexpr std::string_view kPublic = "pk";
constexpr std::string_view kCertificates = "certs";
constexpr std::string_view kAllowlist = "allow";
constexpr std::string_view kCaIssuer = "caid";
// The layout of one key pair and one OCE CA key (read, then replaced by the first save()).
constexpr std::string_view kLegacyKvn = "scp11/kvn";
constexpr std::string_view kLegacySdKey = "scp11/sk_sd";
constexpr std::string_view kLegacyCertificates = "scp11/certs";
constexpr std::string_view kLegacyOce = "scp11/oce";
constexpr int kSelfSignedDays = 20 * 365;
constexpr iso7816::Tag kTagSerial = 0x93;

[[noreturn]] void corrupt_scp11_record(const nvm::NvmStore& store, std::string_view object,
                                       const std::string& problem) {
  throw Error(Errc::integrity_error,
              "card state in " + store.name() + ": object '" + std::string(object) + "' " + problem);
}

std::string object_name(std::string_view what, Scp11KeyRef ref) {
  return std::string(kScp11Prefix) + std::string(what) + "/" + to_hex(Bytes{ref.kid, ref.kvn});
}

// `reuse`: the key an earlier load parsed for the same reference, taken again when its scalar is
// the stored one.
std::shared_ptr<const crypto::P256PrivateKey> private_key_of(const nvm::NvmStore& store, std::string_view name,
                                                             Bytes scalar, const Scp11Key* reuse = nullptr) {
  if (scalar.size() != crypto::kP256ScalarSize) {
    secure_zero(scalar.data(), scalar.size());
    corrupt_scp11_record(store, name, "is not 32 bytes");
  }
  if (reuse != nullptr && reuse->private_key && constant_time_equal(reuse->private_key->scalar().view(), scalar)) {
    secure_zero(scalar.data(), scalar.size());
    return reuse->private_key;
  }
  try {
    auto key = std::make_shared<const crypto::P256PrivateKey>(crypto::P256PrivateKey::from_scalar(scalar));
    secure_zero(scalar.data(), scalar.size());
    return key;
  } catch (const Error&) {
    secure_zero(scalar.data(), scalar.size());
    corrupt_scp11_record(store, name, "is not a P-256 private key");
  }
}

Bytes point_of(const nvm::NvmStore& store, std::string_view name, ByteView point) {
  try {
    (void)crypto::P256PublicKey::from_uncompressed(point);
  } catch (const Error&) {
    corrupt_scp11_record(store, name, "is not an uncompressed P-256 point");
  }
  return Bytes(point.begin(), point.end());
}

std::vector<Bytes> serials_of(const nvm::NvmStore& store, std::string_view name, ByteView encoded) {
  const auto objects = iso7816::try_parse_tlv_sequence(encoded);
  if (!objects) corrupt_scp11_record(store, name, "is not a list of 93 objects");
  std::vector<Bytes> serials;
  for (const auto& object : *objects) {
    if (object.tag() != kTagSerial || object.is_constructed())
      corrupt_scp11_record(store, name, "is not a list of 93 objects");
    serials.push_back(object.value_bytes());
  }
  return serials;
}

// Reads "scp11/<what>/KKVV" into the key it names.
void read_object(const nvm::NvmStore& store, const std::string& name, const Bytes& value,
                 std::map<Scp11KeyRef, Scp11Key>& keys, const Scp11Store* previous) {
  const std::string_view rest = std::string_view(name).substr(kScp11Prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) corrupt_scp11_record(store, name, "is not an SCP11 object");
  const std::string_view what = rest.substr(0, slash);
  Bytes ref_bytes;
  try {
    ref_bytes = from_hex(rest.substr(slash + 1));
  } catch (const Error&) {
    corrupt_scp11_record(store, name, "does not name a key reference");
  }
  if (ref_bytes.size() != 2) corrupt_scp11_record(store, name, "does not name a key reference");
  const Scp11KeyRef ref{ref_bytes[0], ref_bytes[1]};
  Scp11Key& key = keys[ref];
  if (what == kPrivate && is_sd_key_id(ref.kid)) {
    key.private_key = private_key_of(store, name, value, previous != nullptr ? previous->find(ref) : nullptr);
    key.public_key = key.private_key->public_uncompressed();
  } else if (what == kPublic && is_ca_key_id(ref.kid)) {
    key.public_key = point_of(store, name, value);
  } else if (what == kCertificates) {
    key.certificates = value;
  } else if (what == kAllowlist) {
    key.allowlist = serials_of(store, name, value);
  } else if (what == kCaIssuer) {
    if (value.empty() || value[0] > 0x01)
      corrupt_scp11_record(store, name, "is not a KLOC/KLCC flag and an identifier");
    key.ca_issuer_klcc = value[0] == 0x01;
    key.ca_issuer.assign(value.begin() + 1, value.end());
  } else {
    corrupt_scp11_record(store, name, "is not an SCP11 object");
  }
}

// The single key pair (usable as KID 11, 13 and 15) and OCE CA key of the first layout.
void read_legacy(const nvm::NvmStore& store, std::map<Scp11KeyRef, Scp11Key>& keys) {
  const auto kvn = store.get(kLegacyKvn);
  if (kvn->size() != 1) corrupt_scp11_record(store, kLegacyKvn, "is not one byte");
  auto scalar = store.get(kLegacySdKey);
  if (!scalar) corrupt_scp11_record(store, kLegacySdKey, "is missing");
  const auto key = private_key_of(store, kLegacySdKey, std::move(*scalar));
  const Bytes certificates = store.get(kLegacyCertificates).value_or(Bytes{});
  for (const std::uint8_t kid : {gp::scp11::kKidScp11a, gp::scp11::kKidScp11b, gp::scp11::kKidScp11c}) {
    keys[{kid, (*kvn)[0]}] = Scp11Key{key, key->public_uncompressed(), certificates, {}, {}, {}};
  }
  if (const auto oce = store.get(kLegacyOce)) {
    if (oce->size() != 1 + crypto::kP256PointSize) corrupt_scp11_record(store, kLegacyOce, "is not KVN || P-256 point");
    keys[{gp::scp11::kKidOceCa, (*oce)[0]}].public_key = point_of(store, kLegacyOce, ByteView(*oce).subspan(1));
  }
}

nlohmann::json certificates_json(const Bytes& chain) {
  nlohmann::json certificates = nlohmann::json::array();
  for (const auto& certificate : gp::scp11::parse_certificate_chain(chain)) {
    certificates.push_back({{"format", certificate.format() == gp::scp11::CertificateFormat::gp ? "gp" : "x509"},
                            {"subject", certificate.description()},
                            {"hex", to_hex(certificate.encoded())}});
  }
  return certificates;
}

}  // namespace

bool is_sd_key_id(std::uint8_t kid) noexcept {
  return gp::scp11::variant_of_key_id(kid).has_value();
}

bool is_ca_key_id(std::uint8_t kid) noexcept {
  return kid == gp::scp11::kKidOceCa || (kid >= 0x20 && kid <= 0x2F);
}

void Scp11Store::personalize(nvm::NvmStore& store, const Scp11Profile& profile, ByteView se_id) {
  std::shared_ptr<const crypto::P256PrivateKey> key;
  Bytes certificates;
  if (profile.sk_sd_ecka.empty()) {
    key = std::make_shared<const crypto::P256PrivateKey>(crypto::P256PrivateKey::generate());
    certificates = crypto::X509Certificate::self_signed(*key, "sefleet SD " + to_hex(se_id), kSelfSignedDays).der();
  } else {
    key =
        std::make_shared<const crypto::P256PrivateKey>(crypto::P256PrivateKey::from_scalar(profile.sk_sd_ecka.view()));
    for (const Bytes& certificate : profile.certificates) append(certificates, certificate);
  }
  if (profile.sd_key_ids.empty()) throw Error(Errc::invalid_argument, "SCP11 profile: no SD key identifier");
  for (const std::uint8_t kid : profile.sd_key_ids) {
    if (!is_sd_key_id(kid)) {
      throw Error(Errc::invalid_argument,
                  "SCP11 profile: " + to_hex(Bytes{kid}) + " is not an SCP11 SD key identifier");
    }
  }
  Scp11Store out;
  for (const std::uint8_t kid : profile.sd_key_ids) {
    out.keys_[{kid, profile.kvn}] = Scp11Key{key, key->public_uncompressed(), certificates, {}, {}, {}};
  }
  if (!profile.oce_ca_pk.empty()) out.keys_[{gp::scp11::kKidOceCa, profile.oce_kvn}].public_key = profile.oce_ca_pk;
  out.save(store);
}

std::optional<Scp11Store> Scp11Store::load(const nvm::NvmStore& store) {
  return load(store, nullptr);
}

std::optional<Scp11Store> Scp11Store::load(const nvm::NvmStore& store, const Scp11Store* previous) {
  Scp11Store out;
  bool any = false;
  if (store.contains(kLegacyKvn)) {
    read_legacy(store, out.keys_);
    any = true;
  }
  for (const auto& [name, value] : store.committed()) {
    if (!name.starts_with(kScp11Prefix)) continue;
    any = true;
    if (name == kLegacyKvn || name == kLegacySdKey || name == kLegacyCertificates || name == kLegacyOce) continue;
    read_object(store, name, value, out.keys_, previous);
  }
  if (!any) return std::nullopt;
  for (const auto& [ref, key] : out.keys_) {
    if (key.public_key.empty())
      corrupt_scp11_record(store, object_name(is_sd_key_id(ref.kid) ? kPrivate : kPublic, ref), "is missing");
  }
  return out;
}

void Scp11Store::save(nvm::NvmStore& store) const {
  store.begin();
  try {
    for (const std::string& name : store.keys()) {
      if (name.starts_with(kScp11Prefix)) store.erase(name);
    }
    for (const auto& [ref, key] : keys_) {
      if (key.private_key) {
        const SecretBytes scalar = key.private_key->scalar();
        store.write(object_name(kPrivate, ref), scalar.view());
      } else {
        store.write(object_name(kPublic, ref), key.public_key);
      }
      if (!key.certificates.empty()) store.write(object_name(kCertificates, ref), key.certificates);
      if (key.allowlist) {
        Bytes encoded;
        for (const Bytes& serial : *key.allowlist)
          append(encoded, iso7816::Tlv::primitive(kTagSerial, serial).encode());
        store.write(object_name(kAllowlist, ref), encoded);
      }
      if (key.ca_issuer_klcc) {
        store.write(object_name(kCaIssuer, ref),
                    concat({Bytes{static_cast<std::uint8_t>(*key.ca_issuer_klcc ? 1 : 0)}, key.ca_issuer}));
      }
    }
    store.commit();
  } catch (...) {
    store.abort();
    throw;
  }
}

const Scp11Key* Scp11Store::find(Scp11KeyRef ref) const {
  const auto it = keys_.find(ref);
  return it == keys_.end() ? nullptr : &it->second;
}

bool Scp11Store::uses_kvn(std::uint8_t kvn) const {
  for (const auto& [ref, key] : keys_) {
    if (ref.kvn == kvn) return true;
  }
  return false;
}

gp::scp11::Scp11CardKeys Scp11Store::card_keys(Scp11KeyRef sd_key) const {
  gp::scp11::Scp11CardKeys out;
  out.kvn = sd_key.kvn;
  if (const Scp11Key* key = find(sd_key); key != nullptr && is_sd_key_id(sd_key.kid))
    out.sd_key = key->private_key.get();
  return out;
}

gp::scp11::Scp11CardKeys Scp11Store::oce_keys(Scp11KeyRef ca_key) const {
  gp::scp11::Scp11CardKeys out;
  out.oce_kid = ca_key.kid;
  out.oce_kvn = ca_key.kvn;
  if (const Scp11Key* key = find(ca_key); key != nullptr && is_ca_key_id(ca_key.kid)) {
    out.oce_ca_key = key->public_key;
    out.oce_allowlist = key->allowlist;
  }
  return out;
}

nlohmann::json Scp11Store::summary() const {
  nlohmann::json out = nlohmann::json::object();
  nlohmann::json key_sets = nlohmann::json::array();
  for (const auto& [ref, key] : keys_) {
    nlohmann::json entry = {{"kid", to_hex(Bytes{ref.kid})},
                            {"kvn", to_hex(Bytes{ref.kvn})},
                            {"type", key.private_key ? "key_pair" : "public_key"},
                            {"public_key", to_hex(key.public_key)}};
    if (!key.certificates.empty()) entry["certificates"] = certificates_json(key.certificates);
    if (key.allowlist) {
      nlohmann::json serials = nlohmann::json::array();
      for (const Bytes& serial : *key.allowlist) serials.push_back(to_hex(serial));
      entry["allowlist"] = serials;
    }
    if (key.ca_issuer_klcc) {
      entry["ca_issuer"] = {{"klcc", *key.ca_issuer_klcc}, {"identifier", to_hex(key.ca_issuer)}};
    }
    key_sets.push_back(std::move(entry));
    if (key.private_key && !out.contains("kvn")) {
      out["kvn"] = to_hex(Bytes{ref.kvn});
      out["pk_sd_ecka"] = to_hex(key.public_key);
      out["certificates"] = certificates_json(key.certificates);
    }
    if (ref.kid == gp::scp11::kKidOceCa && !out.contains("oce")) {
      out["oce"] = {{"kvn", to_hex(Bytes{ref.kvn})}, {"ca_pk", to_hex(key.public_key)}};
    }
  }
  out["key_sets"] = std::move(key_sets);
  return out;
}

}  // namespace sefleet::card

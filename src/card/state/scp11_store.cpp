#include "card/state/scp11_store.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/x509_certificate.hpp"
#include "gp/scp11/scp11_certificate.hpp"

namespace sefleet::card {
namespace {

constexpr std::string_view kKvn = "scp11/kvn";
constexpr std::string_view kSdKey = "scp11/sk_sd";
constexpr std::string_view kCertificates = "scp11/certs";
constexpr std::string_view kOce = "scp11/oce";
constexpr int kSelfSignedDays = 20 * 365;

[[noreturn]] void corrupt(const nvm::NvmStore& store, std::string_view object, const std::string& problem) {
  throw Error(Errc::integrity_error,
              "card state in " + store.name() + ": object '" + std::string(object) + "' " + problem);
}

}  // namespace

void Scp11Store::personalize(nvm::NvmStore& store, const Scp11Profile& profile, ByteView se_id) {
  std::optional<crypto::P256PrivateKey> key;
  Bytes certificates;
  if (profile.sk_sd_ecka.empty()) {
    key.emplace(crypto::P256PrivateKey::generate());
    certificates = crypto::X509Certificate::self_signed(*key, "sefleet SD " + to_hex(se_id), kSelfSignedDays).der();
  } else {
    key.emplace(crypto::P256PrivateKey::from_scalar(profile.sk_sd_ecka.view()));
    for (const Bytes& certificate : profile.certificates) append(certificates, certificate);
  }
  const SecretBytes scalar = key->scalar();
  store.begin();
  store.write(kKvn, Bytes{profile.kvn});
  store.write(kSdKey, scalar.view());
  store.write(kCertificates, certificates);
  if (!profile.oce_ca_pk.empty()) store.write(kOce, concat({Bytes{profile.oce_kvn}, profile.oce_ca_pk}));
  store.commit();
}

std::optional<Scp11Store> Scp11Store::load(const nvm::NvmStore& store) {
  return load(store, std::nullopt);
}

std::optional<Scp11Store> Scp11Store::load(const nvm::NvmStore& store, const std::optional<Scp11Store>& previous) {
  const auto kvn = store.get(kKvn);
  if (!kvn) return std::nullopt;
  if (kvn->size() != 1) corrupt(store, kKvn, "is not one byte");
  Scp11Store out;
  out.kvn_ = (*kvn)[0];
  auto scalar = store.get(kSdKey);
  if (!scalar || scalar->size() != crypto::kP256ScalarSize) corrupt(store, kSdKey, "is missing or not 32 bytes");
  out.sd_scalar_ = SecretBytes(*scalar);
  secure_zero(scalar->data(), scalar->size());
  if (previous && constant_time_equal(previous->sd_scalar_.view(), out.sd_scalar_.view())) {
    out.sd_key_ = previous->sd_key_;
  } else {
    try {
      out.sd_key_ =
          std::make_shared<const crypto::P256PrivateKey>(crypto::P256PrivateKey::from_scalar(out.sd_scalar_.view()));
    } catch (const Error&) {
      corrupt(store, kSdKey, "is not a P-256 private key");
    }
  }
  out.certificates_ = store.get(kCertificates).value_or(Bytes{});
  if (const auto oce = store.get(kOce)) {
    if (oce->size() != 1 + crypto::kP256PointSize) corrupt(store, kOce, "is not KVN || P-256 point");
    out.oce_kvn_ = (*oce)[0];
    out.oce_ca_pk_.assign(oce->begin() + 1, oce->end());
  }
  return out;
}

gp::scp11::Scp11CardKeys Scp11Store::card_keys() const {
  gp::scp11::Scp11CardKeys keys;
  keys.kvn = kvn_;
  keys.sd_key = sd_key_.get();
  if (oce_kvn_) {
    keys.oce_kvn = *oce_kvn_;
    keys.oce_ca_key = oce_ca_pk_;
  }
  return keys;
}

nlohmann::json Scp11Store::summary() const {
  nlohmann::json certificates = nlohmann::json::array();
  for (const auto& certificate : gp::scp11::parse_certificate_chain(certificates_)) {
    certificates.push_back({{"format", certificate.format() == gp::scp11::CertificateFormat::gp ? "gp" : "x509"},
                            {"subject", certificate.description()},
                            {"hex", to_hex(certificate.encoded())}});
  }
  nlohmann::json out = {{"kvn", to_hex(Bytes{kvn_})},
                        {"pk_sd_ecka", to_hex(sd_key_->public_uncompressed())},
                        {"certificates", certificates}};
  if (oce_kvn_) out["oce"] = {{"kvn", to_hex(Bytes{*oce_kvn_})}, {"ca_pk", to_hex(oce_ca_pk_)}};
  return out;
}

}  // namespace sefleet::card

#include "card/state/scp11_profile.hpp"

#include <set>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "gp/scp11/scp11_certificate.hpp"

namespace sefleet::card {
namespace {

using nlohmann::json;

[[noreturn]] void fail_scp11_field(const std::string& field, const std::string& problem) {
  throw Error(Errc::parse_error, "profile: field 'scp11." + field + "': " + problem);
}

void refuse_unknown(const json& object, const std::string& where, const std::set<std::string>& known) {
  for (const auto& item : object.items()) {
    if (known.count(item.key()) == 0) fail_scp11_field(where + item.key(), "unknown field");
  }
}

Bytes hex_of(const json& value, const std::string& field) {
  if (!value.is_string()) fail_scp11_field(field, "must be a hex string");
  try {
    return from_hex(value.get<std::string>());
  } catch (const Error& error) {
    fail_scp11_field(field, error.what());
  }
}

std::uint8_t kvn_of(const json& value, const std::string& field) {
  const Bytes bytes = hex_of(value, field);
  if (bytes.size() != 1 || bytes[0] == 0x00 || bytes[0] > 0x7F) fail_scp11_field(field, "must be one byte, 01..7F");
  return bytes[0];
}

}  // namespace

Scp11Profile Scp11Profile::from_json(const json& object) {
  if (!object.is_object()) throw Error(Errc::parse_error, "profile: field 'scp11': must be an object");
  refuse_unknown(object, "", {"kvn", "sk_sd_ecka", "certificates", "oce"});
  Scp11Profile profile;
  if (object.contains("kvn")) profile.kvn = kvn_of(object.at("kvn"), "kvn");
  std::optional<crypto::P256PrivateKey> key;
  if (object.contains("sk_sd_ecka")) {
    Bytes scalar = hex_of(object.at("sk_sd_ecka"), "sk_sd_ecka");
    if (scalar.size() != crypto::kP256ScalarSize) fail_scp11_field("sk_sd_ecka", "must be 32 bytes (64 hex digits)");
    try {
      key.emplace(crypto::P256PrivateKey::from_scalar(scalar));
    } catch (const Error&) {
      secure_zero(scalar.data(), scalar.size());
      fail_scp11_field("sk_sd_ecka", "not a P-256 private scalar (1..n-1)");
    }
    profile.sk_sd_ecka = SecretBytes::take(scalar);
  }
  if (object.contains("certificates")) {
    const json& list = object.at("certificates");
    if (!list.is_array()) fail_scp11_field("certificates", "must be an array of hex strings");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string field = "certificates[" + std::to_string(i) + "]";
      Bytes certificate = hex_of(list[i], field);
      try {
        (void)gp::scp11::Scp11Certificate::parse(certificate);
      } catch (const Error& error) {
        fail_scp11_field(field, error.what());
      }
      profile.certificates.push_back(std::move(certificate));
    }
    if (!profile.certificates.empty()) {
      if (!key) fail_scp11_field("certificates", "given without sk_sd_ecka (a generated key would not match them)");
      const auto leaf = gp::scp11::Scp11Certificate::parse(profile.certificates.back());
      if (leaf.public_key() != key->public_uncompressed()) {
        fail_scp11_field("certificates", "the last certificate does not certify sk_sd_ecka's public key");
      }
    }
  }
  if (object.contains("oce")) {
    const json& oce = object.at("oce");
    if (!oce.is_object()) fail_scp11_field("oce", "must be an object");
    refuse_unknown(oce, "oce.", {"kvn", "ca_pk"});
    if (oce.contains("kvn")) profile.oce_kvn = kvn_of(oce.at("kvn"), "oce.kvn");
    if (!oce.contains("ca_pk")) fail_scp11_field("oce.ca_pk", "missing");
    profile.oce_ca_pk = hex_of(oce.at("ca_pk"), "oce.ca_pk");
    try {
      (void)crypto::P256PublicKey::from_uncompressed(profile.oce_ca_pk);
    } catch (const Error& error) {
      fail_scp11_field("oce.ca_pk", error.what());
    }
  }
  return profile;
}

}  // namespace sefleet::card

// SCP11 key management in GlobalPlatformPro's one-command form of `sefleet gp` (gp_gppro.cpp): PUT KEY
// of an SD key pair (from a private key file, or generated on the host) or of a CA / OCE public key,
// DELETE of keys by KID/KVN, STORE DATA of a certificate store, an allowlist or a CA issuer
// identifier, and the key list
// (GET DATA E0 with the key types). Everything but the list runs inside an SCP03 or SCP11a/c session
// (the card refuses them under SCP11b); arguments and files are checked before the card is touched.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/p256.hpp"
#include "gp/host/card_data.hpp"
#include "gp/host/card_info.hpp"
#include "gp/host/scp11_keys.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {
namespace {

struct KeyRef {
  std::optional<std::uint8_t> kid;
  std::optional<std::uint8_t> kvn;
};

// "KID/KVN" (hex); with `partial`, "KID" or "/KVN" as well (DELETE).
KeyRef parse_key_ref(const std::string& text, const std::string& option, bool partial) {
  const auto slash = text.find('/');
  const std::string kid = text.substr(0, slash);
  const std::string kvn = slash == std::string::npos ? "" : text.substr(slash + 1);
  if (!partial && (kid.empty() || kvn.empty())) {
    throw CLI::ValidationError(option, "expected KID/KVN in hex (e.g. 13/01), got '" + text + "'");
  }
  if (kid.empty() && kvn.empty()) throw CLI::ValidationError(option, "expected KID/KVN, KID or /KVN in hex");
  KeyRef ref;
  if (!kid.empty()) ref.kid = parse_hex_byte(kid, option + " KID");
  if (!kvn.empty()) ref.kvn = parse_hex_byte(kvn, option + " KVN");
  if (ref.kvn && (*ref.kvn == 0 || *ref.kvn > 0x7F)) throw CLI::ValidationError(option, "a key version is 01..7F");
  return ref;
}

gp::host::EcKeyReference ec_reference(const KeyRef& ref, bool replace) {
  return {*ref.kid, *ref.kvn, replace ? *ref.kvn : std::uint8_t{0}};
}

KeyRef sd_key(const std::string& text, const std::string& option) {
  KeyRef ref = parse_key_ref(text, option, false);
  if (!gp::host::is_scp11_sd_kid(*ref.kid)) {
    throw CLI::ValidationError(option, "an SD key pair has KID 11 (SCP11a), 13 (SCP11b) or 15 (SCP11c)");
  }
  return ref;
}

KeyRef ca_key(const std::string& text, const std::string& option) {
  KeyRef ref = parse_key_ref(text, option, false);
  if (!gp::host::is_scp11_ca_kid(*ref.kid)) {
    throw CLI::ValidationError(option, "a CA / OCE public key has KID 10 or 20..2F");
  }
  return ref;
}

// KID/KVN then at least one more argument.
std::pair<std::string, std::vector<std::string>> split_arguments(const std::vector<std::string>& values,
                                                                 const std::string& option, const std::string& what) {
  if (values.size() < 2) throw CLI::ValidationError(option, "expected KID/KVN then " + what);
  return {values.front(), std::vector<std::string>(values.begin() + 1, values.end())};
}

Bytes serial_number(const std::string& text) {
  try {
    Bytes serial = from_hex(text);
    if (serial.empty()) throw Error(Errc::parse_error, "empty");
    return serial;
  } catch (const Error&) {
    throw CLI::ValidationError("--allowlist", "a serial number is hex (e.g. 8002), got '" + text + "'");
  }
}

// An SD key pair or a CA / OCE key: what a CA issuer identifier may belong to.
KeyRef scp11_key(const std::string& text, const std::string& option) {
  KeyRef ref = parse_key_ref(text, option, false);
  if (!gp::host::is_scp11_sd_kid(*ref.kid) && !gp::host::is_scp11_ca_kid(*ref.kid)) {
    throw CLI::ValidationError(option, "an SCP11 key has KID 11, 13, 15 (SD key pair), 10 or 20..2F (CA / OCE key)");
  }
  return ref;
}

Bytes ca_issuer_identifier(const std::string& text) {
  Bytes identifier;
  try {
    identifier = from_hex(text);
  } catch (const Error&) {
    throw CLI::ValidationError("--store-ca-issuer", "the identifier is hex (e.g. a 20-byte SKI), got '" + text + "'");
  }
  if (identifier.empty() || identifier.size() > 127) {
    throw CLI::ValidationError("--store-ca-issuer", "the identifier is 1..127 bytes");
  }
  return identifier;
}

void print_done(const GpConnection& connection, const GpCommonOptions& options, nlohmann::json result,
                const std::string& text) {
  if (options.json) {
    result["reader"] = connection.card->description();
    result["secure_channel"] = secure_channel_json(connection);
    std::cout << result.dump(2) << "\n";
  } else {
    std::cout << text << "\n";
  }
}

// "AES-128" for a symmetric key; "ECC-private 32 bytes"; the key parameter reference F0 carries the
// curve (00: P-256) where the length would be.
std::string component_text(const gp::host::KeyComponent& c) {
  if (c.type == 0xF0) return c.length == 0 ? "P-256" : "key parameters " + std::to_string(c.length);
  if (c.type >= 0xA0) return gp::host::key_type_name(c.type) + " " + std::to_string(c.length) + " bytes";
  return gp::host::key_type_name(c.type) + "-" + std::to_string(c.length * 8);
}

void list_keys(const GpCommonOptions& options) {
  GpConnection connection = connect_gp(options);
  if (connection.has_credentials()) authenticate(connection, options);
  const auto keys = gp::host::read_key_information(*connection.session);
  if (!keys.value) throw Error(Errc::protocol_error, "GET DATA E0: " + keys.unavailable);
  nlohmann::json list = nlohmann::json::array();
  for (const auto& key : *keys.value) {
    nlohmann::json components = nlohmann::json::array();
    std::string text;
    for (const auto& c : key.components) {
      components.push_back({{"type", gp::host::key_type_name(c.type)}, {"length", c.length}});
      text += (text.empty() ? "" : ", ") + component_text(c);
    }
    list.push_back({{"kid", to_hex(Bytes{key.id})}, {"kvn", to_hex(Bytes{key.version})}, {"components", components}});
    if (!options.json) {
      std::cout << "KID " << to_hex(Bytes{key.id}) << "  KVN " << to_hex(Bytes{key.version}) << "  " << text << "\n";
    }
  }
  if (options.json) {
    std::cout << nlohmann::json{{"reader", connection.card->description()}, {"keys", list}}.dump(2) << "\n";
  }
}

}  // namespace

void add_scp11_key_actions(CLI::App& gp, Scp11KeyActions& a) {
  gp.add_option("--put-sd-key", a.put_sd_key,
                "SCP11: PUT KEY of an SD key pair: KID/KVN FILE (KID 11|13|15; the private key as PEM or 64 hex "
                "digits, mode 0600), encrypted under the session's DEK")
      ->expected(2);
  gp.add_option("--new-sd-key", a.new_sd_key,
                "SCP11: generate an SD key pair on the host and PUT KEY it as KID/KVN; prints the public key "
                "(the private key exists on the card only)");
  gp.add_option("--put-ca-key", a.put_ca_key,
                "SCP11: PUT KEY of a CA / OCE public key: KID/KVN FILE|HEX (KID 10|20..2F; PEM public key, "
                "certificate (its key) or hex point)")
      ->expected(2);
  gp.add_flag("--replace", a.replace,
              "With --put-sd-key/--new-sd-key/--put-ca-key: replace the key of that KID and KVN (default: add)");
  gp.add_option("--delete-key", a.delete_key,
                "SCP11: DELETE keys: KID/KVN, KID (every version) or /KVN (every KID of that version)");
  gp.add_option("--store-certs", a.store_certs,
                "SCP11: STORE DATA of the certificate store of SD key KID/KVN: KID/KVN FILE... (leaf last)")
      ->expected(2, 16);
  gp.add_option("--allowlist", a.allowlist,
                "SCP11: STORE DATA of the allowlist of CA key KID/KVN: KID/KVN SERIAL... (hex; KID/KVN alone "
                "is refused, give 'none' to clear it)")
      ->expected(2, 64);
  gp.add_option("--store-ca-issuer", a.store_ca_issuer,
                "SCP11: STORE DATA of the CA issuer identifier of key KID/KVN: KID/KVN HEX (the CA's subject key "
                "identifier; KLCC for an SD key pair, KLOC for a CA / OCE key; GET DATA FF34 / FF33 lists it)")
      ->expected(2);
  gp.add_flag("--list-keys", a.list_keys, "List the keys (GET DATA E0) with their types: SCP03 AES and SCP11 ECC");
}

std::vector<std::pair<const char*, bool>> scp11_key_action_names(const Scp11KeyActions& a) {
  return {{"--put-sd-key", !a.put_sd_key.empty()},           {"--new-sd-key", !a.new_sd_key.empty()},
          {"--put-ca-key", !a.put_ca_key.empty()},           {"--delete-key", !a.delete_key.empty()},
          {"--store-certs", !a.store_certs.empty()},         {"--allowlist", !a.allowlist.empty()},
          {"--store-ca-issuer", !a.store_ca_issuer.empty()}, {"--list-keys", a.list_keys}};
}

void run_scp11_key_action(const GpCommonOptions& options, const Scp11KeyActions& a) {
  const bool puts = !a.put_sd_key.empty() || !a.new_sd_key.empty() || !a.put_ca_key.empty();
  if (a.replace && !puts)
    throw CLI::ValidationError("--replace", "goes with --put-sd-key, --new-sd-key or --put-ca-key");
  if (a.list_keys) {
    list_keys(options);
    return;
  }
  require_keys(options, "SCP11 key management");
  // Everything from the command line and the files is read and checked here, before the card.
  if (!a.put_sd_key.empty() || !a.new_sd_key.empty()) {
    const std::string option = a.new_sd_key.empty() ? "--put-sd-key" : "--new-sd-key";
    const KeyRef ref = sd_key(a.new_sd_key.empty() ? a.put_sd_key[0] : a.new_sd_key, option);
    const crypto::P256PrivateKey key = a.new_sd_key.empty() ? read_p256_private_key(a.put_sd_key[1], "--put-sd-key")
                                                            : crypto::P256PrivateKey::generate();
    GpConnection connection = connect_gp(options);
    authenticate(connection, options);
    const auto where = ec_reference(ref, a.replace);
    connection.session->put_sd_key_pair(where, key.scalar());
    const std::string point = to_hex(key.public_uncompressed());
    print_done(connection, options,
               {{"kid", to_hex(Bytes{where.kid})},
                {"kvn", to_hex(Bytes{where.kvn})},
                {"replaced", a.replace},
                {"public_key", point}},
               std::string(a.replace ? "replaced" : "added") + " SD key pair KID " + to_hex(Bytes{where.kid}) +
                   " KVN " + to_hex(Bytes{where.kvn}) + "\nPK.SD.ECKA " + point);
  } else if (!a.put_ca_key.empty()) {
    const KeyRef ref = ca_key(a.put_ca_key[0], "--put-ca-key");
    const Bytes point = read_p256_public_key(a.put_ca_key[1], "--put-ca-key");
    GpConnection connection = connect_gp(options);
    authenticate(connection, options);
    const auto where = ec_reference(ref, a.replace);
    connection.session->put_ca_key(where, point);
    print_done(connection, options,
               {{"kid", to_hex(Bytes{where.kid})},
                {"kvn", to_hex(Bytes{where.kvn})},
                {"replaced", a.replace},
                {"public_key", to_hex(point)}},
               std::string(a.replace ? "replaced" : "added") + " public key KID " + to_hex(Bytes{where.kid}) + " KVN " +
                   to_hex(Bytes{where.kvn}));
  } else if (!a.delete_key.empty()) {
    const KeyRef ref = parse_key_ref(a.delete_key, "--delete-key", true);
    GpConnection connection = connect_gp(options);
    authenticate(connection, options);
    connection.session->delete_keys(ref.kid, ref.kvn);
    const std::string kid = ref.kid ? to_hex(Bytes{*ref.kid}) : "any";
    const std::string kvn = ref.kvn ? to_hex(Bytes{*ref.kvn}) : "any";
    print_done(connection, options, {{"deleted", {{"kid", kid}, {"kvn", kvn}}}},
               "deleted the keys of KID " + kid + ", KVN " + kvn);
  } else if (!a.store_certs.empty()) {
    const auto [text, files] = split_arguments(a.store_certs, "--store-certs", "certificate FILE...");
    const KeyRef ref = sd_key(text, "--store-certs");
    std::vector<Bytes> certificates;
    for (const std::string& file : files) {
      for (Bytes& der : read_certificate_file(file, "--store-certs")) certificates.push_back(std::move(der));
    }
    GpConnection connection = connect_gp(options);
    authenticate(connection, options);
    connection.session->store_certificates(*ref.kid, *ref.kvn, certificates);
    print_done(
        connection, options,
        {{"kid", to_hex(Bytes{*ref.kid})}, {"kvn", to_hex(Bytes{*ref.kvn})}, {"certificates", certificates.size()}},
        "stored " + std::to_string(certificates.size()) + " certificate(s) for KID " + to_hex(Bytes{*ref.kid}) +
            " KVN " + to_hex(Bytes{*ref.kvn}));
  } else if (!a.allowlist.empty()) {
    const auto [text, values] = split_arguments(a.allowlist, "--allowlist", "SERIAL... (or 'none')");
    const KeyRef ref = ca_key(text, "--allowlist");
    std::vector<Bytes> serials;
    if (!(values.size() == 1 && values[0] == "none")) {
      for (const std::string& value : values) serials.push_back(serial_number(value));
    }
    GpConnection connection = connect_gp(options);
    authenticate(connection, options);
    connection.session->store_allowlist(*ref.kid, *ref.kvn, serials);
    nlohmann::json listed = nlohmann::json::array();
    for (const Bytes& serial : serials) listed.push_back(to_hex(serial));
    print_done(connection, options,
               {{"kid", to_hex(Bytes{*ref.kid})}, {"kvn", to_hex(Bytes{*ref.kvn})}, {"serials", listed}},
               "stored the allowlist of KID " + to_hex(Bytes{*ref.kid}) + " KVN " + to_hex(Bytes{*ref.kvn}) + " (" +
                   std::to_string(serials.size()) + " serial number(s))");
  } else if (!a.store_ca_issuer.empty()) {
    const KeyRef ref = scp11_key(a.store_ca_issuer[0], "--store-ca-issuer");
    const Bytes identifier = ca_issuer_identifier(a.store_ca_issuer[1]);
    const bool klcc = gp::host::is_scp11_sd_kid(*ref.kid);
    GpConnection connection = connect_gp(options);
    authenticate(connection, options);
    connection.session->store_ca_issuer(*ref.kid, *ref.kvn, identifier);
    print_done(connection, options,
               {{"kid", to_hex(Bytes{*ref.kid})},
                {"kvn", to_hex(Bytes{*ref.kvn})},
                {"ca", klcc ? "KLCC" : "KLOC"},
                {"identifier", to_hex(identifier)}},
               std::string("stored the ") + (klcc ? "KLCC" : "KLOC") + " CA issuer identifier of KID " +
                   to_hex(Bytes{*ref.kid}) + " KVN " + to_hex(Bytes{*ref.kvn}));
  }
}

}  // namespace sefleet::cli

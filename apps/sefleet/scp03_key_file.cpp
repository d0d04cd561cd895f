#include "scp03_key_file.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"

namespace sefleet::cli {
namespace {

std::string hex_member(const nlohmann::json& root, const char* name, const std::string& origin) {
  const auto it = root.find(name);
  if (it == root.end() || !it->is_string()) {
    throw Error(Errc::parse_error, origin + ": '" + name + "' is missing or not a hex string");
  }
  return it->get<std::string>();
}

SecretBytes key_member(const nlohmann::json& root, const char* name, const std::string& origin) {
  std::string text = hex_member(root, name, origin);
  Bytes key;
  try {
    key = from_hex(text);
  } catch (const Error&) {
    secure_zero(text.data(), text.size());
    throw Error(Errc::parse_error, origin + ": '" + name + "' is not hex");
  }
  secure_zero(text.data(), text.size());
  if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
    secure_zero(key.data(), key.size());
    throw Error(Errc::parse_error, origin + ": '" + name + "' is not an AES key (16, 24 or 32 bytes)");
  }
  return SecretBytes::take(key);
}

}  // namespace

std::string scp03_key_file_text(const gp::StaticKeySet& keys, ByteView kdd, const std::string& master) {
  const nlohmann::json out{{"kvn", to_hex(Bytes{keys.kvn})},
                           {"enc", to_hex(keys.enc.view())},
                           {"mac", to_hex(keys.mac.view())},
                           {"dek", to_hex(keys.dek.view())},
                           {"kdd", to_hex(kdd)},
                           {"derivation", "kdf3"},
                           {"master", master},
                           {"kcv",
                            {{"enc", to_hex(gp::key_check_value(keys.enc.view()))},
                             {"mac", to_hex(gp::key_check_value(keys.mac.view()))},
                             {"dek", to_hex(gp::key_check_value(keys.dek.view()))}}}};
  return out.dump(2) + "\n";
}

Scp03KeyFile parse_scp03_key_file(const std::string& text, const std::string& origin) {
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error&) {
    throw Error(Errc::parse_error, origin + ": not valid JSON");  // the parser's message may quote a key
  }
  if (!root.is_object()) throw Error(Errc::parse_error, origin + ": expected a JSON object");
  Scp03KeyFile out;
  const std::string kvn_text = hex_member(root, "kvn", origin);
  Bytes kvn;
  try {
    kvn = from_hex(kvn_text);
  } catch (const Error&) {
  }
  if (kvn.size() != 1 || kvn[0] == 0 || kvn[0] > 0x7F) {
    throw Error(Errc::parse_error, origin + ": 'kvn' must be one byte 01..7F in hex");
  }
  out.keys = gp::StaticKeySet(kvn[0], key_member(root, "enc", origin), key_member(root, "mac", origin),
                              key_member(root, "dek", origin));
  try {
    out.keys.validate();
  } catch (const Error& e) {
    throw Error(Errc::parse_error, origin + ": " + e.what());
  }
  if (root.contains("kdd")) {
    try {
      out.kdd = from_hex(hex_member(root, "kdd", origin));
    } catch (const Error&) {
      throw Error(Errc::parse_error, origin + ": 'kdd' is not hex");
    }
  }
  return out;
}

gp::StaticKeySet scp03_keys_from_json(const std::string& text, const std::string& origin) {
  return std::move(parse_scp03_key_file(text, origin).keys);
}

}  // namespace sefleet::cli

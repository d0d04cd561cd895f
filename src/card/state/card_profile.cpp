#include "card/state/card_profile.hpp"

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/scp03_types.hpp"

namespace sefleet::card {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& field, const std::string& problem) {
  throw Error(Errc::parse_error, "profile: field '" + field + "': " + problem);
}

void refuse_unknown_fields(const json& object, const std::string& where, const std::set<std::string>& known) {
  for (const auto& item : object.items()) {
    if (known.count(item.key()) == 0) {
      fail(
          where + item.key(), "unknown field (allowed: " + [&] {
            std::string list;
            for (const auto& name : known) list += (list.empty() ? "" : ", ") + name;
            return list;
          }() + ")");
    }
  }
}

const json* member(const json& object, const std::string& name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

Bytes hex_field(const json& object, const std::string& where, const std::string& name, std::size_t min_size,
                std::size_t max_size) {
  const json* value = member(object, name);
  if (value == nullptr) fail(where + name, "missing");
  if (!value->is_string()) fail(where + name, "must be a hex string");
  Bytes bytes;
  try {
    bytes = from_hex(value->get<std::string>());
  } catch (const Error& e) {
    fail(where + name, e.what());
  }
  if (bytes.size() < min_size || bytes.size() > max_size) {
    fail(where + name, min_size == max_size
                           ? "must be " + std::to_string(min_size) + " bytes, got " + std::to_string(bytes.size())
                           : "must be " + std::to_string(min_size) + " to " + std::to_string(max_size) +
                                 " bytes, got " + std::to_string(bytes.size()));
  }
  return bytes;
}

// One byte given as a hex string ("30") or, as an extension, a JSON integer (48).
std::uint8_t byte_field(const json& object, const std::string& where, const std::string& name) {
  const json* value = member(object, name);
  if (value == nullptr) fail(where + name, "missing");
  if (value->is_number_unsigned()) {
    const auto number = value->get<std::uint64_t>();
    if (number > 0xFF) fail(where + name, "must be 0..255");
    return static_cast<std::uint8_t>(number);
  }
  return hex_field(object, where, name, 1, 1)[0];
}

SecretBytes aes_key_field(const json& object, const std::string& where, const std::string& name) {
  Bytes key = hex_field(object, where, name, 16, 32);
  if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
    fail(where + name, "must be an AES key of 16, 24 or 32 bytes, got " + std::to_string(key.size()));
  }
  return SecretBytes::take(key);
}

bool valid_atr(ByteView atr) {
  // TS (3B direct, 3F inverse convention) and T0, at most 33 bytes (ISO/IEC 7816-3 §8.2).
  return atr.size() >= 2 && atr.size() <= 33 && (atr[0] == 0x3B || atr[0] == 0x3F);
}

}  // namespace

Bytes default_atr() {
  return from_hex("3B 8B 81 01 80 59 53 45 46 4C 45 45 54 30 31 9B");
}

CardProfile CardProfile::from_json(std::string_view json_text) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw Error(Errc::parse_error, std::string("profile: not valid JSON: ") + e.what());
  }
  if (!root.is_object()) throw Error(Errc::parse_error, "profile: the top level must be a JSON object");
  refuse_unknown_fields(
      root, "",
      {"se_id", "kdd", "isd_aid", "platform_id", "scp03", "platform_keys", "allow_downgrade", "atr", "scp11"});

  CardProfile profile;
  profile.se_id = hex_field(root, "", "se_id", 8, 16);
  profile.kdd = hex_field(root, "", "kdd", gp::kKddSize, gp::kKddSize);
  profile.isd_aid = member(root, "isd_aid") != nullptr ? hex_field(root, "", "isd_aid", 5, 16) : gp::isd_aid();
  profile.platform_id = member(root, "platform_id") != nullptr ? hex_field(root, "", "platform_id", 8, 8) : Bytes(8, 0);

  const json* scp03 = member(root, "scp03");
  if (scp03 == nullptr) fail("scp03", "missing");
  if (!scp03->is_object()) fail("scp03", "must be an object");
  refuse_unknown_fields(*scp03, "scp03.", {"kvn", "i", "enc", "mac", "dek"});
  const std::uint8_t kvn = byte_field(*scp03, "scp03.", "kvn");
  if (kvn == 0 || kvn > 0x7F) fail("scp03.kvn", "must be 01..7F");
  if (member(*scp03, "i") != nullptr) profile.scp03_i = byte_field(*scp03, "scp03.", "i");
  SecretBytes enc = aes_key_field(*scp03, "scp03.", "enc");
  SecretBytes mac = aes_key_field(*scp03, "scp03.", "mac");
  SecretBytes dek = aes_key_field(*scp03, "scp03.", "dek");
  try {
    profile.scp03 = gp::StaticKeySet(kvn, std::move(enc), std::move(mac), std::move(dek));
    profile.scp03.validate();
  } catch (const Error& e) {
    fail("scp03", e.what());
  }

  if (const json* platform = member(root, "platform_keys"); platform != nullptr) {
    if (!platform->is_object()) fail("platform_keys", "must be an object");
    refuse_unknown_fields(*platform, "platform_keys.", {"version", "kos", "kmac"});
    profile.platform_keys.version = byte_field(*platform, "platform_keys.", "version");
    profile.platform_keys.kos = aes_key_field(*platform, "platform_keys.", "kos");
    profile.platform_keys.kmac = aes_key_field(*platform, "platform_keys.", "kmac");
  }
  if (const json* downgrade = member(root, "allow_downgrade"); downgrade != nullptr) {
    if (!downgrade->is_boolean()) fail("allow_downgrade", "must be true or false");
    profile.allow_downgrade = downgrade->get<bool>();
  }
  if (member(root, "atr") != nullptr) {
    profile.atr = hex_field(root, "", "atr", 2, 33);
    if (!valid_atr(profile.atr)) fail("atr", "must start with TS 3B or 3F");
  } else {
    profile.atr = default_atr();
  }
  if (const json* scp11 = member(root, "scp11"); scp11 != nullptr) profile.scp11 = Scp11Profile::from_json(*scp11);
  return profile;
}

}  // namespace sefleet::card

// sefleet gp put-key: adds or replaces an SCP03 key set (ENC, MAC, DEK) over a session opened with the
// current keys, and checks the key check values the card returns. A refusal names the key versions
// the card holds (gp/host/refusal_reasons.hpp).
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "gp/host/put_key.hpp"
#include "gp/host/refusal_reasons.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {

SecretBytes new_key_from_hex(const std::string& text, const std::string& option) {
  Bytes plain;
  try {
    plain = from_hex(text);
  } catch (const Error& e) {
    throw CLI::ValidationError(option, e.what());
  }
  if (plain.size() != 16 && plain.size() != 24 && plain.size() != 32) {
    const auto size = plain.size();
    secure_zero(plain.data(), plain.size());
    throw CLI::ValidationError(
        option, "an AES key has 16, 24 or 32 bytes (32, 48 or 64 hex digits), got " + std::to_string(size));
  }
  return SecretBytes::take(plain);
}

void run_gp_put_key(const GpCommonOptions& options, gp::host::PutKeyRequest request, bool replace_current) {
  if (options.scp11.chosen()) {
    throw CLI::ValidationError("--scp",
                               "PUT KEY of an SCP03 key set needs an SCP03 session (cards refuse it under "
                               "SCP11); ECC keys are put with --put-sd-key, --new-sd-key or --put-ca-key");
  }
  GpConnection connection = connect_gp(options);
  authenticate(connection, options);
  if (replace_current) {
    request.replace_kvn = connection.session->channel().host().card_info().kvn;
    if (request.new_keys.kvn == 0) request.new_keys.kvn = request.replace_kvn;
  }
  // Throws unless the KCVs match; a refusal says which key versions the card holds.
  const Bytes answer = gp::host::put_key_explained(*connection.session, request);
  const auto kcvs = gp::host::expected_kcvs(request.new_keys);
  if (options.json) {
    std::cout << nlohmann::json{{"reader", connection.card->description()},
                                {"secure_channel", secure_channel_json(connection)},
                                {"kvn", to_hex(Bytes{request.new_keys.kvn})},
                                {"replaced", to_hex(Bytes{request.replace_kvn})},
                                {"kcv", {{"enc", to_hex(kcvs[0])}, {"mac", to_hex(kcvs[1])}, {"dek", to_hex(kcvs[2])}}},
                                {"response", to_hex(answer)},
                                {"checked", true}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << (request.replace_kvn == 0 ? "added"
                                         : "replaced key version " + to_hex(Bytes{request.replace_kvn}) + " by")
            << " key version " << to_hex(Bytes{request.new_keys.kvn}) << " (AES-" << request.new_keys.key_size() * 8
            << ")\nKCV ENC " << to_hex(kcvs[0]) << "  MAC " << to_hex(kcvs[1]) << "  DEK " << to_hex(kcvs[2])
            << "  (returned by the card and checked)\n";
}

namespace {

struct PutKeyOptions {
  GpCommonOptions common;
  std::string new_kvn;
  std::string replace_kvn = "00";
  std::string new_key, new_enc, new_mac, new_dek;
};

gp::host::PutKeyRequest make_request(const PutKeyOptions& o) {
  const bool split = !o.new_enc.empty() || !o.new_mac.empty() || !o.new_dek.empty();
  if (o.new_key.empty() == !split) {
    throw CLI::ValidationError("new keys", "give either --new-key or all of --new-enc, --new-mac and --new-dek");
  }
  if (split && (o.new_enc.empty() || o.new_mac.empty() || o.new_dek.empty())) {
    throw CLI::ValidationError("new keys", "--new-enc, --new-mac and --new-dek go together");
  }
  gp::host::PutKeyRequest request;
  const std::uint8_t kvn = parse_hex_byte(o.new_kvn, "--new-kvn");
  if (kvn == 0 || kvn > 0x7F) throw CLI::ValidationError("--new-kvn", "a new key version is 01..7F");
  request.replace_kvn = parse_hex_byte(o.replace_kvn, "--replace-kvn");
  if (request.replace_kvn > 0x7F) throw CLI::ValidationError("--replace-kvn", "a key version is 00..7F");
  if (!o.new_key.empty()) {
    const SecretBytes key = new_key_from_hex(o.new_key, "--new-key");
    request.new_keys = gp::StaticKeySet(kvn, key, key, key);
  } else {
    request.new_keys =
        gp::StaticKeySet(kvn, new_key_from_hex(o.new_enc, "--new-enc"), new_key_from_hex(o.new_mac, "--new-mac"),
                         new_key_from_hex(o.new_dek, "--new-dek"));
  }
  request.new_keys.validate();
  return request;
}

void run_put_key(const PutKeyOptions& options) {
  if (!options.common.keys.any()) {
    throw CLI::ValidationError("keys",
                               "PUT KEY needs the current keys (--key, --enc/--mac/--dek, --kdf3, --key-file "
                               "or $SEFLEET_KEY)");
  }
  run_gp_put_key(options.common, make_request(options));  // the request is checked before the card is touched
}

}  // namespace

void setup_gp_put_key(CLI::App& gp) {
  auto options = std::make_shared<PutKeyOptions>();
  auto* cmd = add_command(gp, "put-key", "Add or replace an SCP03 key set (keys encrypted under the current DEK)");
  cmd->footer(
      "The session is opened with the current keys (--key ... --kvn) at --level (default 33); the new keys\n"
      "travel encrypted under the current static DEK, and the KCVs the card returns are checked.\n"
      "Examples:\n"
      "  sefleet gp put-key --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F \\\n"
      "      --new-kvn 31 --new-key 00112233445566778899AABBCCDDEEFF\n"
      "  sefleet gp put-key --reader 0 --kdf3 MASTERHEX --kvn 30 --replace-kvn 30 --new-kvn 30 \\\n"
      "      --new-enc ENCHEX --new-mac MACHEX --new-dek DEKHEX");
  add_gp_common_options(*cmd, options->common, "33");
  cmd->add_option("--new-kvn,--new-keyver", options->new_kvn, "Key version of the new set (hex, 01..7F)")->required();
  cmd->add_option("--replace-kvn", options->replace_kvn, "Key version to replace (hex); 00 adds a new set")
      ->capture_default_str();
  cmd->add_option("--new-key", options->new_key, "New key (hex) used as ENC, MAC and DEK");
  cmd->add_option("--new-enc", options->new_enc, "New Key-ENC (hex)");
  cmd->add_option("--new-mac", options->new_mac, "New Key-MAC (hex)");
  cmd->add_option("--new-dek", options->new_dek, "New Key-DEK (hex)");
  cmd->callback([options] { run_put_key(*options); });
}

}  // namespace sefleet::cli

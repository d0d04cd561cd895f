#include "card_connection.hpp"

#include <cctype>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "scp03_key_file.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "gp/kdf3.hpp"
#include "gp/scp03_types.hpp"
#include "offcard/keystore/keystore_spec.hpp"
#include "transport/host_port.hpp"
#include "transport/pcsc_channel.hpp"
#include "transport/tcp_channel.hpp"

namespace sefleet::cli {
namespace {

constexpr const char* kTestKeyHex = "404142434445464748494A4B4C4D4E4F";

// Hex text of a key straight into a zeroizing buffer; the error names the option, never the value.
// Bad hex and sizes are usage errors (exit 2).
SecretBytes key_from_hex(const std::string& text, const std::string& option) {
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

// --key's value: hex, or "default" for the GlobalPlatform test key (with a warning: a card still on
// it is open to anyone).
SecretBytes key_value(const std::string& text, const std::string& option) {
  if (text == "default") {
    std::cerr << "sefleet: warning: " << option << " default is the GlobalPlatform test key " << kTestKeyHex
              << ", known to everyone; replace it on any card that leaves the lab\n";
    return key_from_hex(kTestKeyHex, option);
  }
  return key_from_hex(text, option);
}

const char* key_env() {
  const char* value = std::getenv(kKeyEnv);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

// What a key file holds: one key (hex, whitespace ignored) or the JSON `hsm derive-scp03` writes.
struct FileKeys {
  std::optional<SecretBytes> key;
  std::optional<gp::StaticKeySet> set;
};

FileKeys read_key_file(const std::string& path) {
  const SecretBytes raw = offcard::read_secret_file(path, "key");
  std::string text(raw.view().begin(), raw.view().end());
  FileKeys out;
  try {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
      out.set = scp03_keys_from_json(text, path);
    } else {
      std::string hex;
      for (const char c : text) {
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') hex.push_back(c);
      }
      try {
        out.key = key_from_hex(hex, "--key-file " + path);
      } catch (const CLI::ValidationError&) {
        secure_zero(hex.data(), hex.size());
        throw Error(Errc::parse_error, "--key-file " + path +
                                           ": expected one AES key as hex digits (32, 48 or 64) or the JSON of "
                                           "`sefleet hsm derive-scp03`");
      }
      secure_zero(hex.data(), hex.size());
    }
  } catch (...) {
    secure_zero(text.data(), text.size());
    throw;
  }
  secure_zero(text.data(), text.size());
  return out;
}

// GlobalPlatformPro's --mode names (any case) as a security level.
std::uint8_t level_of_mode(std::string mode) {
  for (char& c : mode) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (mode == "clr") return 0x00;
  if (mode == "mac") return 0x01;
  if (mode == "enc") return 0x03;
  if (mode == "rmac") return 0x11;
  if (mode == "renc") return 0x33;
  throw CLI::ValidationError("--mode", "'" + mode + "': use clr, mac, enc, rmac or renc");
}

}  // namespace

bool KeyOptions::any() const {
  return !key.empty() || !enc.empty() || !mac.empty() || !dek.empty() || !kdf3.empty() || !key_file.empty() ||
         key_env() != nullptr;
}

Bytes default_test_key() {
  return from_hex(kTestKeyHex);
}

void add_connection_options(CLI::App& command, ConnectionOptions& options) {
  auto* reader =
      command.add_option("-r,--reader", options.reader,
                         "PC/SC reader: exact name, index (as opensc-tool -l numbers them) or unique substring");
  auto* tcp =
      command.add_option("--tcp", options.tcp, "HOST:PORT of a virtual SE started with `sefleet card run --listen`");
  reader->excludes(tcp);
  tcp->excludes(reader);
}

std::unique_ptr<transport::CardChannel> open_card(const ConnectionOptions& options) {
  if (!options.reader.empty()) return transport::PcscChannel::open(options.reader);
  if (!options.tcp.empty()) return std::make_unique<transport::TcpChannel>(transport::HostPort::parse(options.tcp));
  throw CLI::ValidationError("--reader NAME or --tcp HOST:PORT is required");
}

void add_key_options(CLI::App& command, KeyOptions& options, const std::string& default_level) {
  options.level = default_level;
  command.add_option("-k,--key", options.key,
                     "SCP03 key (hex) used as ENC, MAC and DEK; 'default': the GP test key 404142..4F (warns)");
  command.add_option("--enc,--key-enc", options.enc, "SCP03 Key-ENC (hex); with --mac and --dek");
  command.add_option("--mac,--key-mac", options.mac, "SCP03 Key-MAC (hex)");
  command.add_option("--dek,--key-dek", options.dek, "SCP03 Key-DEK (hex)");
  command.add_option("--kdf3", options.kdf3,
                     "Master key (hex): per-card ENC/MAC/DEK derived from the card's KDD (GlobalPlatformPro kdf3)");
  command
      .add_option("--key-kdf", options.key_kdf, "GlobalPlatformPro's spelling of --kdf3: 'kdf3' with --key MASTERHEX")
      ->check(CLI::IsMember({"kdf3"}));
  command.add_option("--key-file", options.key_file,
                     "File (mode 0600) with the key as hex, or the JSON of `sefleet hsm derive-scp03`; default "
                     "$SEFLEET_KEY (hex) when no key option is given");
  command
      .add_option("--kvn,--key-ver", options.kvn,
                  "Key version number for INITIALIZE UPDATE (hex; 00 = the card's default)")
      ->capture_default_str();
  auto* level = command
                    .add_option("--level", options.level,
                                "Security level: 00 (authenticate only), 01 C-MAC, 03 +C-ENC, 11, 13, 33 +R-MAC/R-ENC")
                    ->check(CLI::IsMember({"00", "01", "03", "11", "13", "33"}))
                    ->capture_default_str();
  auto* mode = command
                   .add_option("--mode", options.mode,
                               "GlobalPlatformPro's names for the level: clr (00), mac (01), enc (03), rmac (11), "
                               "renc (33)")
                   ->check(CLI::IsMember({"clr", "mac", "enc", "rmac", "renc"}, CLI::ignore_case));
  level->excludes(mode);
  mode->excludes(level);
  command.add_option("--aid", options.aid, "AID (hex) of the security domain to select before authenticating")
      ->capture_default_str();
}

std::uint8_t parse_hex_byte(const std::string& text, const std::string& what) {
  std::string digits = text;
  if (digits.size() > 2 && (digits.rfind("0x", 0) == 0 || digits.rfind("0X", 0) == 0)) digits = digits.substr(2);
  if (digits.empty() || digits.size() > 2 || digits.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    throw CLI::ValidationError(what, "expected one byte in hex (e.g. 30), got '" + text + "'");
  }
  return static_cast<std::uint8_t>(std::stoul(digits, nullptr, 16));
}

gp::StaticKeyResolver make_key_resolver(const KeyOptions& options) {
  const bool split = !options.enc.empty() || !options.mac.empty() || !options.dek.empty();
  const int choices = (options.key.empty() ? 0 : 1) + (split ? 1 : 0) + (options.kdf3.empty() ? 0 : 1) +
                      (options.key_file.empty() ? 0 : 1);
  if (choices > 1) {
    throw CLI::ValidationError("keys", "give only one of --key, --enc/--mac/--dek, --kdf3 and --key-file");
  }
  if (split && (options.enc.empty() || options.mac.empty() || options.dek.empty())) {
    throw CLI::ValidationError("keys", "--enc, --mac and --dek go together");
  }
  const bool key_is_master = !options.key_kdf.empty();
  if (key_is_master && (split || !options.kdf3.empty())) {
    throw CLI::ValidationError("--key-kdf", "takes the master key from --key, --key-file or $SEFLEET_KEY");
  }

  std::optional<SecretBytes> single;  // --key, a one-key file or $SEFLEET_KEY
  auto set = std::make_shared<gp::StaticKeySet>();
  bool have_set = false;
  if (!options.key.empty()) {
    single = key_value(options.key, "--key");
  } else if (split) {
    *set = gp::StaticKeySet(0, key_from_hex(options.enc, "--enc"), key_from_hex(options.mac, "--mac"),
                            key_from_hex(options.dek, "--dek"));
    have_set = true;
  } else if (!options.kdf3.empty()) {
    single = key_from_hex(options.kdf3, "--kdf3");
  } else if (!options.key_file.empty()) {
    FileKeys file = read_key_file(options.key_file);
    if (file.set) {
      if (key_is_master) throw CLI::ValidationError("--key-kdf", "the key file holds a key set, not a master key");
      *set = std::move(*file.set);
      have_set = true;
    } else {
      single = std::move(file.key);
    }
  } else if (const char* env = key_env(); env != nullptr) {
    single = key_value(env, std::string("$") + kKeyEnv);
  } else {
    throw CLI::ValidationError(
        "keys", "no SCP03 key given (--key, --enc/--mac/--dek, --kdf3, --key-file or $" + std::string(kKeyEnv) + ")");
  }

  if (!options.kdf3.empty() || key_is_master) {
    auto master = std::make_shared<SecretBytes>(std::move(*single));
    return [master](const gp::InitializeUpdateResponse& info) {
      return gp::kdf3_diversify(master->view(), info.key_diversification_data, info.kvn);
    };
  }
  if (!have_set) *set = gp::StaticKeySet(0, *single, *single, *single);
  set->validate();
  // The set takes the version the card announced in INITIALIZE UPDATE.
  return [set](const gp::InitializeUpdateResponse& info) {
    gp::StaticKeySet keys = *set;
    keys.kvn = info.kvn;
    return keys;
  };
}

gp::Scp03HostOptions make_host_options(const KeyOptions& options) {
  gp::Scp03HostOptions host;
  host.kvn = parse_hex_byte(options.kvn, "--kvn");
  if (host.kvn > 0x7F) throw CLI::ValidationError("--kvn", "a key version number is 00..7F");
  if (!options.mode.empty()) {
    host.security_level = level_of_mode(options.mode);
    return host;
  }
  host.security_level = parse_hex_byte(options.level, "--level");
  if (!gp::is_valid_security_level(host.security_level)) {
    throw CLI::ValidationError("--level", "must be 00, 01, 03, 11, 13 or 33");
  }
  return host;
}

Bytes selected_aid(const KeyOptions& options) {
  Bytes aid;
  try {
    aid = from_hex(options.aid);
  } catch (const Error& e) {
    throw CLI::ValidationError("--aid", e.what());
  }
  if (aid.size() < 5 || aid.size() > 16) {
    throw CLI::ValidationError("--aid", "an AID has 5 to 16 bytes, got " + std::to_string(aid.size()));
  }
  return aid;
}

iso7816::ApduExchange make_link(transport::CardChannel& card, WireObserver observer) {
  return [&card, observer = std::move(observer)](const iso7816::CommandApdu& command) {
    const Bytes raw = command.encode();
    const Bytes response = card.transmit(raw);
    if (observer) observer(raw, response);
    return iso7816::ResponseApdu::parse(response);
  };
}

}  // namespace sefleet::cli

// What `sefleet apdu` and `sefleet gp ...` share: how to reach the card (--reader NAME | --tcp
// HOST:PORT) and which SCP03 keys to open a session with (--key | --enc/--mac/--dek | --kdf3 |
// --key-file | $SEFLEET_KEY, --kvn, --level or --mode, --aid), with GlobalPlatformPro's option names
// beside ours. Parsing and validation only; the protocol lives in src/gp/host.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/chaining.hpp"
#include "transport/card_channel.hpp"

namespace sefleet::cli {

struct ConnectionOptions {
  std::string reader;  // PC/SC reader: exact name, index, or unique substring
  std::string tcp;     // HOST:PORT of `sefleet card run --listen`
};

// Adds -r/--reader and --tcp (mutually exclusive).
void add_connection_options(CLI::App& command, ConnectionOptions& options);
// Connects. Throws CLI::ValidationError (exit 2) when neither option is given, Error otherwise
// (unknown reader, no card, connection refused: exit 1).
std::unique_ptr<transport::CardChannel> open_card(const ConnectionOptions& options);

// The environment variable holding a key (hex, or "default") when no key option is given.
inline constexpr const char* kKeyEnv = "SEFLEET_KEY";

struct KeyOptions {
  std::string key;  // one key for ENC, MAC and DEK (GlobalPlatformPro's --key); "default": the test key
  std::string enc, mac, dek;
  std::string kdf3;        // master key; per-card keys from the card's KDD (gp/kdf3.hpp)
  std::string key_kdf;     // GlobalPlatformPro's --key-kdf: "kdf3" makes the --key value the master key
  std::string key_file;    // hex key, or {"enc","mac","dek"} JSON (hsm derive-scp03); mode 0600
  std::string kvn = "00";  // hex; 00 lets the card choose its default key set
  std::string level = "33";
  std::string mode;  // GlobalPlatformPro's --mode (clr, mac, enc, rmac, renc), instead of --level
  std::string aid = "A000000151000000";

  // A key option was given, or $SEFLEET_KEY is set.
  bool any() const;
};

// The GlobalPlatform test key 404142...4F (what `--key default` means).
Bytes default_test_key();

// Adds the key options; `default_level` is what --level shows as its default.
void add_key_options(CLI::App& command, KeyOptions& options, const std::string& default_level = "33");

// A resolver for the keys given (fixed, or kdf3-derived once the card's KDD and KVN are known).
// Throws CLI::ValidationError (exit 2) for an incomplete or contradictory choice (e.g. --enc without
// --dek, --key with --kdf3), bad hex or a key size that is not AES; Error for a key file that cannot
// be read, is readable by others (the message gives the chmod) or holds no key. `--key default`
// prints a warning on stderr.
gp::StaticKeyResolver make_key_resolver(const KeyOptions& options);
// Scp03HostOptions from --kvn and --level or --mode (validated: ValidationError for a bad level or KVN).
gp::Scp03HostOptions make_host_options(const KeyOptions& options);
// The AID of --aid (ValidationError for bad hex or a length outside 5..16).
Bytes selected_aid(const KeyOptions& options);

// One byte from hex text ("30", "0x30"); CLI::ValidationError naming `what` otherwise.
std::uint8_t parse_hex_byte(const std::string& text, const std::string& what);

// Every APDU as it crosses the link (for -v): command bytes, response bytes.
using WireObserver = std::function<void(ByteView command, ByteView response)>;
// The card as an exchange function (one APDU out, the card's answer back, nothing added).
iso7816::ApduExchange make_link(transport::CardChannel& card, WireObserver observer = {});

}  // namespace sefleet::cli

// What `sefleet apdu` and `sefleet gp ...` share: how to reach the card (--reader NAME | --tcp
// HOST:PORT) and which SCP03 keys to open a session with (--key | --enc/--mac/--dek | --kdf3, --kvn,
// --level, --aid). Parsing and validation only; the protocol lives in src/gp/host.
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

// Adds --reader and --tcp (mutually exclusive).
void add_connection_options(CLI::App& command, ConnectionOptions& options);
// Connects. Throws CLI::ValidationError (exit 2) when neither option is given, Error otherwise
// (unknown reader, no card, connection refused: exit 1).
std::unique_ptr<transport::CardChannel> open_card(const ConnectionOptions& options);

struct KeyOptions {
  std::string key;  // one key for ENC, MAC and DEK (GlobalPlatformPro's --key)
  std::string enc, mac, dek;
  std::string kdf3;        // master key; per-card keys from the card's KDD (gp/kdf3.hpp)
  std::string kvn = "00";  // hex; 00 lets the card choose its default key set
  std::string level = "33";
  std::string aid = "A000000151000000";

  bool any() const { return !key.empty() || !enc.empty() || !mac.empty() || !dek.empty() || !kdf3.empty(); }
};

// Adds the key options; `default_level` is what --level shows as its default.
void add_key_options(CLI::App& command, KeyOptions& options, const std::string& default_level = "33");

// A resolver for the keys given (fixed, or kdf3-derived once the card's KDD and KVN are known).
// Throws CLI::ValidationError for an incomplete or contradictory choice (e.g. --enc without --dek,
// --key with --kdf3), Error(parse_error / invalid_argument) for bad hex or key sizes.
gp::StaticKeyResolver make_key_resolver(const KeyOptions& options);
// Scp03HostOptions from --kvn and --level (validated: ValidationError for a bad level or KVN).
gp::Scp03HostOptions make_host_options(const KeyOptions& options);
// The AID of --aid (Error for bad hex or a length outside 5..16).
Bytes selected_aid(const KeyOptions& options);

// One byte from hex text ("30", "0x30"); CLI::ValidationError naming `what` otherwise.
std::uint8_t parse_hex_byte(const std::string& text, const std::string& what);

// Every APDU as it crosses the link (for -v): command bytes, response bytes.
using WireObserver = std::function<void(ByteView command, ByteView response)>;
// The card as an exchange function (one APDU out, the card's answer back, nothing added).
iso7816::ApduExchange make_link(transport::CardChannel& card, WireObserver observer = {});

}  // namespace sefleet::cli

#include "card_connection.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "gp/kdf3.hpp"
#include "gp/scp03_types.hpp"
#include "transport/host_port.hpp"
#include "transport/pcsc_channel.hpp"
#include "transport/tcp_channel.hpp"

namespace sefleet::cli {
namespace {

// Hex text of a key straight into a zeroizing buffer; the error names the option, never the value.
SecretBytes key_from_hex(const std::string& text, const std::string& option) {
  Bytes plain;
  try {
    plain = from_hex(text);
  } catch (const Error& e) {
    throw Error(Errc::parse_error, option + ": " + e.what());
  }
  if (plain.size() != 16 && plain.size() != 24 && plain.size() != 32) {
    const auto size = plain.size();
    secure_zero(plain.data(), plain.size());
    throw Error(Errc::invalid_argument,
                option + ": an AES key has 16, 24 or 32 bytes (32, 48 or 64 hex digits), got " + std::to_string(size));
  }
  return SecretBytes::take(plain);
}

}  // namespace

void add_connection_options(CLI::App& command, ConnectionOptions& options) {
  auto* reader =
      command.add_option("--reader", options.reader,
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
  command.add_option("--key", options.key, "SCP03 key (hex) used as ENC, MAC and DEK");
  command.add_option("--enc", options.enc, "SCP03 Key-ENC (hex); with --mac and --dek");
  command.add_option("--mac", options.mac, "SCP03 Key-MAC (hex)");
  command.add_option("--dek", options.dek, "SCP03 Key-DEK (hex)");
  command.add_option("--kdf3", options.kdf3,
                     "Master key (hex): per-card ENC/MAC/DEK derived from the card's KDD (GlobalPlatformPro kdf3)");
  command.add_option("--kvn", options.kvn, "Key version number for INITIALIZE UPDATE (hex; 00 = the card's default)")
      ->capture_default_str();
  command
      .add_option("--level", options.level,
                  "Security level: 00 (authenticate only), 01 C-MAC, 03 +C-ENC, 11, 13, 33 +R-MAC/R-ENC")
      ->check(CLI::IsMember({"00", "01", "03", "11", "13", "33"}))
      ->capture_default_str();
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
  const int choices = (options.key.empty() ? 0 : 1) + (split ? 1 : 0) + (options.kdf3.empty() ? 0 : 1);
  if (choices == 0) throw CLI::ValidationError("keys", "no SCP03 key given (--key, --enc/--mac/--dek or --kdf3)");
  if (choices > 1) throw CLI::ValidationError("keys", "give only one of --key, --enc/--mac/--dek and --kdf3");
  if (split && (options.enc.empty() || options.mac.empty() || options.dek.empty())) {
    throw CLI::ValidationError("keys", "--enc, --mac and --dek go together");
  }
  if (!options.kdf3.empty()) {
    auto master = std::make_shared<SecretBytes>(key_from_hex(options.kdf3, "--kdf3"));
    return [master](const gp::InitializeUpdateResponse& info) {
      return gp::kdf3_diversify(master->view(), info.key_diversification_data, info.kvn);
    };
  }
  auto keys = std::make_shared<gp::StaticKeySet>();
  if (!options.key.empty()) {
    const SecretBytes key = key_from_hex(options.key, "--key");
    *keys = gp::StaticKeySet(0, key, key, key);
  } else {
    *keys = gp::StaticKeySet(0, key_from_hex(options.enc, "--enc"), key_from_hex(options.mac, "--mac"),
                             key_from_hex(options.dek, "--dek"));
  }
  keys->validate();
  // The set takes the version the card announced in INITIALIZE UPDATE.
  return [keys](const gp::InitializeUpdateResponse& info) {
    gp::StaticKeySet set = *keys;
    set.kvn = info.kvn;
    return set;
  };
}

gp::Scp03HostOptions make_host_options(const KeyOptions& options) {
  gp::Scp03HostOptions host;
  host.kvn = parse_hex_byte(options.kvn, "--kvn");
  if (host.kvn > 0x7F) throw CLI::ValidationError("--kvn", "a key version number is 00..7F");
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
    throw Error(Errc::parse_error, std::string("--aid: ") + e.what());
  }
  if (aid.size() < 5 || aid.size() > 16) {
    throw Error(Errc::invalid_argument, "--aid: an AID has 5 to 16 bytes, got " + std::to_string(aid.size()));
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

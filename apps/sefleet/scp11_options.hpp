// The SCP11 options of `sefleet apdu` and `sefleet gp` (--scp 11a|11b|11c and what each variant
// needs): how the card is authenticated (--card-ca: a CA certificate or public key verifying the
// card's BF21 chain; --card-key: PK.SD.ECKA itself), the session parameters (--scp11-kvn,
// --key-length), and for SCP11a/c the OCE's key (--oce-key FILE, or keystore:LABEL with --keystore,
// so the key never leaves a token) and certificate chain (--oce-cert, root first). Parsing, reading
// and validation only: the protocol is gp::host::Scp11ChannelProcessor.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "card_connection.hpp"
#include "crypto/p256.hpp"
#include "gp/host/scp11_channel_processor.hpp"

namespace sefleet::cli {

struct Scp11Options {
  std::string scp;         // "" or "03": SCP03 (the key options); "11a", "11b", "11c"
  std::string card_ca;     // FILE: CA certificate (PEM/DER/7F21) or public key (PEM or hex point)
  std::string card_key;    // HEX point, or FILE as --card-ca
  std::string kvn = "01";  // KVN of the card's SCP11 key (P1 of the authenticate command)
  std::size_t key_length = 16;
  std::string oce_key;  // FILE (PEM or hex scalar, mode 0600) or keystore:LABEL[@vN]
  std::string keystore;
  std::optional<std::string> passphrase_file;
  std::vector<std::string> oce_certs;  // root first
  std::string oce_kvn = "10";          // KVN of the card's OCE CA key (P1 of PERFORM SECURITY OPERATION)

  bool chosen() const { return !scp.empty() && scp != "03"; }
};

void add_scp11_options(CLI::App& command, Scp11Options& options);

// Reads and checks everything before the card is touched: CLI::ValidationError (exit 2) for a missing
// or contradictory option, Error (exit 1) for a file that cannot be read or holds no usable key or
// certificate, or an OCE chain whose leaf does not certify the OCE key. SCP03 key options given with
// --scp 11x are refused ($SEFLEET_KEY is ignored).
gp::host::Scp11ChannelOptions make_scp11_channel_options(const Scp11Options& options, const KeyOptions& scp03_keys);

// {"scp", "kvn", "key_length", "card_key"} of an open SCP11 session, for --json and messages.
nlohmann::json scp11_channel_json(const gp::host::Scp11ChannelOptions& options, const Bytes& card_key);

// The file readers of the options above, for the key management of `gp` (gp_scp11_keys.cpp); each
// throws Error(Errc::parse_error) naming `option` and the file.
// A P-256 private key from a file of mode 0600 (offcard::read_secret_file): PEM or 64 hex digits.
crypto::P256PrivateKey read_p256_private_key(const std::string& path, const std::string& option);
// A P-256 public point: hex on the command line, or a file with a PEM public key, a hex point or
// certificates (the key of the last one).
Bytes read_p256_public_key(const std::string& text, const std::string& option);
// The certificates of a file (PEM, DER X.509 or 7F21, binary or hex), encoded, in file order.
std::vector<Bytes> read_certificate_file(const std::string& path, const std::string& option);

// The OCE certificate chain of --oce-cert files (root first, leaf last) and the key its leaf
// certifies; Error(parse_error) as read_certificate_file, Error(invalid_argument) for no certificate.
struct OceChain {
  std::vector<Bytes> certificates;
  Bytes leaf_key;  // uncompressed P-256 point
};
OceChain read_oce_chain(const std::vector<std::string>& paths);
// Error(invalid_argument) when the chain's leaf does not certify `oce_key` (the point of --oce-key).
void check_oce_chain_certifies(const OceChain& chain, const Bytes& oce_key);

}  // namespace sefleet::cli

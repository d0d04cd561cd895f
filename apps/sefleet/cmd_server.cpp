// sefleet server: the management server of broadcast campaigns (docs/api.md), in the foreground.
//   server --listen HOST:PORT [--db URL] [--keystore SPEC [--passphrase-file F]] [--admin-token-file F]
//          [--tls-cert F --tls-key F] [--threads N] [--io-threads N] [--max-connections N]
//          [--header-timeout S] [--body-timeout S] [--idle-timeout S] [--write-timeout S]
//          [--card-ca F --session-kek LABEL]
// Secrets never come from the command line (they would show in `ps`): the keystore spec and its
// passphrase/PIN follow offcard/keystore/keystore_spec.hpp; the admin token comes from a file (or is
// generated and printed once). SIGINT/SIGTERM stop it gracefully.
#include <poll.h>

#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "crypto/p256.hpp"
#include "crypto/x509_certificate.hpp"
#include "offcard/keystore/key_ref.hpp"
#include "offcard/keystore/keystore_spec.hpp"
#include "offcard/server/server.hpp"
#include "offcard/server/tokens.hpp"
#include "scp11_options.hpp"
#include "transport/host_port.hpp"
#include "transport/stop_signal.hpp"

namespace sefleet::cli {
namespace {

transport::StopSignal* g_server_stop = nullptr;
extern "C" void on_server_stop_signal(int) {
  if (g_server_stop != nullptr) g_server_stop->request();
}

std::int64_t seconds_of(std::chrono::milliseconds duration) {
  return std::chrono::duration_cast<std::chrono::seconds>(duration).count();
}

struct ServerOptions {
  std::string listen = "127.0.0.1:8443";
  std::string db = "sqlite:sefleet.db";
  std::string keystore = "software:sefleet-keys.sfks";
  std::string admin_token_file;
  std::string passphrase_file;
  std::string tls_cert;
  std::string tls_key;
  std::string card_ca;      // online authorization: the SEs' SCP11 certificate CA key file
  std::string session_kek;  // online authorization: the keystore label sealing session states
  // Online SCP11a/c: the OCE key in this server's keystore, its chain and the SEs' OCE CA key version.
  std::string oce_key;
  std::vector<std::string> oce_certs;
  std::string oce_kvn = "10";
  std::size_t threads = 8;
  std::size_t io_threads = 2;
  offcard::server::http::HttpLimits limits;
  // Seconds on the command line, milliseconds in HttpLimits (whose defaults these are).
  std::int64_t header_timeout_s = seconds_of(limits.header_timeout);
  std::int64_t body_timeout_s = seconds_of(limits.body_timeout);
  std::int64_t idle_timeout_s = seconds_of(limits.idle_timeout);
  std::int64_t write_timeout_s = seconds_of(limits.write_timeout);
};

// The card CA key file: the uncompressed P-256 point in hex (whitespace ignored), or an X.509
// certificate (DER) whose key it is.
// The card CA's public key for online authorization: a file with a PEM public key, a hex point or
// certificates (PEM, DER or 7F21; the key of the last one), read as `gp --card-ca` reads it.
Bytes read_card_ca_key(const std::string& path) {
  return read_p256_public_key(path, "--card-ca");
}

// --oce-key LABEL[@vN] (or keystore:LABEL[@vN], as `gp --oce-key` names a keystore key): a P-256
// key of the server's keystore, whose ECDH runs there; the last --oce-cert must certify it.
offcard::OnlineOceKey read_oce_key(offcard::Keystore& keystore, const ServerOptions& options) {
  constexpr std::string_view kKeystorePrefix = "keystore:";
  std::string_view label = options.oce_key;
  if (label.substr(0, kKeystorePrefix.size()) == kKeystorePrefix) label.remove_prefix(kKeystorePrefix.size());
  offcard::OnlineOceKey oce;
  oce.key = offcard::parse_key_ref(label);
  const auto info = keystore.info(oce.key.label);
  if (!offcard::allows(info.usage, offcard::KeyUsage::agree)) {
    throw Error(Errc::invalid_argument, "--oce-key " + options.oce_key + " has usage " +
                                            offcard::key_usage_text(info.usage) + "; it needs agree (a P-256 key)");
  }
  const OceChain chain = read_oce_chain(options.oce_certs);
  check_oce_chain_certifies(chain, keystore.ec_public_key(oce.key));
  oce.certificates = chain.certificates;
  oce.ca_kvn = parse_hex_byte(options.oce_kvn, "--oce-kvn");
  return oce;
}

std::string read_admin_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(Errc::io_error, "--admin-token-file: cannot read " + path);
  std::string token;
  std::getline(in, token);
  while (!token.empty() && (token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.size() < 16)
    throw Error(Errc::invalid_argument, "--admin-token-file: the token must have at least 16 characters");
  return token;
}

void run_server(const ServerOptions& options) {
  const transport::HostPort listen = transport::HostPort::parse(options.listen);
  std::optional<std::filesystem::path> passphrase_file;
  if (!options.passphrase_file.empty()) passphrase_file = options.passphrase_file;
  auto keystore = offcard::open_keystore_spec(offcard::parse_keystore_spec(options.keystore), passphrase_file);
  offcard::server::ServerConfig config;
  config.host = listen.host;
  config.port = listen.port;
  config.database_url = options.db;
  config.keystore = keystore.get();
  config.threads = options.threads;
  config.io_threads = options.io_threads;
  config.limits = options.limits;
  config.limits.header_timeout = std::chrono::seconds(options.header_timeout_s);
  config.limits.body_timeout = std::chrono::seconds(options.body_timeout_s);
  config.limits.idle_timeout = std::chrono::seconds(options.idle_timeout_s);
  config.limits.write_timeout = std::chrono::seconds(options.write_timeout_s);
  const bool generated = options.admin_token_file.empty();
  config.admin_token = generated ? offcard::server::generate_token() : read_admin_token(options.admin_token_file);
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw Error(Errc::invalid_argument, "--tls-cert and --tls-key go together");
  }
  if (!options.tls_cert.empty()) {
    config.tls_certificate = options.tls_cert;
    config.tls_private_key = options.tls_key;
  }
  if (options.card_ca.empty() != options.session_kek.empty()) {
    throw Error(Errc::invalid_argument, "--card-ca and --session-kek go together (online authorization)");
  }
  if (!options.card_ca.empty()) {
    config.online = offcard::server::OnlineAuthorizationConfig{
        read_card_ca_key(options.card_ca), offcard::parse_key_ref(options.session_kek), std::nullopt};
    const auto kek = keystore->info(config.online->session_kek.label);
    if (!offcard::allows(kek.usage, offcard::KeyUsage::wrap)) {
      throw Error(Errc::invalid_argument, "--session-kek " + options.session_kek + " has usage " +
                                              offcard::key_usage_text(kek.usage) + "; it needs wrap");
    }
  }
  if (options.oce_key.empty() != options.oce_certs.empty()) {
    throw Error(Errc::invalid_argument, "--oce-key and --oce-cert go together (online SCP11a/c)");
  }
  if (!options.oce_key.empty()) {
    if (!config.online) throw Error(Errc::invalid_argument, "--oce-key needs --card-ca and --session-kek");
    config.online->oce = read_oce_key(*keystore, options);
  }
  transport::StopSignal stop;
  offcard::server::Server server(config);
  server.start();
  g_server_stop = &stop;
  std::signal(SIGINT, on_server_stop_signal);
  std::signal(SIGTERM, on_server_stop_signal);
  std::cout << "sefleet server listening on " << server.base_url() << " (database " << options.db << ", keystore "
            << keystore->kind() << ": " << keystore->location() << ")\n";
  if (generated) {
    // Shown once: only its SHA-256 is kept. Use --admin-token-file for a stable token.
    std::cout << "admin token: " << config.admin_token << "\n";
  }
  std::cout.flush();
  while (!stop.requested()) {
    pollfd waiter{stop.fd(), POLLIN, 0};
    ::poll(&waiter, 1, 1000);
  }
  std::cout << "stopping: finishing requests in flight\n";
  server.stop();
  g_server_stop = nullptr;
  std::cout << "stopped\n";
}

const RegisterCommand server_registration{
    "server", [](CLI::App& root) {
      auto options = std::make_shared<ServerOptions>();
      auto* cmd = add_command(root, "server", "Run the management server (HTTP/JSON API, docs/api.md)");
      cmd->add_option("--listen", options->listen, "HOST:PORT to listen on")->capture_default_str();
      cmd->add_option("--db", options->db, "Database: sqlite:PATH or postgresql://user@host:port/db")
          ->capture_default_str();
      cmd->add_option("--keystore", options->keystore,
                      "software:PATH or pkcs11:MODULE?token=LABEL[&pin-file=F|&pin-env=VAR] (docs/keystores.md)")
          ->capture_default_str();
      cmd->add_option("--passphrase-file", options->passphrase_file,
                      "Software keystore passphrase file (else $SEFLEET_PASSPHRASE)");
      cmd->add_option("--admin-token-file", options->admin_token_file,
                      "File whose first line is the admin token (else one is generated and printed once)");
      cmd->add_option("--tls-cert", options->tls_cert, "PEM certificate: serve HTTPS");
      cmd->add_option("--tls-key", options->tls_key, "PEM private key of --tls-cert");
      cmd->add_option("--card-ca", options->card_ca,
                      "Online authorization over SCP11: file of the CA key SEs' certificates verify under "
                      "(a certificate in PEM, DER or 7F21, a PEM public key, or the P-256 point in hex)");
      cmd->add_option("--session-kek", options->session_kek,
                      "Online authorization: keystore label of the AES key (usage wrap) sealing session states");
      cmd->add_option("--oce-key", options->oce_key,
                      "Online SCP11a/c: keystore label[@vN] of the OCE's P-256 key (usage agree; its ECDH runs in "
                      "the keystore, the key never leaves it); with --oce-cert, --card-ca and --session-kek");
      cmd->add_option("--oce-cert", options->oce_certs,
                      "Online SCP11a/c: the OCE certificate chain presented to SEs, root first, leaf (certifying "
                      "--oce-key) last: files of PEM, DER X.509 or 7F21 (hex or binary); repeatable");
      cmd->add_option("--oce-kvn", options->oce_kvn,
                      "Online SCP11a/c: KVN of the SEs' OCE CA key (P1 of PERFORM SECURITY OPERATION, hex)")
          ->capture_default_str();
      cmd->add_option("--threads", options->threads, "Workers running requests (database and keystore work)")
          ->capture_default_str()
          ->check(CLI::Range(1, 256));
      cmd->add_option("--io-threads", options->io_threads, "Threads waiting for the connections' bytes")
          ->capture_default_str()
          ->check(CLI::Range(1, 64));
      cmd->add_option("--max-connections", options->limits.max_connections,
                      "Open connections at most (idle ones included); beyond: 503 and close")
          ->capture_default_str()
          ->check(CLI::Range(1, 100000));
      cmd->add_option("--header-timeout", options->header_timeout_s,
                      "Seconds for a request's headers (from the connection's start or the request's first byte)")
          ->capture_default_str()
          ->check(CLI::Range(1, 3600));
      cmd->add_option("--body-timeout", options->body_timeout_s, "Seconds for a request's body once its headers are in")
          ->capture_default_str()
          ->check(CLI::Range(1, 3600));
      cmd->add_option("--idle-timeout", options->idle_timeout_s,
                      "Seconds a keep-alive connection may wait for a request")
          ->capture_default_str()
          ->check(CLI::Range(1, 3600));
      cmd->add_option("--write-timeout", options->write_timeout_s, "Seconds for sending one answer")
          ->capture_default_str()
          ->check(CLI::Range(1, 3600));
      cmd->callback([options] { run_server(*options); });
    }};

}  // namespace
}  // namespace sefleet::cli

// The management server over HTTPS: the same answers, limits and deadlines as over plain HTTP, a client
// that never finishes its TLS handshake is disconnected at the header deadline, and a certificate with
// another key is refused at start. The certificate is made here with OpenSSL (P-256, self-signed).
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "offcard/integration/raw_http_connection.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/server.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::test {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
namespace beast_http = boost::beast::http;

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

KeyPtr p256_key() {
  KeyPtr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) throw std::runtime_error("EVP_EC_gen failed");
  return key;
}

void write_pem(const std::filesystem::path& path, const std::function<int(FILE*)>& write) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(path.c_str(), "w"), &std::fclose);
  if (!file || write(file.get()) != 1) throw std::runtime_error("cannot write " + path.string());
}

// A self-signed certificate for 127.0.0.1 signed by `key`, written as PEM.
void write_certificate(const std::filesystem::path& path, EVP_PKEY* key) {
  std::unique_ptr<X509, decltype(&X509_free)> certificate(X509_new(), &X509_free);
  X509_set_version(certificate.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(certificate.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(certificate.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(certificate.get()), 3600);
  X509_set_pubkey(certificate.get(), key);
  X509_NAME* name = X509_get_subject_name(certificate.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(certificate.get(), name);
  if (X509_sign(certificate.get(), key, EVP_sha256()) == 0) throw std::runtime_error("X509_sign failed");
  write_pem(path, [&](FILE* file) { return PEM_write_X509(file, certificate.get()); });
}

void write_private_key(const std::filesystem::path& path, EVP_PKEY* key) {
  write_pem(path, [&](FILE* file) { return PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr); });
}

class HttpTls : public ::testing::Test {
 protected:
  HttpTls() : hsm_(offcard::SoftwareKeystore::in_memory()) {
    KeyPtr key = p256_key();
    write_certificate(dir_.path() / "server.pem", key.get());
    write_private_key(dir_.path() / "server.key", key.get());
    hsm_->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);
  }

  offcard::server::ServerConfig config() {
    offcard::server::ServerConfig config;
    config.database_url = "sqlite:" + (dir_.path() / "tls.db").string();
    config.keystore = hsm_.get();
    config.admin_token = "admin-token-of-the-tls-test";
    config.tls_certificate = dir_.path() / "server.pem";
    config.tls_private_key = dir_.path() / "server.key";
    return config;
  }

  // Sends `request` over TLS (checking the server's certificate) and reads one answer.
  beast_http::response<beast_http::string_body> exchange(std::uint16_t port, const std::string& request) {
    net::io_context io;
    net::ssl::context tls(net::ssl::context::tls_client);
    tls.load_verify_file((dir_.path() / "server.pem").string());
    tls.set_verify_mode(net::ssl::verify_peer);
    net::ssl::stream<net::ip::tcp::socket> stream(io, tls);
    stream.next_layer().connect({net::ip::make_address("127.0.0.1"), port});
    stream.handshake(net::ssl::stream_base::client);
    net::write(stream, net::buffer(request));
    boost::beast::flat_buffer buffer;
    beast_http::response<beast_http::string_body> response;
    beast_http::read(stream, buffer, response);
    return response;
  }

  TempDir dir_;
  std::unique_ptr<offcard::SoftwareKeystore> hsm_;
};

TEST_F(HttpTls, AnswersAndLimitsAreTheSameOverTls) {
  offcard::server::Server server(config());
  server.start();
  EXPECT_EQ(server.base_url().rfind("https://", 0), 0u);
  const auto health = exchange(server.port(), http_request("GET", "/v1/health"));
  EXPECT_EQ(health.result_int(), 200u);
  EXPECT_NE(health.body().find("ok"), std::string::npos);
  const auto refused = exchange(server.port(), http_request("GET", "/v1/campaigns"));
  EXPECT_EQ(refused.result_int(), 401u);
  // A Content-Length above the upload limit, without its body: refused from the headers.
  const auto too_large = exchange(server.port(),
                                  "POST /v1/campaigns HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                                  "admin-token-of-the-tls-test\r\nContent-Type: application/json\r\n"
                                  "Content-Length: 99999999999\r\n\r\n");
  EXPECT_EQ(too_large.result_int(), 413u);
  EXPECT_FALSE(too_large.keep_alive());
  // Plain HTTP on the TLS port: the handshake fails and the connection ends.
  RawHttpConnection plain(server.port());
  plain.send(http_request("GET", "/v1/health"));
  EXPECT_TRUE(plain.closed_by_server(5s));
}

TEST_F(HttpTls, AClientThatNeverFinishesTheHandshakeIsDisconnected) {
  auto settings = config();
  settings.limits.header_timeout = 500ms;
  offcard::server::Server server(settings);
  server.start();
  RawHttpConnection silent(server.port());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(silent.closed_by_server(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 400ms);
  // Meanwhile and after, real clients are served.
  EXPECT_EQ(exchange(server.port(), http_request("GET", "/v1/health")).result_int(), 200u);
}

TEST_F(HttpTls, AKeyThatIsNotTheCertificatesIsRefusedAtStart) {
  KeyPtr other = p256_key();
  write_private_key(dir_.path() / "other.key", other.get());
  auto settings = config();
  settings.tls_private_key = dir_.path() / "other.key";
  offcard::server::Server server(settings);
  try {
    server.start();
    FAIL() << "started with a key of another certificate";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), Errc::io_error);
    EXPECT_NE(std::string(error.what()).find("other.key"), std::string::npos) << error.what();
  }
  settings.tls_certificate = dir_.path() / "missing.pem";
  offcard::server::Server missing(settings);
  EXPECT_THROW(missing.start(), Error);
}

}  // namespace
}  // namespace sefleet::test

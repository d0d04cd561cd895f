// The management server started for the HTTP layer's tests: SQLite in a temp dir, a software keystore
// in memory, given limits, one uploaded campaign with two targets and a terminal token for it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "offcard/keystore/software_keystore.hpp"
#include "offcard/server/http/http_limits.hpp"
#include "offcard/server/server.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::test {

inline const std::string kHttpTestAdmin = "admin-token-of-the-http-tests";

class HttpTestServer {
 public:
  explicit HttpTestServer(const offcard::server::http::HttpLimits& limits = {}, std::size_t workers = 4);
  ~HttpTestServer();

  std::uint16_t port() const { return server_->port(); }
  offcard::server::Server& server() { return *server_; }
  const std::string& campaign() const { return campaign_; }
  const std::string& terminal_token() const { return terminal_token_; }

  // A complete authorization request for the campaign's first target with `token`.
  std::string authorization_request(const std::string& token) const;
  // The JSON body of a campaign upload (a fresh campaign id each time).
  static std::string campaign_upload_body();

 private:
  TempDir dir_;
  std::unique_ptr<offcard::SoftwareKeystore> hsm_;
  std::unique_ptr<offcard::server::Server> server_;
  std::string campaign_;
  std::string terminal_token_;
};

}  // namespace sefleet::test

// The HTTP layer of docs/api.md on a cpp-httplib server: routes, Bearer tokens, JSON bodies, size and
// content-type limits, byte ranges, and the mapping of refusals and database outages to status codes.
#pragma once

#include <cstddef>

namespace httplib {
class Server;
}

namespace sefleet::offcard::server {

class CampaignService;

inline constexpr std::size_t kTerminalBodyLimit = 64 * 1024;
inline constexpr std::size_t kUploadBodyLimit = 64 * 1024 * 1024;
inline constexpr int kDatabaseRetryAfterSeconds = 2;

// Registers every route of docs/api.md on `http`; `service` must outlive it.
void install_routes(httplib::Server& http, CampaignService& service);

}  // namespace sefleet::offcard::server

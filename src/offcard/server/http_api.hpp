// The routes of docs/api.md: for each, who may call it, its body limit and what it does with the
// campaign service. The HTTP layer underneath (server/http/) checks the token and the limit from the
// headers before it reads a body, and turns the handlers' refusals into docs/api.md's error answers.
#pragma once

#include <cstddef>

namespace sefleet::offcard::server {

namespace http {
class Router;
}
class CampaignService;

inline constexpr std::size_t kTerminalBodyLimit = 64 * 1024;
inline constexpr std::size_t kUploadBodyLimit = 64 * 1024 * 1024;

// Registers every route of docs/api.md, the token check and the dashboard's files on `router`;
// `service` must outlive it.
void install_routes(http::Router& router, CampaignService& service);

}  // namespace sefleet::offcard::server

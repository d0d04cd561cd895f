// The web dashboard's static files (src/offcard/server/dashboard/), compiled into the library so the
// server needs nothing on disk and no network to serve it.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

namespace sefleet::offcard::server {

// The asset at an URL path ("/" and "/index.html" are the page; "/dashboard.js", "/dashboard.css" ...):
// {content type, body}, or nullopt when there is no such asset. The views point into static storage.
std::optional<std::pair<std::string_view, std::string_view>> dashboard_asset(std::string_view path);

}  // namespace sefleet::offcard::server

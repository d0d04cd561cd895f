#include "offcard/server/dashboard_assets.hpp"

#include "offcard/server/dashboard_embedded.hpp"

namespace sefleet::offcard::server {
namespace {

std::string_view content_type_of(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends_with(".html")) return "text/html; charset=utf-8";
  if (ends_with(".js")) return "text/javascript; charset=utf-8";
  if (ends_with(".css")) return "text/css; charset=utf-8";
  if (ends_with(".svg")) return "image/svg+xml";
  if (ends_with(".png")) return "image/png";
  return "application/octet-stream";
}

}  // namespace

std::optional<std::pair<std::string_view, std::string_view>> dashboard_asset(std::string_view path) {
  if (path == "/" || path.empty()) path = "/index.html";
  if (path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  // Flat directory: a name with another slash (or "..") never matches an asset.
  for (std::size_t i = 0; i < detail::kDashboardFileCount; ++i) {
    const auto& file = detail::kDashboardFiles[i];
    if (file.name == path) {
      const std::string_view body(reinterpret_cast<const char*>(file.data), file.size);
      return std::pair{content_type_of(file.name), body};
    }
  }
  return std::nullopt;
}

}  // namespace sefleet::offcard::server

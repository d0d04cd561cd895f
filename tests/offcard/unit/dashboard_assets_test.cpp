// The dashboard files compiled into the library: served by path with the right type, nothing else
// served, and nothing fetched from another origin (the dashboard must work with no network).
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "offcard/server/dashboard_assets.hpp"

namespace sefleet::offcard::server {
namespace {

TEST(DashboardAssets, ServesThePageAtTheRoot) {
  const auto root = dashboard_asset("/");
  ASSERT_TRUE(root.has_value());
  EXPECT_EQ(root->first, "text/html; charset=utf-8");
  EXPECT_NE(root->second.find("<title>sefleet dashboard</title>"), std::string_view::npos);
  const auto index = dashboard_asset("/index.html");
  ASSERT_TRUE(index.has_value());
  EXPECT_EQ(index->second, root->second);
}

TEST(DashboardAssets, EveryFileThePageLoadsIsServedWithItsType) {
  const std::string page(dashboard_asset("/")->second);
  const std::regex reference(R"re((?:src|href)="([^"]+)")re");
  int references = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), reference); it != std::sregex_iterator(); ++it) {
    const std::string target = (*it)[1];
    if (target.starts_with("#")) continue;  // a link to a view of the page itself, not a file
    ++references;
    const auto asset = dashboard_asset("/" + target);
    ASSERT_TRUE(asset.has_value()) << target;
    EXPECT_FALSE(asset->second.empty()) << target;
    if (target.ends_with(".js")) {
      EXPECT_EQ(asset->first, "text/javascript; charset=utf-8");
    }
    if (target.ends_with(".css")) {
      EXPECT_EQ(asset->first, "text/css; charset=utf-8");
    }
  }
  EXPECT_EQ(references, 2);  // dashboard.css and dashboard.js
}

TEST(DashboardAssets, NothingComesFromAnotherOrigin) {
  for (const char* path : {"/", "/dashboard.js", "/dashboard.css"}) {
    const std::string body(dashboard_asset(path)->second);
    // SVG's namespace URI is an identifier, never fetched; any other absolute URL would be.
    const std::string without_namespace = std::regex_replace(body, std::regex("http://www\\.w3\\.org/2000/svg"), "");
    EXPECT_EQ(without_namespace.find("http://"), std::string::npos) << path;
    EXPECT_EQ(without_namespace.find("https://"), std::string::npos) << path;
    EXPECT_EQ(without_namespace.find("//cdn"), std::string::npos) << path;
  }
}

TEST(DashboardAssets, TheTokenNeverGoesIntoTheStorageThatOutlivesTheTab) {
  const std::string script(dashboard_asset("/dashboard.js")->second);
  EXPECT_NE(script.find("sessionStorage"), std::string::npos);
  EXPECT_EQ(script.find("localStorage"), std::string::npos);
  EXPECT_EQ(script.find("innerHTML"), std::string::npos);  // server data is shown as text only
}

TEST(DashboardAssets, UnknownPathsAreNotServed) {
  for (const char* path : {"/nope.html", "/../index.html", "/dashboard/index.html", "index.html", "/v1/campaigns",
                           "//index.html", "/index.html/"}) {
    EXPECT_FALSE(dashboard_asset(path).has_value()) << path;
  }
}

}  // namespace
}  // namespace sefleet::offcard::server

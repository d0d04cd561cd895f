// The demo's HTML report: one self-contained file (inline CSS and SVG, no script, nothing fetched),
// so it opens anywhere, offline, and can be attached to a ticket.
#pragma once

#include <filesystem>
#include <string>

#include "sim/demo/fleet_demo.hpp"

namespace sefleet::sim::demo {

// The page: summary, outcomes and decisions, the timeline (SEs updated/quarantined over time, and one
// bar per delivery attempt per terminal-visible SE; both charts with axes, axis titles and a legend),
// the server's own timeline samples, the planned faults and what happened to them, and the per-SE table
// with a filter by final state (CSS radio buttons: the page stays script-free).
std::string render_html_report(const DemoResult& result);

// Writes the page atomically (temporary file + rename). Error(io_error) on failure.
void write_html_report(const std::filesystem::path& path, const DemoResult& result);

// Escapes & < > " ' for HTML text and attributes.
std::string html_escape(const std::string& text);

}  // namespace sefleet::sim::demo

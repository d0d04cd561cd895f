#include "admin_render.hpp"

#include <iomanip>
#include <sstream>

#include "gp/broadcast/image_version.hpp"
#include "utc_time.hpp"

namespace sefleet::cli::admin_render {

namespace api = offcard::api;

namespace {

std::string shorten(const std::string& text, std::size_t width) {
  if (text.size() <= width) return text;
  return text.substr(0, width - 3) + "...";
}

std::string rate_text(double rate) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(2) << rate;
  return out.str();
}

}  // namespace

std::string time_text(std::int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  return utc_time_text(unix_seconds);
}

std::string image_text(const api::ImageInfo& image) {
  return image.type + " " + gp::broadcast::image_version_text(static_cast<std::uint32_t>(image.version)) + " (" +
         image.name + ")";
}

std::string counts_text(const api::DeviceCounts& counts) {
  std::string text;
  for (const auto& [state, name] : api::EnumNames<api::DeviceState>::entries) {
    if (counts[state] == 0) continue;
    if (!text.empty()) text += "  ";
    text += std::string(name) + " " + std::to_string(counts[state]);
  }
  return text.empty() ? "no SE yet" : text;
}

std::int64_t finished(const api::Campaign& campaign) {
  const auto& p = campaign.progress;
  std::int64_t done =
      p[api::DeviceState::updated] + p[api::DeviceState::quarantined] + p[api::DeviceState::unreachable];
  if (campaign.activation.mode == api::ActivationMode::deferred && !campaign.activation.activated) {
    done += p[api::DeviceState::staged];
  }
  return done;
}

void print_campaign(std::ostream& out, const api::Campaign& c) {
  const auto row = [&out](const char* label, const std::string& value) {
    out << std::left << std::setw(16) << label << value << "\n";
  };
  row("id", c.id);
  row("name", c.name);
  std::string state(api::name(c.state));
  if (c.pause_reason) state += " (" + *c.pause_reason + ")";
  row("state", state);
  row("image", image_text(c.image) + ", platform " + c.image.platform);
  row("profile", std::to_string(c.profile) + (c.profile == 4 ? " (platform key)" : " (campaign key)"));
  row("targets", std::to_string(c.targets) + ", " + std::to_string(finished(c)) + " final");
  row("progress", counts_text(c.progress));
  std::string waves;
  for (const int wave : c.rollout.waves) waves += (waves.empty() ? "" : ", ") + std::to_string(wave) + " %";
  row("rollout", "wave " + std::to_string(c.current_wave + 1) + " of " + std::to_string(c.rollout.waves.size()) + " [" +
                     waves + "], " + std::to_string(c.admitted) + " admitted, pause above " +
                     rate_text(c.rollout.max_failure_rate) + " failures");
  std::string activation(api::name(c.activation.mode));
  if (c.activation.at) activation += " at " + time_text(*c.activation.at);
  if (c.activation.mode == api::ActivationMode::deferred) {
    activation += c.activation.activated ? ", activated" : ", not yet";
  }
  row("activation", activation);
  row("attempts", std::to_string(c.policy.max_attempts) + " authenticated, " +
                      std::to_string(c.policy.max_unverified_attempts) + " unverified (back-off " +
                      std::to_string(c.policy.unverified_backoff) + " s)");
  row("PSE", std::to_string(c.pse.size) + " bytes, " + std::to_string(c.pse.commands) + " commands, sha256 " +
                 c.pse.sha256.substr(0, 16) + "...");
  row("created", time_text(c.created_at));
}

void print_campaign_table(std::ostream& out, const api::CampaignList& list) {
  out << std::left << std::setw(34) << "ID" << std::setw(20) << "NAME" << std::setw(11) << "STATE" << std::setw(22)
      << "IMAGE" << std::right << std::setw(8) << "TARGETS" << std::setw(8) << "FINAL"
      << "  PAUSE REASON\n";
  for (const auto& c : list.campaigns) {
    out << std::left << std::setw(34) << c.id << std::setw(20) << shorten(c.name, 19) << std::setw(11)
        << api::name(c.state) << std::setw(22) << shorten(image_text(c.image), 21) << std::right << std::setw(8)
        << c.targets << std::setw(8) << finished(c) << "  " << c.pause_reason.value_or("") << "\n";
  }
  if (list.campaigns.empty()) out << "(no campaign)\n";
}

void print_device_table(std::ostream& out, const api::DeviceList& list) {
  out << std::left << std::setw(20) << "SE" << std::setw(10) << "CAMPAIGN" << std::setw(13) << "STATE" << std::right
      << std::setw(5) << "AUTH" << std::setw(6) << "UNVER"
      << "  " << std::left << std::setw(22) << "UPDATED"
      << "REASON\n";
  for (const auto& d : list.devices) {
    out << std::left << std::setw(20) << shorten(d.se_id, 19) << std::setw(10) << d.campaign.substr(0, 8)
        << std::setw(13) << api::name(d.state) << std::right << std::setw(5) << d.attempts << std::setw(6)
        << d.unverified_attempts << "  " << std::left << std::setw(22) << time_text(d.updated_at)
        << shorten(d.reason, 60) << "\n";
  }
  if (list.devices.empty()) out << "(no device)\n";
}

void print_device_record(std::ostream& out, const api::DeviceRecord& record) {
  out << "SE " << record.se_id << "\n\nimages (from authenticated status objects):\n";
  if (record.images.empty()) out << "  (none reported yet)\n";
  for (const auto& image : record.images) {
    out << "  " << std::left << std::setw(12) << image.type
        << gp::broadcast::image_version_text(static_cast<std::uint32_t>(image.version)) << "  sha256 "
        << image.sha256.substr(0, 16) << "...  campaign " << image.campaign << "  " << time_text(image.t) << "\n";
  }
  out << "\ncampaigns:\n";
  for (const auto& c : record.campaigns) {
    out << "  " << c.campaign << "  " << std::left << std::setw(12) << api::name(c.state) << " attempts " << c.attempts
        << ", unverified " << c.unverified_attempts;
    if (c.retry_at) out << ", next PAUT after " << time_text(*c.retry_at);
    out << "\n    " << (c.reason.empty() ? "(no decision yet)" : c.reason) << "\n";
  }
  out << "\nhistory (oldest first):\n";
  if (record.history.empty()) out << "  (no authorization yet)\n";
  for (const auto& h : record.history) {
    out << "  " << time_text(h.t) << "  " << api::name(h.action) << " PAUT " << h.authorization_id << " (campaign "
        << h.campaign.substr(0, 8) << ")\n";
    if (h.reports.empty()) out << "      no report\n";
    for (const auto& r : h.reports) {
      out << "      " << time_text(r.t) << "  " << api::name(r.outcome) << " (" << api::name(r.evidence) << ") -> "
          << api::name(r.decision) << (r.counted ? "" : " [not counted]") << ": " << r.reason << "\n";
    }
  }
}

void print_token_table(std::ostream& out, const api::TokenList& list) {
  out << std::left << std::setw(6) << "ID" << std::setw(24) << "NAME" << std::setw(22) << "CREATED"
      << "CAMPAIGNS\n";
  for (const auto& t : list.tokens) {
    std::string campaigns;
    for (const auto& id : t.campaigns) campaigns += (campaigns.empty() ? "" : " ") + id;
    out << std::left << std::setw(6) << t.id << std::setw(24) << shorten(t.name, 23) << std::setw(22)
        << time_text(t.created_at) << campaigns << "\n";
  }
  if (list.tokens.empty()) out << "(no token)\n";
}

}  // namespace sefleet::cli::admin_render

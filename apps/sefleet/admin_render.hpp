// How `sefleet admin` shows the API's objects to a person: fixed-width tables, UTC times, image versions as
// MAJOR.MINOR, and the one-line progress of a campaign (`watch`). --json output does not come through here.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "offcard/api/messages.hpp"

namespace sefleet::cli::admin_render {

// "2026-12-07T06:30:00Z" (utc_time_text); "-" for 0.
std::string time_text(std::int64_t unix_seconds);
// "os 2.1 (wallet)".
std::string image_text(const offcard::api::ImageInfo& image);
// "updated 5  retry 2  quarantined 1 ..." — the non-zero counts, in the states' order.
std::string counts_text(const offcard::api::DeviceCounts& counts);
// Final SEs (updated, quarantined, unreachable; staged too for a deferred campaign not yet activated).
std::int64_t finished(const offcard::api::Campaign& campaign);

void print_campaign(std::ostream& out, const offcard::api::Campaign& campaign);
void print_campaign_table(std::ostream& out, const offcard::api::CampaignList& list);
void print_device_table(std::ostream& out, const offcard::api::DeviceList& list);
void print_device_record(std::ostream& out, const offcard::api::DeviceRecord& record);
void print_token_table(std::ostream& out, const offcard::api::TokenList& list);

}  // namespace sefleet::cli::admin_render

// sefleet admin device list|show|release: the fleet's SEs per campaign, one SE's history, and giving a
// quarantined or unreachable SE another chance.
#include <iostream>
#include <memory>

#include "admin_commands.hpp"
#include "admin_render.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "offcard/api/json_codec.hpp"

namespace sefleet::cli {
namespace {

namespace api = offcard::api;

struct ListOptions {
  AdminOptions admin;
  std::string state;
  std::string campaign;
  std::string search;
  bool prefix = false;
  std::int64_t limit = 50;
  std::int64_t offset = 0;
};

std::vector<std::string> state_names() {
  std::vector<std::string> names;
  for (const auto& [state, name] : api::EnumNames<api::DeviceState>::entries) names.emplace_back(name);
  return names;
}

void setup_device_list(CLI::App& device) {
  auto o = std::make_shared<ListOptions>();
  auto* cmd = add_command(device, "list", "List SEs per campaign: filter by state, search by SE id, page");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("--state", o->state, "Only SEs in this state")->check(CLI::IsMember(state_names()));
  cmd->add_option("--campaign", o->campaign, "Only this campaign (id, any case)")->check(campaign_id_check());
  cmd->add_option("--search", o->search, "Only SE ids containing these hex digits")->check(se_id_part_check());
  cmd->add_flag("--prefix", o->prefix, "--search matches the start of the SE id (an index range: fast at any size)")
      ->needs("--search");
  cmd->add_option("--limit", o->limit, "SEs per page")->capture_default_str()->check(CLI::Range(1, 10000));
  cmd->add_option("--offset", o->offset, "SEs skipped before the page")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([o] {
    offcard::admin::DeviceQuery query;
    if (!o->state.empty()) query.state = api::from_name<api::DeviceState>(o->state);
    if (!o->campaign.empty()) query.campaign = o->campaign;
    if (!o->search.empty()) query.search = o->search;
    query.search_prefix = o->prefix;
    query.limit = o->limit;
    query.offset = o->offset;
    const api::DeviceList list = connect_admin(o->admin).devices(query);
    if (o->admin.json) {
      std::cout << api::to_json(list).dump(2) << "\n";
      return;
    }
    admin_render::print_device_table(std::cout, list);
    if (list.total) {
      const std::int64_t shown = static_cast<std::int64_t>(list.devices.size());
      std::cout << "\n" << (shown == 0 ? 0 : o->offset + 1) << "-" << o->offset + shown << " of " << *list.total;
      if (o->offset + shown < *list.total) std::cout << " (next page: --offset " << o->offset + shown << ")";
      std::cout << "\n";
    }
  });
}

struct DeviceShowOptions {
  AdminOptions admin;
  std::string se_id;
};

void setup_device_show(CLI::App& device) {
  auto o = std::make_shared<DeviceShowOptions>();
  auto* cmd = add_command(device, "show", "One SE: its images, its state in each campaign, every attempt");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("se_id", o->se_id, "SE id (hex, any case)")->required()->check(se_id_check());
  cmd->callback([o] {
    const api::DeviceRecord record = connect_admin(o->admin).device(o->se_id);
    if (o->admin.json) {
      std::cout << api::to_json(record).dump(2) << "\n";
    } else {
      admin_render::print_device_record(std::cout, record);
    }
  });
}

struct ReleaseOptions {
  AdminOptions admin;
  std::string se_id;
  std::string campaign;
  std::string note;
};

void setup_release(CLI::App& device) {
  auto o = std::make_shared<ReleaseOptions>();
  auto* cmd = add_command(device, "release", "Give a quarantined or unreachable SE PAUTs again");
  add_admin_options(*cmd, o->admin);
  cmd->add_option("se_id", o->se_id, "SE id (hex, any case)")->required()->check(se_id_check());
  cmd->add_option("--campaign", o->campaign, "Only in this campaign (default: every one where it is held)")
      ->check(campaign_id_check());
  cmd->add_option("--note", o->note, "Why (kept in the campaign's events)");
  cmd->callback([o] {
    api::ReleaseRequest request;
    if (!o->campaign.empty()) request.campaign = o->campaign;
    request.note = o->note;
    const api::ReleaseAnswer answer = connect_admin(o->admin).release(o->se_id, request);
    if (o->admin.json) {
      std::cout << api::to_json(answer).dump(2) << "\n";
      return;
    }
    for (const auto& r : answer.released) {
      std::cout << "SE " << answer.se_id << " in campaign " << r.campaign << ": " << api::name(r.from) << " -> "
                << api::name(r.to) << "\n";
    }
  });
}

}  // namespace

void setup_admin_device(CLI::App& admin) {
  auto* device = add_command(admin, "device", "SEs: list, show one's history, release");
  device->require_subcommand(1);
  setup_device_list(*device);
  setup_device_show(*device);
  setup_release(*device);
}

}  // namespace sefleet::cli

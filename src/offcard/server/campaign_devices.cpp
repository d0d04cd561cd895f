// Devices (docs/api.md "Devices"): their state per campaign, their history, and the operator's release
// of quarantined and unreachable SEs.
#include "offcard/api/json_reader.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/campaign_service.hpp"

namespace sefleet::offcard::server {

using api::DeviceState;
using api::lower_hex;

api::DeviceEntry device_view(const TargetRow& t) {
  return api::DeviceEntry{t.se_id,    t.campaign_id, t.state,     t.attempts, t.unverified_attempts,
                          t.retry_at, t.reason,      t.updated_at};
}

api::DeviceList CampaignService::list_devices(const TargetQuery& query) {
  // A read-only transaction: the list never waits behind the writers of reports (SQLite's one writer).
  return database_.read([&](db::Transaction& tx) {
    Repository repo(tx);
    api::DeviceList list;
    for (const auto& row : repo.list_targets(query)) list.devices.push_back(device_view(row));
    if (query.limit) list.total = repo.count_targets(query);
    return list;
  });
}

api::DeviceRecord CampaignService::device(const Bytes& se_id_bytes) {
  const std::string se_id = lower_hex(se_id_bytes);
  return database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    auto targets = repo.targets_of_se(se_id);
    if (targets.empty()) throw ApiError(404, "not_found", "SE " + se_id + " is in no campaign");
    api::DeviceRecord record;
    record.se_id = se_id;
    for (const auto& image : repo.images_of_se(se_id)) {
      record.images.push_back(
          api::DeviceImage{image.image_type, image.version, image.sha256, image.campaign_id, image.t});
    }
    for (const auto& t : targets) record.campaigns.push_back(device_view(t));
    for (const auto& a : repo.authorizations_of_se(se_id)) {
      api::AuthorizationHistory entry{a.id, a.campaign_id, a.action, a.issued_at, {}};
      for (const auto& report : repo.reports_of(a.id)) {
        entry.reports.push_back(api::ReportSummary{report.t, report.outcome, report.evidence, report.decision,
                                                   report.counted, report.reason});
      }
      record.history.push_back(std::move(entry));
    }
    return record;
  });
}

api::ReleaseAnswer CampaignService::release_device(const Bytes& se_id_bytes, const api::ReleaseRequest& request) {
  const std::string se_id = lower_hex(se_id_bytes);
  return database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    std::vector<TargetRow> targets;
    if (request.campaign) {
      auto target = repo.find_target(*request.campaign, se_id);
      if (!target)
        throw ApiError(404, "not_found", "SE " + se_id + " is not a target of campaign " + *request.campaign);
      if (target->state != DeviceState::quarantined && target->state != DeviceState::unreachable) {
        throw ApiError(409, "invalid_state",
                       "SE " + se_id + " is " + std::string(api::name(target->state)) + " in campaign " +
                           *request.campaign + ": only quarantined or unreachable SEs are released");
      }
      targets.push_back(*target);
    } else {
      const auto all = repo.targets_of_se(se_id);
      if (all.empty()) throw ApiError(404, "not_found", "SE " + se_id + " is in no campaign");
      for (const auto& target : all) {
        if (target.state == DeviceState::quarantined || target.state == DeviceState::unreachable)
          targets.push_back(target);
      }
      if (targets.empty()) {
        throw ApiError(409, "invalid_state", "SE " + se_id + " is neither quarantined nor unreachable in any campaign");
      }
    }
    const std::int64_t t = now();
    api::ReleaseAnswer answer{se_id, {}};
    for (auto& target : targets) {
      CampaignRow c = require_campaign(repo, target.campaign_id);
      if (c.state == api::CampaignState::cancelled) {
        throw ApiError(409, "invalid_state", "campaign " + c.id + " is cancelled: its SEs are not released");
      }
      const DeviceState from = target.state;
      move_state(c, from, DeviceState::pending);
      target.state = DeviceState::pending;
      target.attempts = 0;
      target.unverified_attempts = 0;
      target.retry_at.reset();
      target.reason = "released by the operator (was " + std::string(api::name(from)) + ")" +
                      (request.note.empty() ? "" : ": " + request.note);
      target.updated_at = t;
      repo.save_target(target);
      repo.add_event(c.id, t, se_id, "released", DeviceState::pending, target.reason);
      if (c.state == api::CampaignState::completed) {
        c.state = api::CampaignState::active;
        repo.add_event(c.id, t, std::nullopt, "reopened", std::nullopt,
                       "SE " + se_id + " released: campaign active again");
      }
      repo.save_campaign_state(c);
      sample_timeline(repo, c, t);
      answer.released.push_back(api::Release{c.id, from, DeviceState::pending});
    }
    return answer;
  });
}

}  // namespace sefleet::offcard::server

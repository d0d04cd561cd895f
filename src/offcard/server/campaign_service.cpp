// Campaigns: creation, lifecycle, rollout bookkeeping, their files and views. Tokens are in
// campaign_tokens.cpp, authorizations and reports in campaign_delivery.cpp, devices in
// campaign_devices.cpp.
#include "offcard/server/campaign_service.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "offcard/api/json_reader.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/key_ref.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/rollout_policy.hpp"
#include "offcard/server/timeline_thinning.hpp"

namespace sefleet::offcard::server {
namespace {

using api::CampaignState;
using api::DeviceState;
using api::lower_hex;
using nlohmann::json;

// "label", "label@v3" (or the older "label@3"), as offcard/keystore/key_ref.hpp defines it.
KeyRef parse_key_ref(const std::string& field, const std::string& text) {
  try {
    return offcard::parse_key_ref(text);
  } catch (const Error& e) {
    throw invalid_field(field, e.what());
  }
}

void require_key(Keystore& keystore, const std::string& field, const KeyRef& ref) {
  if (!keystore.contains(ref.label)) {
    throw ApiError(400, "unknown_key", field + ": no key \"" + ref.label + "\" in the keystore");
  }
  if (ref.version != 0 && keystore.info(ref.label).find_version(ref.version) == nullptr) {
    throw ApiError(400, "unknown_key",
                   field + ": key \"" + ref.label + "\" has no version " + std::to_string(ref.version));
  }
}

json image_json(const api::ImageInfo& image) {
  return json{{"type", image.type}, {"platform", image.platform},           {"version", image.version},
              {"name", image.name}, {"datasend_size", image.datasend_size}, {"datasend_sha256", image.datasend_sha256}};
}

api::ImageInfo image_of(const CampaignRow& row) {
  const json j = json::parse(row.image_json);
  return api::ImageInfo{j.at("type").get<std::string>(),           j.at("platform").get<std::string>(),
                        j.at("version").get<std::int64_t>(),       j.at("name").get<std::string>(),
                        j.at("datasend_size").get<std::int64_t>(), j.at("datasend_sha256").get<std::string>()};
}

}  // namespace

CampaignService::CampaignService(db::Database& database, Keystore& keystore, std::string admin_token_hash,
                                 std::function<std::int64_t()> now, std::optional<OnlineAuthorizationConfig> online)
    : database_(database),
      keystore_(keystore),
      admin_token_hash_(std::move(admin_token_hash)),
      now_(std::move(now)),
      online_(std::move(online)) {
  if (online_) card_ca_.emplace(crypto::P256PublicKey::from_uncompressed(online_->card_ca_key));
}

void CampaignService::require_scope(const Caller& caller, const std::string& id) const {
  if (!caller.admin && caller.campaigns.count(id) == 0) {
    throw ApiError(403, "forbidden", "this token is not allowed on campaign " + id);
  }
}

CampaignRow CampaignService::require_campaign(Repository& repo, const std::string& id) {
  auto row = repo.find_campaign(id);
  if (!row) throw ApiError(404, "not_found", "no campaign " + id);
  return *row;
}

std::shared_ptr<const CampaignService::CampaignContext> CampaignService::context(const CampaignRow& row) {
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = contexts_.find(row.id); it != contexts_.end()) return it->second;
  }
  auto ctx = std::make_shared<CampaignContext>();
  ctx->master = offcard::parse_key_ref(row.master_key);
  ctx->activation_mode = row.activation_mode;
  ctx->image = image_of(row);
  ctx->datasend_sha256 = from_hex(ctx->image.datasend_sha256);
  std::optional<KeyRef> kek;
  if (row.campaign_kek) kek = offcard::parse_key_ref(*row.campaign_kek);
  PautOptions options;
  options.security_level = static_cast<std::uint8_t>(row.security_level);
  ctx->issuer = std::make_unique<PautIssuer>(keystore_, ctx->master, parse_campaign_terms(row.terms), kek, options);
  std::lock_guard lock(cache_mutex_);
  return contexts_.emplace(row.id, std::move(ctx)).first->second;
}

std::shared_ptr<const CampaignService::CampaignContext> CampaignService::context(const std::string& id) {
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = contexts_.find(id); it != contexts_.end()) return it->second;
  }
  auto row = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    return require_campaign(repo, id);
  });
  return context(row);
}

api::Campaign CampaignService::create_campaign(const api::CampaignCreate& request) {
  CampaignPackage package;
  try {
    package = parse_campaign_package(request.package);
  } catch (const Error& error) {
    throw ApiError(400, "invalid_package", std::string("package: ") + error.what());
  }
  const KeyRef master = parse_key_ref("master_key", request.master_key);
  require_key(keystore_, "master_key", master);
  std::optional<KeyRef> kek;
  const bool platform_profile = package.terms.profile == gp::broadcast::Profile::platform_key;
  if (request.campaign_kek) {
    kek = parse_key_ref("campaign_kek", *request.campaign_kek);
    require_key(keystore_, "campaign_kek", *kek);
  }
  if (platform_profile && !kek) throw invalid_field("campaign_kek", "required for a profile 4 package");
  if (!platform_profile) kek.reset();  // profile 3 needs no KEK: the design system wrapped BK under Kos

  // The HSM's part (profile 4): BK generated and the PSE built from the envelope.
  CampaignTerms terms = package.terms;
  std::vector<Bytes> pse_commands = package.pse;
  if (platform_profile) {
    try {
      auto prepared = prepare_platform_campaign(keystore_, *kek, package.terms, package.envelope, package.chunk_size,
                                                package.extended);
      terms = std::move(prepared.terms);
      pse_commands = std::move(prepared.pse);
    } catch (const Error& error) {
      if (error.code() == Errc::invalid_argument)
        throw ApiError(400, "invalid_package", std::string("package: ") + error.what());
      throw;
    }
  }
  const std::string id = lower_hex(terms.campaign_id);
  const Bytes pse_file = serialize_pse_file(PseFile{terms.campaign_id, pse_commands});
  // Building the issuer now refuses keys of the wrong usage before anything is stored.
  PautOptions options;
  options.security_level = static_cast<std::uint8_t>(request.security_level);
  try {
    PautIssuer probe(keystore_, master, terms, kek, options);
  } catch (const Error& error) {
    if (error.code() == Errc::invalid_argument || error.code() == Errc::not_found ||
        error.code() == Errc::integrity_error || error.code() == Errc::state_error) {
      throw ApiError(400, "unknown_key", std::string("keys: ") + error.what());
    }
    throw;
  }

  CampaignRow row;
  row.id = id;
  row.name = request.name;
  row.created_at = now();
  row.profile = static_cast<int>(terms.profile);
  const auto& manifest = package.image.manifest;
  row.image_json =
      image_json(api::ImageInfo{image_type_text(manifest.type), lower_hex(manifest.platform_id), manifest.version,
                                manifest.name, static_cast<std::int64_t>(package.image.datasend_size),
                                lower_hex(package.image.datasend_sha256)})
          .dump();
  row.terms = serialize_campaign_terms(terms);
  row.master_key = master.text();
  if (kek) row.campaign_kek = kek->text();
  row.security_level = static_cast<int>(request.security_level);
  row.waves_json = json(request.rollout.waves).dump();
  row.max_failure_rate = request.rollout.max_failure_rate;
  row.min_reports = request.rollout.min_reports;
  row.max_unverified_rate = request.rollout.max_unverified_rate;
  row.policy = request.policy;
  row.activation_mode = request.activation.mode;
  row.activation_at = request.activation.at;
  row.state = CampaignState::active;
  row.target_count = static_cast<std::int64_t>(request.targets.size());
  row.counts[DeviceState::pending] = row.target_count;
  row.pse_sha256 = lower_hex(crypto::sha256(pse_file));
  row.pse_size = static_cast<std::int64_t>(pse_file.size());
  row.pse_commands = static_cast<std::int64_t>(pse_commands.size());
  if (request.pmob) {
    row.pmob_sha256 = lower_hex(crypto::sha256(*request.pmob));
    row.pmob_size = static_cast<std::int64_t>(request.pmob->size());
  }
  const auto ranks = wave_ranks(terms.campaign_id, request.targets);
  const std::int64_t t = row.created_at;
  database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    if (repo.find_campaign(id)) throw ApiError(409, "campaign_exists", "campaign " + id + " already exists");
    repo.insert_campaign(row, pse_file, request.pmob);
    for (std::size_t k = 0; k < request.targets.size(); ++k) {
      TargetRow target;
      target.campaign_id = id;
      target.se_id = lower_hex(request.targets[k]);
      target.rank = ranks[k];
      target.updated_at = t;
      repo.insert_target(target);
    }
    repo.add_event(id, t, std::nullopt, "campaign_created", std::nullopt,
                   "\"" + request.name + "\", profile " + std::to_string(row.profile) + ", " +
                       std::to_string(request.targets.size()) + " targets, waves " + row.waves_json + ", activation " +
                       std::string(api::name(row.activation_mode)));
    sample_timeline(repo, row, t);
  });
  return campaign_view(row);
}

api::CampaignList CampaignService::list_campaigns() {
  auto rows = database_.run([&](db::Transaction& tx) { return Repository(tx).list_campaigns(); });
  api::CampaignList list;
  for (const auto& row : rows) list.campaigns.push_back(campaign_view(row));
  return list;
}

api::Campaign CampaignService::campaign(const Caller& caller, const std::string& id) {
  require_scope(caller, id);
  auto row = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    apply_activation_time(repo, c, now());
    return c;
  });
  return campaign_view(row);
}

api::Campaign CampaignService::control_campaign(const std::string& id, api::CampaignOperation operation) {
  using Operation = api::CampaignOperation;
  auto row = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    apply_activation_time(repo, c, t);
    const auto refuse = [&](const std::string& why) {
      return ApiError(409, "invalid_state",
                      std::string(api::name(operation)) + ": campaign is " + std::string(api::name(c.state)) + why);
    };
    switch (operation) {
      case Operation::pause:
        if (c.state != CampaignState::active) throw refuse("");
        c.state = CampaignState::paused;
        c.pause_reason = "operator";
        repo.add_event(id, t, std::nullopt, "paused", std::nullopt, "paused by the operator");
        break;
      case Operation::resume:
        if (c.state != CampaignState::paused) throw refuse("");
        c.state = CampaignState::active;
        c.pause_reason.reset();
        c.wave_reports = 0;  // the wave's rates count again from the resume on
        c.wave_failures = 0;
        c.wave_unverified = 0;
        repo.add_event(id, t, std::nullopt, "resumed", std::nullopt, "resumed by the operator");
        break;
      case Operation::cancel:
        if (c.state == CampaignState::cancelled || c.state == CampaignState::completed) throw refuse("");
        c.state = CampaignState::cancelled;
        repo.add_event(id, t, std::nullopt, "cancelled", std::nullopt, "cancelled by the operator");
        break;
      case Operation::activate:
        if (c.activation_mode != api::ActivationMode::deferred) throw refuse(" with immediate activation");
        if (c.activated) throw refuse(" and already activated");
        c.activated = true;
        repo.add_event(id, t, std::nullopt, "activated", std::nullopt,
                       "activation by the operator: staged SEs now get activate PAUTs");
        break;
    }
    repo.save_campaign_state(c);
    return c;
  });
  return campaign_view(row);
}

void CampaignService::apply_activation_time(Repository& repo, CampaignRow& row, std::int64_t t) {
  if (row.activation_mode != api::ActivationMode::deferred || row.activated || !row.activation_at ||
      t < *row.activation_at) {
    return;
  }
  row.activated = true;
  repo.add_event(
      row.id, t, std::nullopt, "activated", std::nullopt,
      "activation time " + std::to_string(*row.activation_at) + " reached: staged SEs now get activate PAUTs");
  repo.save_campaign_state(row);
}

void CampaignService::advance_rollout(Repository& repo, CampaignRow& row, std::int64_t t) {
  const api::RolloutPlan plan = plan_of(row);
  const bool staged_is_final = row.activation_mode == api::ActivationMode::deferred && !row.activated;
  while (row.current_wave + 1 < static_cast<std::int64_t>(plan.waves.size())) {
    const std::int64_t admitted = admitted_count(plan, row.current_wave, row.target_count);
    if (repo.count_unfinished(row.id, admitted, staged_is_final) > 0) break;
    ++row.current_wave;
    row.wave_reports = 0;
    row.wave_failures = 0;
    row.wave_unverified = 0;
    repo.add_event(row.id, t, std::nullopt, "wave_advanced", std::nullopt,
                   "wave " + std::to_string(row.current_wave) +
                       " starts: " + std::to_string(admitted_count(plan, row.current_wave, row.target_count)) + " of " +
                       std::to_string(row.target_count) + " targets admitted");
  }
  const std::int64_t done =
      row.counts[DeviceState::updated] + row.counts[DeviceState::quarantined] + row.counts[DeviceState::unreachable];
  if ((row.state == CampaignState::active || row.state == CampaignState::paused) && done == row.target_count) {
    row.state = CampaignState::completed;
    row.pause_reason.reset();
    repo.add_event(row.id, t, std::nullopt, "completed", std::nullopt,
                   std::to_string(row.counts[DeviceState::updated]) + " updated, " +
                       std::to_string(row.counts[DeviceState::quarantined]) + " quarantined, " +
                       std::to_string(row.counts[DeviceState::unreachable]) + " unreachable");
  }
}

void CampaignService::check_wave_thresholds(Repository& repo, CampaignRow& row, std::int64_t t) {
  if (row.state != CampaignState::active) return;
  const auto reason = pause_reason(plan_of(row), row.current_wave,
                                   WaveReports{row.wave_reports, row.wave_failures, row.wave_unverified});
  if (!reason) return;
  row.state = CampaignState::paused;
  row.pause_reason = *reason;
  repo.add_event(row.id, t, std::nullopt, "paused", std::nullopt, "automatic pause: " + *reason);
}

void CampaignService::sample_timeline(Repository& repo, const CampaignRow& row, std::int64_t t) {
  repo.add_timeline_sample(row.id,
                           TimelineRow{t, row.counts[DeviceState::updated], row.counts[DeviceState::retry],
                                       row.counts[DeviceState::quarantined], row.counts[DeviceState::authorized],
                                       row.counts[DeviceState::unreachable]});
}

api::Timeline CampaignService::timeline(const std::string& id) {
  auto rows = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    require_campaign(repo, id);
    return repo.timeline(id);
  });
  api::Timeline timeline;
  for (const auto& s : thin_timeline(std::move(rows))) {
    timeline.samples.push_back(
        api::TimelineSample{s.t, s.updated, s.failed, s.quarantined, s.in_progress, s.unreachable});
  }
  return timeline;
}

api::EventList CampaignService::events(const std::string& id, std::int64_t after_id,
                                       const std::vector<api::DeviceState>& decisions) {
  auto rows = database_.read([&](db::Transaction& tx) {
    Repository repo(tx);
    require_campaign(repo, id);
    return repo.events(id, after_id, 1000, decisions);
  });
  api::EventList list;
  for (const auto& e : rows) list.events.push_back(api::Event{e.id, e.t, e.se_id, e.kind, e.decision, e.detail});
  return list;
}

StoredFile CampaignService::pse(const Caller& caller, const std::string& id) {
  require_scope(caller, id);
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = pse_files_.find(id); it != pse_files_.end()) return it->second;
  }
  auto bytes = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    require_campaign(repo, id);
    return repo.load_pse(id);
  });
  StoredFile file{std::make_shared<const Bytes>(std::move(bytes)), ""};
  file.sha256 = lower_hex(crypto::sha256(*file.bytes));
  std::lock_guard lock(cache_mutex_);
  return pse_files_.emplace(id, file).first->second;
}

StoredFile CampaignService::pmob(const Caller& caller, const std::string& id) {
  require_scope(caller, id);
  auto bytes = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    require_campaign(repo, id);
    return repo.load_pmob(id);
  });
  if (!bytes) throw ApiError(404, "not_found", "campaign " + id + " has no PMOB");
  StoredFile file{std::make_shared<const Bytes>(std::move(*bytes)), ""};
  file.sha256 = lower_hex(crypto::sha256(*file.bytes));
  return file;
}

api::Campaign campaign_view(const CampaignRow& c) {
  api::Campaign view;
  view.id = c.id;
  view.name = c.name;
  view.profile = c.profile;
  view.image = image_of(c);
  view.state = c.state;
  view.pause_reason = c.pause_reason;
  view.security_level = c.security_level;
  view.policy = c.policy;
  view.rollout = plan_of(c);
  view.current_wave = c.current_wave;
  view.admitted = admitted_count(view.rollout, c.current_wave, c.target_count);
  view.activation = api::Activation{c.activation_mode, c.activation_at,
                                    c.activation_mode == api::ActivationMode::immediate || c.activated};
  view.targets = c.target_count;
  view.progress = c.counts;
  view.pse = api::FileInfo{c.pse_size, c.pse_sha256, c.pse_commands};
  if (c.pmob_sha256) view.pmob = api::FileInfo{c.pmob_size, *c.pmob_sha256, 0};
  view.created_at = c.created_at;
  return view;
}

void move_state(CampaignRow& c, DeviceState from, DeviceState to) {
  if (from == to) return;
  --c.counts[from];
  ++c.counts[to];
}

}  // namespace sefleet::offcard::server

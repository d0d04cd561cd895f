// Campaigns, tokens and devices; authorizations and reports are in campaign_delivery.cpp.
#include "offcard/server/campaign_service.hpp"

#include "core/hex.hpp"

#include <algorithm>
#include <charconv>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/hash.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/server/api_error.hpp"
#include "offcard/server/json_input.hpp"
#include "offcard/server/rollout_policy.hpp"
#include "offcard/server/tokens.hpp"

namespace sefleet::offcard::server {
namespace {

using nlohmann::json;

// "label", "label@3" or "label@v3".
KeyRef parse_key_ref(const std::string& field, const std::string& text) {
  const auto at = text.find('@');
  std::string label = text.substr(0, at);
  if (!is_valid_key_label(label)) throw invalid_field(field, "not a valid key label");
  if (at == std::string::npos) return KeyRef::current(label);
  std::string_view version = std::string_view(text).substr(at + 1);
  if (!version.empty() && version.front() == 'v') version.remove_prefix(1);
  std::uint32_t number = 0;
  const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), number);
  if (ec != std::errc() || end != version.data() + version.size() || number == 0) {
    throw invalid_field(field, "expected label or label@version");
  }
  return KeyRef::at(label, number);
}

KeyRef parse_stored_key_ref(const std::string& text) {
  const auto at = text.find('@');
  if (at == std::string::npos) return KeyRef::current(text);
  return KeyRef::at(text.substr(0, at), static_cast<std::uint32_t>(std::stoul(text.substr(at + 1))));
}

std::string key_ref_text(const KeyRef& ref) {
  return ref.version == 0 ? ref.label : ref.label + "@" + std::to_string(ref.version);
}

void require_key(Keystore& keystore, const std::string& field, const KeyRef& ref) {
  if (!keystore.contains(ref.label)) {
    throw ApiError(400, "unknown_key", field + ": no key \"" + ref.label + "\" in the keystore");
  }
  if (ref.version != 0 && keystore.info(ref.label).find_version(ref.version) == nullptr) {
    throw ApiError(400, "unknown_key", field + ": key \"" + ref.label + "\" has no version " + std::to_string(ref.version));
  }
}

RolloutPlan parse_rollout(const json& body) {
  RolloutPlan plan;
  if (!has_field(body, "rollout")) return plan;
  const json& rollout = body.at("rollout");
  if (!rollout.is_object()) throw invalid_field("rollout", "expected an object");
  if (has_field(rollout, "waves")) {
    const json& waves = rollout.at("waves");
    if (!waves.is_array()) throw invalid_field("rollout.waves", "expected an array of percentages");
    plan.waves.clear();
    for (const auto& wave : waves) {
      if (!wave.is_number_integer()) throw invalid_field("rollout.waves", "expected integer percentages");
      const auto value = wave.get<std::int64_t>();
      if (value < 1 || value > 100) throw invalid_field("rollout.waves", "expected percentages in 1..100");
      plan.waves.push_back(static_cast<int>(value));
    }
  }
  if (has_field(rollout, "max_failure_rate")) {
    plan.max_failure_rate = number_field(rollout, "max_failure_rate", 0.0, 1.0);
  }
  if (has_field(rollout, "min_reports")) plan.min_reports = integer_field(rollout, "min_reports", 1, 1000000);
  check_rollout_plan(plan);
  return plan;
}

}  // namespace

CampaignService::CampaignService(db::Database& database, Keystore& keystore, std::string admin_token_hash,
                                 std::function<std::int64_t()> now)
    : database_(database), keystore_(keystore), admin_token_hash_(std::move(admin_token_hash)), now_(std::move(now)) {}

Caller CampaignService::authenticate(const std::optional<std::string>& bearer_token) {
  if (!bearer_token || bearer_token->empty()) {
    throw ApiError(401, "missing_token", "Authorization: expected \"Bearer <token>\"");
  }
  const std::string hash = token_hash(*bearer_token);
  if (constant_time_equal(bytes_of(hash), bytes_of(admin_token_hash_))) return Caller{true, 0, {}};
  {
    std::lock_guard lock(cache_mutex_);
    if (auto it = token_cache_.find(hash); it != token_cache_.end()) return it->second;
  }
  auto row = database_.run([&](db::Transaction& tx) { return Repository(tx).find_token_by_hash(hash); });
  if (!row) throw ApiError(401, "invalid_token", "Authorization: unknown token");
  Caller caller{false, row->id, {}};
  for (const auto& id : json::parse(row->campaigns_json)) caller.campaigns.insert(id.get<std::string>());
  std::lock_guard lock(cache_mutex_);
  token_cache_[hash] = caller;
  return caller;
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
  ctx->master = parse_stored_key_ref(row.master_key);
  const json image = json::parse(row.image_json);
  ctx->image_type = image.at("type").get<std::string>();
  ctx->datasend_sha256 = from_hex(image.at("datasend_sha256").get<std::string>());
  std::optional<KeyRef> kek;
  if (row.campaign_kek) kek = parse_stored_key_ref(*row.campaign_kek);
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

json CampaignService::create_campaign(const json& body) {
  const std::string name = string_field(body, "name");
  if (name.empty() || name.size() > 200) throw invalid_field("name", "expected 1..200 characters");
  const Bytes package_file = base64_field(body, "package");
  CampaignPackage package;
  try {
    package = parse_campaign_package(package_file);
  } catch (const Error& error) {
    throw ApiError(400, "invalid_package", std::string("package: ") + error.what());
  }
  const KeyRef master = parse_key_ref("master_key", string_field(body, "master_key"));
  require_key(keystore_, "master_key", master);
  std::optional<KeyRef> kek;
  const bool platform_profile = package.terms.profile == gp::broadcast::Profile::platform_key;
  if (auto text = optional_string_field(body, "campaign_kek")) {
    kek = parse_key_ref("campaign_kek", *text);
    require_key(keystore_, "campaign_kek", *kek);
  }
  if (platform_profile && !kek) throw invalid_field("campaign_kek", "required for a profile 4 package");
  if (!platform_profile) kek.reset();  // profile 3 needs no KEK: the design system wrapped BK under Kos

  if (!has_field(body, "targets") || !body.at("targets").is_array() || body.at("targets").empty()) {
    throw invalid_field("targets", "expected a non-empty array of SE ids (hex)");
  }
  std::vector<Bytes> targets;
  std::set<std::string> seen;
  for (std::size_t k = 0; k < body.at("targets").size(); ++k) {
    const std::string field = "targets[" + std::to_string(k) + "]";
    Bytes se_id = hex_value(body.at("targets")[k], field, kMinSeIdSize, kMaxSeIdSize);
    if (!seen.insert(lower_hex(se_id)).second) throw invalid_field(field, "duplicate SE id");
    targets.push_back(std::move(se_id));
  }
  const auto security_level = optional_integer_field(body, "security_level", 0, 255).value_or(0x33);
  if (security_level != 0x13 && security_level != 0x33) throw invalid_field("security_level", "expected 19 (0x13) or 51 (0x33)");
  const RolloutPlan plan = parse_rollout(body);
  const auto max_attempts = optional_integer_field(body, "max_attempts", 1, 100).value_or(3);
  std::string activation_mode = "immediate";
  std::optional<std::int64_t> activation_at;
  if (has_field(body, "activation")) {
    const json& activation = body.at("activation");
    if (!activation.is_object()) throw invalid_field("activation", "expected an object");
    activation_mode = string_field(activation, "mode");
    if (activation_mode != "immediate" && activation_mode != "deferred") {
      throw invalid_field("activation.mode", "expected \"immediate\" or \"deferred\"");
    }
    activation_at = optional_integer_field(activation, "at", 0, std::int64_t{1} << 40);
    if (activation_at && activation_mode != "deferred") throw invalid_field("activation.at", "only for mode \"deferred\"");
  }
  std::optional<Bytes> pmob;
  if (has_field(body, "pmob")) pmob = base64_field(body, "pmob");

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
      if (error.code() == Errc::invalid_argument) throw ApiError(400, "invalid_package", std::string("package: ") + error.what());
      throw;
    }
  }
  const std::string id = lower_hex(terms.campaign_id);
  const Bytes pse_file = serialize_pse_file(PseFile{terms.campaign_id, pse_commands});
  // Building the issuer now refuses keys of the wrong usage before anything is stored.
  PautOptions options;
  options.security_level = static_cast<std::uint8_t>(security_level);
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
  row.name = name;
  row.created_at = now();
  row.profile = static_cast<int>(terms.profile);
  row.image_json = json{{"type", image_type_text(package.image.manifest.type)},
                        {"platform", lower_hex(package.image.manifest.platform_id)},
                        {"version", package.image.manifest.version},
                        {"name", package.image.manifest.name},
                        {"datasend_size", package.image.datasend_size},
                        {"datasend_sha256", lower_hex(package.image.datasend_sha256)}}
                       .dump();
  row.terms = serialize_campaign_terms(terms);
  row.master_key = key_ref_text(master);
  if (kek) row.campaign_kek = key_ref_text(*kek);
  row.security_level = static_cast<int>(security_level);
  row.waves_json = json(plan.waves).dump();
  row.max_failure_rate = plan.max_failure_rate;
  row.min_reports = plan.min_reports;
  row.max_attempts = max_attempts;
  row.activation_mode = activation_mode;
  row.activation_at = activation_at;
  row.state = "active";
  row.target_count = static_cast<std::int64_t>(targets.size());
  row.n_pending = row.target_count;
  row.pse_sha256 = lower_hex(crypto::sha256(pse_file));
  row.pse_size = static_cast<std::int64_t>(pse_file.size());
  row.pse_commands = static_cast<std::int64_t>(pse_commands.size());
  if (pmob) {
    row.pmob_sha256 = lower_hex(crypto::sha256(*pmob));
    row.pmob_size = static_cast<std::int64_t>(pmob->size());
  }
  const auto ranks = wave_ranks(terms.campaign_id, targets);
  const std::int64_t t = row.created_at;
  database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    if (repo.find_campaign(id)) throw ApiError(409, "campaign_exists", "campaign " + id + " already exists");
    repo.insert_campaign(row, pse_file, pmob);
    for (std::size_t k = 0; k < targets.size(); ++k) {
      repo.insert_target(TargetRow{id, lower_hex(targets[k]), ranks[k], kPending, 0, t});
    }
    repo.add_event(id, t, std::nullopt, "campaign_created", std::nullopt,
                   "\"" + name + "\", profile " + std::to_string(row.profile) + ", " + std::to_string(targets.size()) +
                       " targets, waves " + row.waves_json + ", activation " + activation_mode);
    sample_timeline(repo, row, t);
  });
  return campaign_json(row);
}

json CampaignService::list_campaigns() {
  auto rows = database_.run([&](db::Transaction& tx) { return Repository(tx).list_campaigns(); });
  json out = json::array();
  for (const auto& row : rows) out.push_back(campaign_json(row));
  return json{{"campaigns", out}};
}

json CampaignService::campaign(const Caller& caller, const std::string& id) {
  require_scope(caller, id);
  auto row = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    apply_activation_time(repo, c, now());
    return c;
  });
  return campaign_json(row);
}

json CampaignService::control_campaign(const std::string& id, const std::string& operation) {
  auto row = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    CampaignRow c = require_campaign(repo, id);
    const std::int64_t t = now();
    apply_activation_time(repo, c, t);
    const auto refuse = [&](const std::string& why) {
      return ApiError(409, "invalid_state", operation + ": campaign is " + c.state + why);
    };
    if (operation == "pause") {
      if (c.state != "active") throw refuse("");
      c.state = "paused";
      c.pause_reason = "operator";
      repo.add_event(id, t, std::nullopt, "paused", std::nullopt, "paused by the operator");
    } else if (operation == "resume") {
      if (c.state != "paused") throw refuse("");
      c.state = "active";
      c.pause_reason.reset();
      c.wave_reports = 0;  // the failure rate counts again from the resume on
      c.wave_failures = 0;
      repo.add_event(id, t, std::nullopt, "resumed", std::nullopt, "resumed by the operator");
    } else if (operation == "cancel") {
      if (c.state == "cancelled" || c.state == "completed") throw refuse("");
      c.state = "cancelled";
      repo.add_event(id, t, std::nullopt, "cancelled", std::nullopt, "cancelled by the operator");
    } else if (operation == "activate") {
      if (c.activation_mode != "deferred") throw refuse(" with immediate activation");
      if (c.activated) throw refuse(" and already activated");
      c.activated = true;
      repo.add_event(id, t, std::nullopt, "activated", std::nullopt,
                     "activation by the operator: staged SEs now get activate PAUTs");
    } else {
      throw ApiError(404, "not_found", "no operation " + operation);
    }
    repo.save_campaign_state(c);
    return c;
  });
  return campaign_json(row);
}

void CampaignService::apply_activation_time(Repository& repo, CampaignRow& row, std::int64_t t) {
  if (row.activation_mode != "deferred" || row.activated || !row.activation_at || t < *row.activation_at) return;
  row.activated = true;
  repo.add_event(row.id, t, std::nullopt, "activated", std::nullopt,
                 "activation time " + std::to_string(*row.activation_at) + " reached: staged SEs now get activate PAUTs");
  repo.save_campaign_state(row);
}

void CampaignService::advance_rollout(Repository& repo, CampaignRow& row, std::int64_t t) {
  const RolloutPlan plan = plan_of(row);
  std::vector<std::string> final_states{kUpdated, kQuarantined};
  if (row.activation_mode == "deferred" && !row.activated) final_states.emplace_back(kStaged);
  while (row.current_wave + 1 < static_cast<std::int64_t>(plan.waves.size())) {
    const std::int64_t admitted = admitted_count(plan, row.current_wave, row.target_count);
    if (repo.count_unfinished(row.id, admitted, final_states) > 0) break;
    ++row.current_wave;
    row.wave_reports = 0;
    row.wave_failures = 0;
    repo.add_event(row.id, t, std::nullopt, "wave_advanced", std::nullopt,
                   "wave " + std::to_string(row.current_wave) + " starts: " +
                       std::to_string(admitted_count(plan, row.current_wave, row.target_count)) + " of " +
                       std::to_string(row.target_count) + " targets admitted");
  }
  if ((row.state == "active" || row.state == "paused") && row.n_updated + row.n_quarantined == row.target_count) {
    row.state = "completed";
    row.pause_reason.reset();
    repo.add_event(row.id, t, std::nullopt, "completed", std::nullopt,
                   std::to_string(row.n_updated) + " updated, " + std::to_string(row.n_quarantined) + " quarantined");
  }
}

void CampaignService::sample_timeline(Repository& repo, const CampaignRow& row, std::int64_t t) {
  repo.add_timeline_sample(row.id, t, TimelineRow{t, row.n_updated, row.n_retry, row.n_quarantined, row.n_authorized});
}

json CampaignService::timeline(const std::string& id) {
  auto rows = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    require_campaign(repo, id);
    return repo.timeline(id);
  });
  json samples = json::array();
  for (const auto& s : rows) {
    samples.push_back({{"t", s.t}, {"updated", s.updated}, {"failed", s.failed}, {"quarantined", s.quarantined},
                       {"in_progress", s.in_progress}});
  }
  return json{{"samples", samples}};
}

json CampaignService::events(const std::string& id, std::int64_t after_id) {
  auto rows = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    require_campaign(repo, id);
    return repo.events(id, after_id, 1000);
  });
  json out = json::array();
  for (const auto& e : rows) {
    out.push_back({{"id", e.id}, {"t", e.t}, {"se_id", e.se_id ? json(*e.se_id) : json(nullptr)}, {"kind", e.kind},
                   {"decision", e.decision ? json(*e.decision) : json(nullptr)}, {"detail", e.detail}});
  }
  return json{{"events", out}};
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

json CampaignService::campaign_json(const CampaignRow& c) const {
  const RolloutPlan plan = plan_of(c);
  json activation{{"mode", c.activation_mode},
                  {"at", c.activation_at ? json(*c.activation_at) : json(nullptr)},
                  {"activated", c.activation_mode == "immediate" || c.activated}};
  return json{
      {"id", c.id},
      {"name", c.name},
      {"profile", c.profile},
      {"image", json::parse(c.image_json)},
      {"state", c.state},
      {"pause_reason", c.pause_reason ? json(*c.pause_reason) : json(nullptr)},
      {"security_level", c.security_level},
      {"max_attempts", c.max_attempts},
      {"rollout", {{"waves", plan.waves}, {"max_failure_rate", plan.max_failure_rate}, {"min_reports", plan.min_reports}}},
      {"current_wave", c.current_wave},
      {"admitted", admitted_count(plan, c.current_wave, c.target_count)},
      {"activation", activation},
      {"targets", c.target_count},
      {"progress",
       {{"pending", c.n_pending}, {"authorized", c.n_authorized}, {"updated", c.n_updated}, {"staged", c.n_staged},
        {"retry", c.n_retry}, {"quarantined", c.n_quarantined}}},
      {"pse", {{"size", c.pse_size}, {"sha256", c.pse_sha256}, {"commands", c.pse_commands}}},
      {"pmob", c.pmob_sha256 ? json{{"size", c.pmob_size}, {"sha256", *c.pmob_sha256}} : json(nullptr)},
      {"created_at", c.created_at}};
}

json CampaignService::create_token(const json& body) {
  const std::string name = string_field(body, "name");
  if (name.empty() || name.size() > 200) throw invalid_field("name", "expected 1..200 characters");
  if (!has_field(body, "campaigns") || !body.at("campaigns").is_array()) {
    throw invalid_field("campaigns", "expected an array of campaign ids");
  }
  std::vector<std::string> campaigns;
  for (const auto& id : body.at("campaigns")) {
    if (!id.is_string()) throw invalid_field("campaigns", "expected campaign ids (strings)");
    campaigns.push_back(id.get<std::string>());
  }
  const std::string token = generate_token();
  const std::int64_t t = now();
  const std::int64_t id = database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    for (const auto& campaign : campaigns) {
      if (!repo.find_campaign(campaign)) throw invalid_field("campaigns", "no campaign " + campaign);
    }
    return repo.insert_token(name, token_hash(token), json(campaigns).dump(), t);
  });
  return json{{"id", id}, {"name", name}, {"campaigns", campaigns}, {"token", token}};
}

json CampaignService::list_tokens() {
  auto rows = database_.run([&](db::Transaction& tx) { return Repository(tx).list_tokens(); });
  json out = json::array();
  for (const auto& row : rows) {
    out.push_back({{"id", row.id}, {"name", row.name}, {"campaigns", json::parse(row.campaigns_json)},
                   {"created_at", row.created_at}});
  }
  return json{{"tokens", out}};
}

json CampaignService::delete_token(std::int64_t id) {
  const bool deleted = database_.run([&](db::Transaction& tx) { return Repository(tx).delete_token(id); });
  if (!deleted) throw ApiError(404, "not_found", "no token " + std::to_string(id));
  std::lock_guard lock(cache_mutex_);
  token_cache_.clear();
  return json{{"deleted", id}};
}

json CampaignService::list_devices(const std::optional<std::string>& state, const std::optional<std::string>& campaign) {
  if (state && !is_device_state(*state)) throw invalid_field("state", "unknown device state " + *state);
  auto rows = database_.run([&](db::Transaction& tx) { return Repository(tx).list_targets(campaign, state); });
  json out = json::array();
  for (const auto& t : rows) {
    out.push_back({{"se_id", t.se_id}, {"campaign", t.campaign_id}, {"state", t.state}, {"attempts", t.attempts},
                   {"updated_at", t.updated_at}});
  }
  return json{{"devices", out}};
}

json CampaignService::device(const std::string& se_id_text) {
  const std::string se_id = lower_hex(hex_value(json(se_id_text), "se_id", kMinSeIdSize, kMaxSeIdSize));
  return database_.run([&](db::Transaction& tx) {
    Repository repo(tx);
    auto targets = repo.targets_of_se(se_id);
    if (targets.empty()) throw ApiError(404, "not_found", "SE " + se_id + " is in no campaign");
    json images = json::array();
    for (const auto& image : repo.images_of_se(se_id)) {
      images.push_back({{"type", image.image_type}, {"version", image.version}, {"sha256", image.sha256},
                        {"campaign", image.campaign_id}, {"t", image.t}});
    }
    json campaigns = json::array();
    for (const auto& t : targets) {
      campaigns.push_back({{"campaign", t.campaign_id}, {"state", t.state}, {"attempts", t.attempts}});
    }
    json history = json::array();
    for (const auto& a : repo.authorizations_of_se(se_id)) {
      json entry{{"authorization_id", a.id}, {"campaign", a.campaign_id}, {"action", a.action}, {"t", a.issued_at},
                 {"outcome", nullptr}, {"decision", nullptr}, {"reason", nullptr}};
      if (auto report = repo.find_report(a.id)) {
        entry["outcome"] = report->outcome;
        entry["decision"] = report->decision;
        entry["reason"] = report->reason;
      }
      history.push_back(std::move(entry));
    }
    return json{{"se_id", se_id}, {"images", images}, {"campaigns", campaigns}, {"history", history}};
  });
}

}  // namespace sefleet::offcard::server

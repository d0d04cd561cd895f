// The requests and answers of the management server's /v1 API (docs/api.md) as C++ types, shared by
// the server (its campaign service takes and returns them), the terminal agent and the simulator. Their
// JSON form is json_codec.hpp; byte strings are Bytes here and lower-case hex (or base64 for uploads)
// on the wire.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/api/enums.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/online_session.hpp"
#include "offcard/campaign/terminal_role.hpp"

namespace sefleet::offcard::api {

// ---- limits of the fields (docs/api.md) ----
inline constexpr std::size_t kMaxNameSize = 200;
inline constexpr std::int64_t kMaxAttemptsLimit = 100;
inline constexpr std::int64_t kMaxBackoffSeconds = 86400;
inline constexpr std::size_t kMaxFailureText = 1000;
inline constexpr std::size_t kAuthorizationIdSize = 16;  // bytes (32 hex)

// ---- campaigns ----

// Waves and the automatic pauses (docs/api.md "Rollout").
struct RolloutPlan {
  std::vector<int> waves{100};       // cumulative percentages, strictly increasing, the last 100
  double max_failure_rate = 1.0;     // authenticated failures / authenticated reports in the wave
  std::int64_t min_reports = 5;      // reports in the wave before either rate is judged
  double max_unverified_rate = 1.0;  // unverified reports / all reports in the wave (1.0: never pauses)

  friend bool operator==(const RolloutPlan&, const RolloutPlan&) = default;
};

// How reports turn into device states (docs/api.md "Reports").
struct ReportPolicy {
  std::int64_t max_attempts = 3;             // authenticated failures before `quarantined`
  std::int64_t max_unverified_attempts = 5;  // unverified failures before `unreachable`
  std::int64_t unverified_backoff = 10;      // seconds before the next PAUT after the first unverified failure
                                             // (doubling with each one, at most kMaxBackoffSeconds)
  friend bool operator==(const ReportPolicy&, const ReportPolicy&) = default;
};

struct Activation {
  ActivationMode mode = ActivationMode::immediate;
  std::optional<std::int64_t> at;  // deferred only: Unix seconds
  bool activated = false;          // answers only (immediate campaigns are always activated)

  friend bool operator==(const Activation&, const Activation&) = default;
};

// POST /v1/campaigns
struct CampaignCreate {
  std::string name;
  Bytes package;                            // the SFCF campaign package file
  std::string master_key;                   // "label", "label@N" or "label@vN"
  std::optional<std::string> campaign_kek;  // profile 4
  std::vector<Bytes> targets;               // SE ids, no duplicates
  std::int64_t security_level = 0x33;       // 0x13 or 0x33
  RolloutPlan rollout;
  ReportPolicy policy;
  Activation activation;
  std::optional<Bytes> pmob;

  friend bool operator==(const CampaignCreate&, const CampaignCreate&) = default;
};

struct ImageInfo {
  std::string type;      // image_type_text: "os", "application", ...
  std::string platform;  // hex
  std::int64_t version = 0;
  std::string name;
  std::int64_t datasend_size = 0;
  std::string datasend_sha256;  // hex

  friend bool operator==(const ImageInfo&, const ImageInfo&) = default;
};

struct FileInfo {
  std::int64_t size = 0;
  std::string sha256;         // hex: also the file's ETag
  std::int64_t commands = 0;  // PSE only: the APDUs in it

  friend bool operator==(const FileInfo&, const FileInfo&) = default;
};

// Number of devices per state.
struct DeviceCounts {
  std::array<std::int64_t, kDeviceStateCount> n{};
  std::int64_t& operator[](DeviceState state) noexcept { return n[index_of(state)]; }
  std::int64_t operator[](DeviceState state) const noexcept { return n[index_of(state)]; }

  friend bool operator==(const DeviceCounts&, const DeviceCounts&) = default;
};

// GET /v1/campaigns/{id}
struct Campaign {
  std::string id;  // 32 hex
  std::string name;
  int profile = 3;
  ImageInfo image;
  CampaignState state = CampaignState::active;
  std::optional<std::string> pause_reason;  // "operator", or why the rollout paused by itself
  std::int64_t security_level = 0x33;
  ReportPolicy policy;
  RolloutPlan rollout;
  std::int64_t current_wave = 0;
  std::int64_t admitted = 0;  // targets admitted by the current wave
  Activation activation;
  std::int64_t targets = 0;
  DeviceCounts progress;
  FileInfo pse;
  std::optional<FileInfo> pmob;
  std::int64_t created_at = 0;

  friend bool operator==(const Campaign&, const Campaign&) = default;
};

struct CampaignList {
  std::vector<Campaign> campaigns;
  friend bool operator==(const CampaignList&, const CampaignList&) = default;
};

struct TimelineSample {
  std::int64_t t = 0, updated = 0, failed = 0, quarantined = 0, in_progress = 0, unreachable = 0;
  friend bool operator==(const TimelineSample&, const TimelineSample&) = default;
};
struct Timeline {
  std::vector<TimelineSample> samples;
  friend bool operator==(const Timeline&, const Timeline&) = default;
};

struct Event {
  std::int64_t id = 0;
  std::int64_t t = 0;
  std::optional<std::string> se_id;
  std::string kind;                     // campaign_created, authorization, report, wave_advanced, paused, resumed, ...
  std::optional<DeviceState> decision;  // the device's new state, for reports and releases
  std::string detail;
  friend bool operator==(const Event&, const Event&) = default;
};
struct EventList {
  std::vector<Event> events;
  friend bool operator==(const EventList&, const EventList&) = default;
};

// Every error answer: {"error": message, "reason": code} and, when they apply, "detail" (the short
// why, e.g. a pause reason) and "retry_after" (seconds; also the Retry-After header).
struct ErrorBody {
  std::string error;
  std::string reason;
  std::optional<std::string> detail;
  std::optional<std::int64_t> retry_after;
  friend bool operator==(const ErrorBody&, const ErrorBody&) = default;
};

// ---- terminal data: authorizations and reports ----

// POST /v1/campaigns/{id}/authorizations: the body is offcard::SeAuthorizationRequest (hsm_role.hpp).

struct AuthorizationGrant {
  std::string authorization_id;  // 32 hex
  PautAction action = PautAction::activate;
  EncodedPaut paut;  // PAUT[0..3], sent as PAUT[0..2] || PSE || PAUT[3]
  std::int64_t expires_at = 0;
  friend bool operator==(const AuthorizationGrant&, const AuthorizationGrant&) = default;
};

// Online authorization (scp11.md "Online authorization"). POST /v1/campaigns/{id}/sessions: the body
// is offcard::OnlineSessionRequest (online_session.hpp), or, with "protocol": "scp03", an
// offcard::SeAuthorizationRequest without its sequence counter (online_scp03_session.hpp).
// The protocol of an online session: "protocol" in the session routes' requests, absent for SCP11.
enum class OnlineProtocol { scp11, scp03 };
struct SessionStart {
  std::string session_id;       // 32 hex
  std::vector<Bytes> commands;  // the setup commands for the SE (SCP11b: INTERNAL AUTHENTICATE; SCP11a/c:
                                // PERFORM SECURITY OPERATION per OCE certificate, then MUTUAL AUTHENTICATE)
  Bytes state;                  // the session state sealed under the server's session KEK: sent back with the answer
  std::int64_t expires_at = 0;
  // SCP11: the variant the server chose among the SE's offers (absent from older servers' answers,
  // which ran SCP11b only); nullopt for an online SCP03 session.
  std::optional<gp::scp11::Variant> variant;
  friend bool operator==(const SessionStart&, const SessionStart&) = default;
};

// POST /v1/campaigns/{id}/sessions/{session_id}
struct SessionAnswer {
  Bytes se_id;
  Bytes state;                                      // SessionStart::state, as received
  iso7816::ResponseApdu response;                   // the SE's answer to the last setup command (data || SW)
  OnlineProtocol protocol = OnlineProtocol::scp11;  // the start request's
  friend bool operator==(const SessionAnswer&, const SessionAnswer&) = default;
};

struct OnlineGrant {
  std::string authorization_id;  // 32 hex; the report names it
  PautAction action = PautAction::activate;
  std::array<Bytes, 2>
      paut;  // CHANGE MODE, AUTHORIZE ACTION in the session: sent as CHANGE MODE || PSE || AUTHORIZE ACTION
  // Sent before CHANGE MODE (online SCP03: EXTERNAL AUTHENTICATE); empty for SCP11.
  std::vector<Bytes> session_commands;
  std::int64_t expires_at = 0;
  friend bool operator==(const OnlineGrant&, const OnlineGrant&) = default;
};

// A refused next authorization in a report's answer: the status and body the authorization route
// would have answered (409 with an authorization refusal's reason, 503, ...).
struct NextRefusal {
  int status = 409;
  ErrorBody error;
  friend bool operator==(const NextRefusal&, const NextRefusal&) = default;
};

// POST /v1/campaigns/{id}/reports
struct ReportRequest {
  std::string authorization_id;  // 32 hex
  Bytes se_id;
  DeliveryReport delivery;
  // Optional: the authorization request of the SE the terminal serves next (docs/api.md "Reports"),
  // answered in ReportAnswer::next_authorization or next_refusal once the report is committed. Not part
  // of the report: a resent report is the same report whatever it asks for next.
  std::optional<SeAuthorizationRequest> next_authorization;
  friend bool operator==(const ReportRequest&, const ReportRequest&) = default;
};

struct ReportAnswer {
  DeliveryOutcome outcome = DeliveryOutcome::interrupted;
  Evidence evidence = Evidence::unverified;
  DeviceState decision = DeviceState::retry;  // the SE's state after this report
  std::int64_t attempts = 0;                  // authenticated failures so far
  std::int64_t unverified_attempts = 0;       // unverified failures since the last authenticated report
  std::optional<std::int64_t> retry_at;       // no PAUT for this SE before this time (unverified back-off)
  bool counted = true;  // false: recorded only (a superseded PAUT, an SE already final, a second unverified report)
  std::string reason;
  bool duplicate = false;  // the same report again: the stored answer
  // Only when the request asked for the next SE's authorization: what POST .../authorizations would
  // have answered for it, the grant or the refusal (its HTTP status and error body).
  std::optional<AuthorizationGrant> next_authorization;
  std::optional<NextRefusal> next_refusal;
  friend bool operator==(const ReportAnswer&, const ReportAnswer&) = default;
};

// ---- tokens (admin) ----

struct TokenCreate {
  std::string name;
  std::vector<std::string> campaigns;
  friend bool operator==(const TokenCreate&, const TokenCreate&) = default;
};
struct TokenCreated {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> campaigns;
  std::string token;  // shown once
  friend bool operator==(const TokenCreated&, const TokenCreated&) = default;
};
struct TokenInfo {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> campaigns;
  std::int64_t created_at = 0;
  friend bool operator==(const TokenInfo&, const TokenInfo&) = default;
};
struct TokenList {
  std::vector<TokenInfo> tokens;
  friend bool operator==(const TokenList&, const TokenList&) = default;
};
struct TokenDeleted {
  std::int64_t deleted = 0;
  friend bool operator==(const TokenDeleted&, const TokenDeleted&) = default;
};

// ---- devices (admin) ----

// An SE in one campaign.
struct DeviceEntry {
  std::string se_id;
  std::string campaign;
  DeviceState state = DeviceState::pending;
  std::int64_t attempts = 0;
  std::int64_t unverified_attempts = 0;
  std::optional<std::int64_t> retry_at;
  std::string reason;  // of the last decision ("" before any)
  std::int64_t updated_at = 0;
  friend bool operator==(const DeviceEntry&, const DeviceEntry&) = default;
};
struct DeviceList {
  std::vector<DeviceEntry> devices;
  // Devices matching the filters across all pages; present when the request asked for a page (limit).
  std::optional<std::int64_t> total;
  friend bool operator==(const DeviceList&, const DeviceList&) = default;
};

struct DeviceImage {
  std::string type;
  std::int64_t version = 0;
  std::string sha256;
  std::string campaign;
  std::int64_t t = 0;
  friend bool operator==(const DeviceImage&, const DeviceImage&) = default;
};
struct ReportSummary {
  std::int64_t t = 0;
  DeliveryOutcome outcome = DeliveryOutcome::interrupted;
  Evidence evidence = Evidence::unverified;
  DeviceState decision = DeviceState::retry;
  bool counted = true;
  std::string reason;
  friend bool operator==(const ReportSummary&, const ReportSummary&) = default;
};
struct AuthorizationHistory {
  std::string authorization_id;
  std::string campaign;
  PautAction action = PautAction::activate;
  std::int64_t t = 0;
  std::vector<ReportSummary> reports;  // oldest first
  friend bool operator==(const AuthorizationHistory&, const AuthorizationHistory&) = default;
};
// GET /v1/devices/{se_id}
struct DeviceRecord {
  std::string se_id;
  std::vector<DeviceImage> images;
  std::vector<DeviceEntry> campaigns;
  std::vector<AuthorizationHistory> history;
  friend bool operator==(const DeviceRecord&, const DeviceRecord&) = default;
};

// POST /v1/devices/{se_id}/release: a quarantined or unreachable SE gets PAUTs again.
struct ReleaseRequest {
  std::optional<std::string> campaign;  // absent: every campaign where the SE is quarantined or unreachable
  std::string note;                     // for the decision log
  friend bool operator==(const ReleaseRequest&, const ReleaseRequest&) = default;
};
struct Release {
  std::string campaign;
  DeviceState from = DeviceState::quarantined;
  DeviceState to = DeviceState::pending;
  friend bool operator==(const Release&, const Release&) = default;
};
struct ReleaseAnswer {
  std::string se_id;
  std::vector<Release> released;
  friend bool operator==(const ReleaseAnswer&, const ReleaseAnswer&) = default;
};

}  // namespace sefleet::offcard::api

// The words of the management server's /v1 API (docs/api.md) as enums, each with its one spelling on
// the wire. Server, terminal and simulator compare enums; only this file knows the strings.
//   api::name(DeviceState::quarantined) == "quarantined"
//   api::from_name<DeviceState>("quarantined") == DeviceState::quarantined (std::nullopt if unknown)
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "offcard/campaign/report_assessment.hpp"

namespace sefleet::offcard::api {

// An SE's state in one campaign (docs/api.md "Devices").
enum class DeviceState {
  pending,      // not authorized yet
  authorized,   // a PAUT is out; its report is awaited
  updated,      // final: an authenticated activation (or the SE already runs the image)
  staged,       // preloaded (deferred activation), waits for the activation
  retry,        // a failure: the next authorization gets a fresh PAUT (after a back-off when unverified)
  quarantined,  // final: authenticated failures reached max_attempts, or the SE refused the manifest
  unreachable,  // final: unverified failures reached max_unverified_attempts (an operator may release it)
};
inline constexpr std::size_t kDeviceStateCount = 7;

enum class CampaignState { active, paused, cancelled, completed };

enum class ActivationMode { immediate, deferred };

// What a PAUT's AUTHORIZE ACTION asks: activate (01) or verify and keep staged (02, preload).
enum class PautAction { activate, preload };

// Operator actions on a campaign (POST /v1/campaigns/{id}/{operation}).
enum class CampaignOperation { pause, resume, cancel, activate };

// How much of a report the server could verify: the SE's card cryptogram (and, when present, the
// status object's R-MAC) verified under this SE's keys and this PAUT, or not.
enum class Evidence { authenticated, unverified };

// Why an authorization is refused (409 "reason", docs/api.md "Authorization").
enum class Refusal {
  already_updated,
  quarantined,
  attempts_exhausted,
  unreachable,
  not_in_wave,  // Retry-After: ask again later (sooner once the current wave's SEs are final)
  paused,       // Retry-After
  backoff,      // Retry-After: an unverified failure's back-off runs until then
  cancelled,
  not_a_target,
};

template <typename E>
struct EnumNames;  // specialized below: `entries`, an array of (value, name) pairs

template <>
struct EnumNames<DeviceState> {
  static constexpr std::array<std::pair<DeviceState, std::string_view>, kDeviceStateCount> entries{{
      {DeviceState::pending, "pending"},
      {DeviceState::authorized, "authorized"},
      {DeviceState::updated, "updated"},
      {DeviceState::staged, "staged"},
      {DeviceState::retry, "retry"},
      {DeviceState::quarantined, "quarantined"},
      {DeviceState::unreachable, "unreachable"},
  }};
};

template <>
struct EnumNames<CampaignState> {
  static constexpr std::array<std::pair<CampaignState, std::string_view>, 4> entries{{
      {CampaignState::active, "active"},
      {CampaignState::paused, "paused"},
      {CampaignState::cancelled, "cancelled"},
      {CampaignState::completed, "completed"},
  }};
};

template <>
struct EnumNames<ActivationMode> {
  static constexpr std::array<std::pair<ActivationMode, std::string_view>, 2> entries{{
      {ActivationMode::immediate, "immediate"},
      {ActivationMode::deferred, "deferred"},
  }};
};

template <>
struct EnumNames<PautAction> {
  static constexpr std::array<std::pair<PautAction, std::string_view>, 2> entries{{
      {PautAction::activate, "activate"},
      {PautAction::preload, "preload"},
  }};
};

template <>
struct EnumNames<CampaignOperation> {
  static constexpr std::array<std::pair<CampaignOperation, std::string_view>, 4> entries{{
      {CampaignOperation::pause, "pause"},
      {CampaignOperation::resume, "resume"},
      {CampaignOperation::cancel, "cancel"},
      {CampaignOperation::activate, "activate"},
  }};
};

template <>
struct EnumNames<Evidence> {
  static constexpr std::array<std::pair<Evidence, std::string_view>, 2> entries{{
      {Evidence::authenticated, "authenticated"},
      {Evidence::unverified, "unverified"},
  }};
};

template <>
struct EnumNames<Refusal> {
  static constexpr std::array<std::pair<Refusal, std::string_view>, 9> entries{{
      {Refusal::already_updated, "already_updated"},
      {Refusal::quarantined, "quarantined"},
      {Refusal::attempts_exhausted, "attempts_exhausted"},
      {Refusal::unreachable, "unreachable"},
      {Refusal::not_in_wave, "not_in_wave"},
      {Refusal::paused, "paused"},
      {Refusal::backoff, "backoff"},
      {Refusal::cancelled, "cancelled"},
      {Refusal::not_a_target, "not_a_target"},
  }};
};

// The report outcomes keep the names of offcard::outcome_name (report_assessment.hpp).
template <>
struct EnumNames<DeliveryOutcome> {
  static constexpr std::array<std::pair<DeliveryOutcome, std::string_view>, 7> entries{{
      {DeliveryOutcome::activated, "activated"},
      {DeliveryOutcome::verified_kept_staged, "verified_kept_staged"},
      {DeliveryOutcome::integrity_mismatch, "integrity_mismatch"},
      {DeliveryOutcome::manifest_refused, "manifest_refused"},
      {DeliveryOutcome::se_refused, "se_refused"},
      {DeliveryOutcome::interrupted, "interrupted"},
      {DeliveryOutcome::not_authenticated, "not_authenticated"},
  }};
};

template <typename E>
constexpr std::string_view name(E value) noexcept {
  for (const auto& [entry, text] : EnumNames<E>::entries) {
    if (entry == value) return text;
  }
  return "unknown";
}

template <typename E>
constexpr std::optional<E> from_name(std::string_view text) noexcept {
  for (const auto& [entry, spelling] : EnumNames<E>::entries) {
    if (spelling == text) return entry;
  }
  return std::nullopt;
}

// The names a field accepts, for error messages: "pending, authorized, ...".
template <typename E>
std::string names_of() {
  std::string out;
  for (const auto& [entry, text] : EnumNames<E>::entries) {
    if (!out.empty()) out += ", ";
    out += text;
  }
  return out;
}

// Index of a device state in counters (DeviceCounts).
constexpr std::size_t index_of(DeviceState state) noexcept {
  return static_cast<std::size_t>(state);
}

// States an SE leaves only through an operator (release) or never: the rollout counts them as done.
constexpr bool is_final(DeviceState state) noexcept {
  return state == DeviceState::updated || state == DeviceState::quarantined || state == DeviceState::unreachable;
}

}  // namespace sefleet::offcard::api

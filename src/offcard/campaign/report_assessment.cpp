#include "offcard/campaign/report_assessment.hpp"

#include <string>

#include "core/error.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::offcard {
namespace {

namespace result = gp::broadcast::result;
namespace sw = iso7816::sw;

DeliveryOutcome outcome_of_result(std::uint8_t code) {
  switch (code) {
    case result::kActivated:
      return DeliveryOutcome::activated;
    case result::kVerifiedKeptStaged:
      return DeliveryOutcome::verified_kept_staged;
    case result::kIntegrityMismatch:
      return DeliveryOutcome::integrity_mismatch;
    default:
      return DeliveryOutcome::manifest_refused;
  }
}

Assessment assess_authenticated(const gp::broadcast::PautVerdict& verdict, const DeliveryReport& report);

}  // namespace

std::string_view outcome_name(DeliveryOutcome outcome) noexcept {
  switch (outcome) {
    case DeliveryOutcome::activated:
      return "activated";
    case DeliveryOutcome::verified_kept_staged:
      return "verified_kept_staged";
    case DeliveryOutcome::integrity_mismatch:
      return "integrity_mismatch";
    case DeliveryOutcome::manifest_refused:
      return "manifest_refused";
    case DeliveryOutcome::se_refused:
      return "se_refused";
    case DeliveryOutcome::interrupted:
      return "interrupted";
    case DeliveryOutcome::not_authenticated:
      return "not_authenticated";
  }
  return "unknown";
}

bool outcome_allows_retry(DeliveryOutcome outcome) noexcept {
  return outcome != DeliveryOutcome::activated && outcome != DeliveryOutcome::verified_kept_staged &&
         outcome != DeliveryOutcome::manifest_refused;
}

Assessment assess_delivery(Keystore& keystore, const KeyRef& master_key, const SeAuthorizationRequest& request,
                           const gp::broadcast::PautCheck& check, const DeliveryReport& report) {
  Assessment assessment;
  if (!report.initialize_update_response) {
    assessment.outcome = DeliveryOutcome::interrupted;
    assessment.reason = report.failure.empty() ? "no INITIALIZE UPDATE response" : report.failure;
    return assessment;
  }
  gp::broadcast::PautVerdict verdict;
  try {
    verdict = verify_se_answers(keystore, master_key, request, check, *report.initialize_update_response,
                                report.authorize_response);
  } catch (const Error& e) {
    if (e.code() != Errc::integrity_error && e.code() != Errc::protocol_error && e.code() != Errc::parse_error) throw;
    assessment.outcome = DeliveryOutcome::not_authenticated;
    assessment.reason = e.what();
    return assessment;
  }
  if (!verdict.card_authenticated) {
    // INITIALIZE UPDATE itself was refused: nothing in the report is authenticated.
    assessment.outcome = report.failed_index == 0 ? DeliveryOutcome::se_refused : DeliveryOutcome::not_authenticated;
    assessment.reason = "INITIALIZE UPDATE answered " + sw::status_word_name(report.initialize_update_response->sw);
    return assessment;
  }
  return assess_authenticated(verdict, report);
}

Assessment assess_online_delivery(const OnlineCheck& check, const DeliveryReport& report) {
  Assessment assessment;
  if (!report.authenticate_response) {
    assessment.outcome = DeliveryOutcome::interrupted;
    assessment.reason = report.failure.empty() ? "no authenticate response" : report.failure;
    return assessment;
  }
  gp::broadcast::PautVerdict verdict;
  try {
    verdict = verify_online_answers(check, *report.authenticate_response, report.authorize_response);
  } catch (const OnlineSessionError& e) {
    assessment.outcome = DeliveryOutcome::not_authenticated;
    assessment.reason = e.what();
    return assessment;
  }
  if (!verdict.card_authenticated) {
    // The server wrapped the commands only after a verified receipt: an error status word here is made up.
    assessment.outcome = DeliveryOutcome::not_authenticated;
    assessment.reason = "authenticate command answered " + sw::status_word_name(report.authenticate_response->sw);
    return assessment;
  }
  return assess_authenticated(verdict, report);
}

namespace {

Assessment assess_authenticated(const gp::broadcast::PautVerdict& verdict, const DeliveryReport& report) {
  Assessment assessment;
  assessment.authenticated = true;
  if (verdict.status) {
    assessment.status = verdict.status;
    assessment.outcome = outcome_of_result(verdict.status->result);
    assessment.reason = "status object verified (result " + std::to_string(verdict.status->result) + ")";
    return assessment;
  }
  if (report.authorize_response) {
    assessment.outcome = DeliveryOutcome::se_refused;
    assessment.reason = "AUTHORIZE ACTION answered " + sw::status_word_name(report.authorize_response->sw);
    return assessment;
  }
  assessment.outcome = report.failed_index ? DeliveryOutcome::se_refused : DeliveryOutcome::interrupted;
  if (report.failed_index && report.failed_sw == 0) assessment.outcome = DeliveryOutcome::interrupted;
  assessment.reason = report.failure.empty() ? "the delivery stopped before AUTHORIZE ACTION" : report.failure;
  return assessment;
}

}  // namespace

}  // namespace sefleet::offcard

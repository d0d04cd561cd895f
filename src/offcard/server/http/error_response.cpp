#include "offcard/server/http/error_response.hpp"

#include <string>

#include "core/error.hpp"
#include "core/log.hpp"
#include "offcard/api/json_codec.hpp"
#include "offcard/server/api_error.hpp"

namespace sefleet::offcard::server::http {

HttpResponse error_response_for(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const ApiError& refusal) {
    HttpResponse response = HttpResponse::json(refusal.status(), api::to_json(refusal.body()));
    if (refusal.retry_after()) response.set_header("Retry-After", std::to_string(*refusal.retry_after()));
    return response;
  } catch (const Error& failure) {
    switch (failure.code()) {
      case Errc::unavailable:
        return HttpResponse::error(503, "database_unavailable", failure.what(), kDatabaseRetryAfterSeconds);
      case Errc::state_error:
        return HttpResponse::error(409, "conflict", failure.what());
      default:
        spdlog::error("{}", "server: " + std::string(errc_name(failure.code())) + ": " + failure.what());
        return HttpResponse::error(500, "internal_error", failure.what());
    }
  } catch (const std::exception& failure) {
    spdlog::error("{}", std::string("server: ") + failure.what());
    return HttpResponse::error(500, "internal_error", failure.what());
  } catch (...) {
    spdlog::error("server: a handler threw something that is not an exception");
    return HttpResponse::error(500, "internal_error", "unknown failure");
  }
}

}  // namespace sefleet::offcard::server::http

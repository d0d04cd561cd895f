// Exceptions to docs/api.md's error answers, in one place for the routes and the connection code:
//   ApiError                 its status and body (api::ErrorBody: message, reason, detail, retry_after),
//                            and the Retry-After header when it has one
//   Error(Errc::unavailable) 503 database_unavailable, Retry-After: kDatabaseRetryAfterSeconds
//   Error(Errc::state_error) 409 conflict
//   anything else            500 internal_error (logged)
#pragma once

#include <exception>

#include "offcard/server/http/message.hpp"

namespace sefleet::offcard::server::http {

inline constexpr int kDatabaseRetryAfterSeconds = 2;

HttpResponse error_response_for(const std::exception_ptr& error);

}  // namespace sefleet::offcard::server::http

// An HTTP refusal with its status, machine-readable reason and message (docs/api.md "Errors"), and
// when they apply a short detail (why, for a terminal's final line) and a Retry-After. Thrown by the
// request parsing and the campaign service; the HTTP layer answers body() as JSON
// {"error", "reason", "detail", "retry_after"} (api::ErrorBody) with the Retry-After header.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "offcard/api/messages.hpp"

namespace sefleet::offcard::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string reason, const std::string& message, std::optional<int> retry_after = std::nullopt,
           std::optional<std::string> detail = std::nullopt)
      : std::runtime_error(message),
        status_(status),
        reason_(std::move(reason)),
        retry_after_(retry_after),
        detail_(std::move(detail)) {}
  int status() const noexcept { return status_; }
  const std::string& reason() const noexcept { return reason_; }
  std::optional<int> retry_after() const noexcept { return retry_after_; }
  const std::optional<std::string>& detail() const noexcept { return detail_; }
  api::ErrorBody body() const {
    return api::ErrorBody{what(), reason_, detail_,
                          retry_after_ ? std::optional<std::int64_t>(*retry_after_) : std::nullopt};
  }

 private:
  int status_;
  std::string reason_;
  std::optional<int> retry_after_;
  std::optional<std::string> detail_;
};

inline ApiError invalid_field(const std::string& field, const std::string& what) {
  return ApiError(400, "invalid_field", field + ": " + what);
}

}  // namespace sefleet::offcard::server

// An HTTP refusal with its status, machine-readable reason and message (docs/api.md "Errors"). Thrown by
// the request parsing and the campaign service; the HTTP layer turns it into {"error", "reason"}.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

namespace sefleet::offcard::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string reason, const std::string& message, std::optional<int> retry_after = std::nullopt)
      : std::runtime_error(message), status_(status), reason_(std::move(reason)), retry_after_(retry_after) {}
  int status() const noexcept { return status_; }
  const std::string& reason() const noexcept { return reason_; }
  std::optional<int> retry_after() const noexcept { return retry_after_; }

 private:
  int status_;
  std::string reason_;
  std::optional<int> retry_after_;
};

inline ApiError invalid_field(const std::string& field, const std::string& what) {
  return ApiError(400, "invalid_field", field + ": " + what);
}

}  // namespace sefleet::offcard::server

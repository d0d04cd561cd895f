#include "transport/vpcd_card_link.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/error.hpp"
#include "transport/card_session.hpp"
#include "transport/socket.hpp"

namespace sefleet::transport {

namespace {

// Waits `delay` unless a stop arrives first; true when stopped.
bool stopped_while_waiting(const StopSignal& stop, std::chrono::milliseconds delay) {
  return net::wait_for(-1, 0, &stop, net::deadline_after(delay)).status == net::IoStatus::stopped;
}

void power_off_guarded(CardEndpoint& endpoint, std::string_view link) {
  try {
    endpoint.power_off();
  } catch (const std::exception& e) {
    spdlog::error("{}: card failed on power off after the connection ended: {}", link, e.what());
  }
}

}  // namespace

VpcdCardLink::VpcdCardLink(CardEndpoint& endpoint, HostPort vpcd, VpcdCardLinkOptions options)
    : endpoint_(endpoint), vpcd_(std::move(vpcd)), options_(options) {}

VpcdCardLinkStats VpcdCardLink::stats() const noexcept {
  VpcdCardLinkStats out;
  out.connections = connections_.load();
  out.failed_attempts = failed_attempts_.load();
  out.commands = commands_.load();
  out.protocol_errors = protocol_errors_.load();
  return out;
}

void VpcdCardLink::run(const StopSignal& stop) {
  const std::string link = "vpcd " + vpcd_.to_string();
  unsigned consecutive_failures = 0;
  auto delay = options_.retry_delay;
  while (!stop.requested()) {
    net::IoResult connected;
    net::Fd fd = net::connect_tcp(vpcd_, options_.connect_timeout, &stop, connected);
    if (connected.status == net::IoStatus::stopped) {
      break;
    }
    if (!fd.valid()) {
      ++failed_attempts_;
      ++consecutive_failures;
      if (options_.max_connect_attempts && consecutive_failures >= *options_.max_connect_attempts) {
        throw Error(Errc::io_error, fmt::format("{}: giving up after {} failed connection attempts (last: {})", link,
                                                consecutive_failures, connected.detail));
      }
      // The first failure is worth a warning (pcscd not running?), the repeats only at debug level.
      if (consecutive_failures == 1) {
        spdlog::warn("{}: cannot connect ({}); retrying every {}..{} ms", link, connected.detail, delay.count(),
                     options_.max_retry_delay.count());
      } else {
        spdlog::debug("{}: connect attempt {} failed ({})", link, consecutive_failures, connected.detail);
      }
      if (stopped_while_waiting(stop, delay)) {
        break;
      }
      delay = std::min(delay * 2, options_.max_retry_delay);
      continue;
    }
    consecutive_failures = 0;
    delay = options_.retry_delay;
    ++connections_;
    spdlog::info("{}: connected", link);
    const SessionOutcome outcome = serve_card_connection(endpoint_, fd.get(), stop, link);
    fd.reset();
    commands_ += outcome.commands;
    power_off_guarded(endpoint_, link);
    switch (outcome.end) {
      case SessionEnd::stopped:
        spdlog::info("{}: stopping", link);
        return;
      case SessionEnd::peer_closed:
        spdlog::info("{}: connection closed by vpcd ({}); reconnecting", link, outcome.detail);
        break;
      case SessionEnd::protocol_error:
        ++protocol_errors_;
        spdlog::warn("{}: invalid message from vpcd ({}); dropping the connection and reconnecting", link,
                     outcome.detail);
        break;
      case SessionEnd::io_error:
        spdlog::warn("{}: connection failed ({}); reconnecting", link, outcome.detail);
        break;
    }
    // A short pause so that a vpcd that keeps dropping us is not hammered; pcscd notices the card again
    // at its next 400 ms poll anyway.
    if (stopped_while_waiting(stop, options_.retry_delay)) {
      break;
    }
  }
}

}  // namespace sefleet::transport

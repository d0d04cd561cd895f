#include "transport/card_session.hpp"

#include <spdlog/spdlog.h>

#include <exception>

#include "iso7816/status_words.hpp"
#include "transport/frame_io.hpp"
#include "transport/framing.hpp"

namespace sefleet::transport {

namespace {

Bytes status_only(std::uint16_t sw) {
  return {static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)};
}

// Calls one control operation; a throwing endpoint is logged, and the session goes on: vpcd expects no
// answer to 00/01/02, so there is nothing better to tell it.
template <typename Call>
void control_guarded(framing::Control control, std::string_view link, Call&& call) {
  try {
    call();
  } catch (const std::exception& e) {
    spdlog::error("{}: card failed on {}: {}", link, framing::control_name(control), e.what());
  } catch (...) {
    spdlog::error("{}: card failed on {}: unknown exception", link, framing::control_name(control));
  }
}

SessionEnd end_of(net::IoStatus status) {
  switch (status) {
    case net::IoStatus::closed:
      return SessionEnd::peer_closed;
    case net::IoStatus::stopped:
      return SessionEnd::stopped;
    case net::IoStatus::ok:
    case net::IoStatus::timed_out:
    case net::IoStatus::failed:
      break;
  }
  return SessionEnd::io_error;
}

}  // namespace

Bytes transmit_guarded(CardEndpoint& endpoint, ByteView command, std::string_view link, std::size_t max_response) {
  try {
    Bytes response = endpoint.transmit(command);
    if (response.size() < 2 || response.size() > max_response) {
      spdlog::error("{}: card returned a {}-byte response (must be 2..{} bytes); answering 6F00", link, response.size(),
                    max_response);
      return status_only(iso7816::sw::kUnknown);
    }
    return response;
  } catch (const std::exception& e) {
    spdlog::error("{}: card threw while processing a command ({}); answering 6F00", link, e.what());
  } catch (...) {
    spdlog::error("{}: card threw a non-standard exception while processing a command; answering 6F00", link);
  }
  return status_only(iso7816::sw::kUnknown);
}

void after_response_guarded(CardEndpoint& endpoint, std::string_view link) {
  try {
    endpoint.after_response();
  } catch (const std::exception& e) {
    spdlog::error("{}: card failed in after_response: {}", link, e.what());
  } catch (...) {
    spdlog::error("{}: card failed in after_response: unknown exception", link);
  }
}

SessionOutcome serve_card_connection(CardEndpoint& endpoint, int fd, const StopSignal& stop, std::string_view link) {
  SessionOutcome outcome;
  Bytes payload;
  payload.reserve(framing::kMaxPayload);
  for (;;) {
    // No deadline: a card waits for its host as long as the host likes (vpcd polls every 400 ms anyway).
    auto read = read_frame(fd, payload, &stop, std::nullopt, {.quick_ack_after_header = true});
    if (!read.ok()) {
      return {end_of(read.status), read.detail, outcome.commands};
    }
    const auto message = framing::classify(payload);
    Bytes reply;
    bool has_reply = false;
    switch (message.kind) {
      case framing::HostMessage::Kind::invalid:
        return {SessionEnd::protocol_error, message.problem, outcome.commands};
      case framing::HostMessage::Kind::control:
        switch (message.control) {
          case framing::Control::power_off:
            control_guarded(message.control, link, [&] { endpoint.power_off(); });
            break;
          case framing::Control::power_on:
            control_guarded(message.control, link, [&] { endpoint.power_on(); });
            break;
          case framing::Control::reset:
            control_guarded(message.control, link, [&] { endpoint.reset(); });
            break;
          case framing::Control::atr:
            try {
              reply = endpoint.atr();
            } catch (const std::exception& e) {
              return {SessionEnd::protocol_error, std::string("card failed to give its ATR: ") + e.what(),
                      outcome.commands};
            }
            // An empty reply would tell vpcd "card removed"; an ATR is 2..33 bytes.
            if (reply.empty() || reply.size() > framing::kMaxPayload) {
              return {SessionEnd::protocol_error,
                      "card gave a " + std::to_string(reply.size()) + "-byte ATR, which cannot be sent",
                      outcome.commands};
            }
            has_reply = true;
            break;
        }
        break;
      case framing::HostMessage::Kind::command:
        reply = transmit_guarded(endpoint, payload, link);
        has_reply = true;
        break;
    }
    if (!has_reply) {
      continue;
    }
    auto written = write_frame(fd, reply, &stop, std::nullopt);
    if (!written.ok()) {
      return {end_of(written.status), written.detail, outcome.commands};
    }
    if (message.kind == framing::HostMessage::Kind::command) {
      ++outcome.commands;
      after_response_guarded(endpoint, link);
    }
  }
}

}  // namespace sefleet::transport

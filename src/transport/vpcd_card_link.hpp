// The card side of vsmartcard's vpcd reader driver inside pcscd: the card is the TCP CLIENT of vpcd
// (pcscd listens on PORT for reader slot 0, PORT+1 for slot 1). `sefleet card run --vpcd HOST:PORT`.
//
// Behaviour (docs/transport.md):
//  - connects to vpcd, and reconnects with a short, growing backoff (capped) when the connection is
//    refused (pcscd not up yet) or dropped (vpcd closes the socket on any error, e.g. a 64 KiB APDU);
//    every attempt and drop is logged;
//  - TCP_NODELAY, and TCP_QUICKACK after every 2-byte header (Debian's vpcd 0.8 would otherwise stall
//    ~40 ms per message); every reply is one write of header + body;
//  - messages are handled by serve_card_connection() (card_session.hpp): 04 is answered at any time,
//    00/01/02 get no reply, a C-APDU gets its R-APDU then after_response() runs;
//  - an empty message or an undefined control byte is logged and the connection dropped (vpcd never
//    sends one, so the stream cannot be trusted any more), then the link reconnects;
//  - when a connection ends the card is powered off (for the card it is a removal from the reader);
//    vpcd powers it on again (01) before the next use.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "transport/card_endpoint.hpp"
#include "transport/host_port.hpp"
#include "transport/stop_signal.hpp"

namespace sefleet::transport {

struct VpcdCardLinkOptions {
  // Delay before the first reconnect; doubled after each consecutive failure up to max_retry_delay.
  std::chrono::milliseconds retry_delay{100};
  std::chrono::milliseconds max_retry_delay{1000};
  // Bound on one connect() (a filtered port would otherwise hang for the kernel's ~2 min).
  std::chrono::milliseconds connect_timeout{2000};
  // Consecutive failed connection attempts after which run() gives up with Error(Errc::io_error);
  // nullopt (the default, what `card run` uses) retries forever. A successful connection resets the count.
  std::optional<unsigned> max_connect_attempts;
};

struct VpcdCardLinkStats {
  std::uint64_t connections = 0;      // successful connects
  std::uint64_t failed_attempts = 0;  // refused / timed-out connects, in total
  std::uint64_t commands = 0;         // C-APDUs answered, counted when each connection ends
  std::uint64_t protocol_errors = 0;  // connections dropped because vpcd sent an invalid message
};

class VpcdCardLink {
 public:
  VpcdCardLink(CardEndpoint& endpoint, HostPort vpcd, VpcdCardLinkOptions options = {});

  // Serves vpcd until `stop` is requested (returns normally, promptly, also while waiting to
  // reconnect). Throws Error(Errc::io_error) when max_connect_attempts consecutive attempts failed.
  void run(const StopSignal& stop);

  // A snapshot; safe to call from another thread while run() is running.
  VpcdCardLinkStats stats() const noexcept;
  const HostPort& address() const noexcept { return vpcd_; }

 private:
  CardEndpoint& endpoint_;
  HostPort vpcd_;
  VpcdCardLinkOptions options_;
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> failed_attempts_{0};
  std::atomic<std::uint64_t> commands_{0};
  std::atomic<std::uint64_t> protocol_errors_{0};
};

}  // namespace sefleet::transport

// framing.hpp on a socket: reads one length-prefixed message, writes one as a single send.
#pragma once

#include "core/bytes.hpp"
#include "transport/framing.hpp"
#include "transport/socket.hpp"

namespace sefleet::transport {

struct FrameReadOptions {
  // Set TCP_QUICKACK right after the 2-byte header (card side facing vpcd 0.8, see socket.hpp).
  bool quick_ack_after_header = false;
};

// Reads one frame into `payload` (resized to the announced length). `closed` when the peer closed the
// connection, cleanly between frames or in the middle of one (detail says which).
net::IoResult read_frame(int fd, Bytes& payload, const StopSignal* stop, net::Deadline deadline,
                         FrameReadOptions options = {});

// Frames `payload` (header + body in one buffer) and sends it. Throws Error(Errc::invalid_argument)
// when the payload exceeds 0xFFFF bytes; network conditions are returned, not thrown.
net::IoResult write_frame(int fd, ByteView payload, const StopSignal* stop, net::Deadline deadline);

}  // namespace sefleet::transport

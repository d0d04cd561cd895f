#include "transport/frame_io.hpp"

#include <array>

namespace sefleet::transport {

net::IoResult read_frame(int fd, Bytes& payload, const StopSignal* stop, net::Deadline deadline,
                         FrameReadOptions options) {
  std::array<std::uint8_t, framing::kHeaderSize> header{};
  auto result = net::read_exact(fd, header, stop, deadline);
  if (!result.ok()) {
    return result;
  }
  if (options.quick_ack_after_header) {
    net::set_quick_ack(fd);
  }
  payload.resize(framing::payload_length(header));
  result = net::read_exact(fd, payload, stop, deadline);
  if (result.status == net::IoStatus::closed) {
    result.detail = "connection closed in the middle of a " + std::to_string(payload.size()) + "-byte message (" +
                    result.detail + ")";
  }
  return result;
}

net::IoResult write_frame(int fd, ByteView payload, const StopSignal* stop, net::Deadline deadline) {
  const Bytes frame = framing::encode(payload);
  return net::write_all(fd, frame, stop, deadline);
}

}  // namespace sefleet::transport

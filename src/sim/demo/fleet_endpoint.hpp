// A member of an in-process VirtualFleet as a terminal sees it (offcard::terminal::SeEndpoint), with an
// optional power cut: on the first delivery the SE loses power after a given number of commands (the
// medium keeps what was written, the card object and its RAM are gone), exactly as fleet.reopen()
// models it. The channel then reports an I/O failure, as a reader does when the card goes silent.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "offcard/terminal/se_endpoint.hpp"
#include "sim/fleet/virtual_fleet.hpp"

namespace sefleet::sim::demo {

class FleetEndpoint final : public offcard::terminal::SeEndpoint {
 public:
  // `cut_after`: power is cut when the SE received this many commands since the first connect
  // (counted across identity reading and delivery); nullopt: never. Cut once only.
  FleetEndpoint(VirtualFleet& fleet, std::size_t index, std::string name, std::optional<std::size_t> cut_after = {});
  ~FleetEndpoint() override;
  std::string name() const override { return name_; }
  transport::CardChannel& connect() override;
  bool power_was_cut() const noexcept { return cut_done_; }

 private:
  class Channel;
  VirtualFleet& fleet_;
  std::size_t index_;
  std::string name_;
  std::optional<std::size_t> cut_after_;
  std::size_t sent_ = 0;
  bool cut_done_ = false;
  std::unique_ptr<Channel> channel_;
};

}  // namespace sefleet::sim::demo

#include "sim/demo/fleet_endpoint.hpp"

#include "core/error.hpp"

namespace sefleet::sim::demo {

class FleetEndpoint::Channel final : public transport::CardChannel {
 public:
  explicit Channel(FleetEndpoint& owner) : owner_(owner) {}
  Bytes transmit(ByteView command) override {
    if (owner_.cut_after_ && !owner_.cut_done_ && owner_.sent_ >= *owner_.cut_after_) {
      owner_.cut_done_ = true;
      owner_.fleet_.reopen(owner_.index_);  // power off and on: RAM (sessions, broadcast context) lost
      throw Error(Errc::io_error, owner_.name_ + ": card lost power (planned power cut)");
    }
    ++owner_.sent_;
    // Looked up each time: reopen() replaces the fleet's channel object.
    return owner_.fleet_.channel(owner_.index_).transmit(command);
  }
  Bytes atr() override { return owner_.fleet_.channel(owner_.index_).atr(); }
  void reset() override { owner_.fleet_.channel(owner_.index_).reset(); }
  std::string description() const override { return owner_.name_; }

 private:
  FleetEndpoint& owner_;
};

FleetEndpoint::FleetEndpoint(VirtualFleet& fleet, std::size_t index, std::string name,
                             std::optional<std::size_t> cut_after)
    : fleet_(fleet), index_(index), name_(std::move(name)), cut_after_(cut_after) {}

FleetEndpoint::~FleetEndpoint() = default;

transport::CardChannel& FleetEndpoint::connect() {
  if (!channel_) channel_ = std::make_unique<Channel>(*this);
  return *channel_;
}

}  // namespace sefleet::sim::demo

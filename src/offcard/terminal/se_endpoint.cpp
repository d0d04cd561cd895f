#include "offcard/terminal/se_endpoint.hpp"

#include <chrono>

#include "transport/pcsc_channel.hpp"
#include "transport/pcsc_context.hpp"
#include "transport/tcp_channel.hpp"

namespace sefleet::offcard::terminal {

PcscEndpoint::PcscEndpoint(std::string reader_spec) : reader_spec_(std::move(reader_spec)) {}
PcscEndpoint::~PcscEndpoint() = default;

transport::CardChannel& PcscEndpoint::connect() {
  channel_.reset();  // disconnect first: one connection per reader
  // A card being inserted shortly after the terminal started is normal on a production line.
  channel_ = transport::PcscChannel::open(reader_spec_, std::chrono::milliseconds(2000));
  return *channel_;
}

TcpEndpoint::TcpEndpoint(transport::HostPort address) : address_(std::move(address)) {}
TcpEndpoint::~TcpEndpoint() = default;

transport::CardChannel& TcpEndpoint::connect() {
  channel_.reset();
  channel_ = std::make_unique<transport::TcpChannel>(address_);
  return *channel_;
}

std::vector<std::string> discover_pcsc_readers() {
  return transport::PcscContext().readers();
}

}  // namespace sefleet::offcard::terminal

// How a terminal reaches one SE. Each delivery attempt connects afresh (a new card session: a reader
// may have lost power, a TCP link may have broken), so an endpoint is a recipe for a channel, not a
// channel.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "transport/card_channel.hpp"
#include "transport/host_port.hpp"

namespace sefleet::transport {
class PcscContext;
}

namespace sefleet::offcard::terminal {

class SeEndpoint {
 public:
  virtual ~SeEndpoint() = default;
  // For tables and logs: "pcsc:Reader 0", "tcp:127.0.0.1:9000", "fleet:17".
  virtual std::string name() const = 0;
  // A channel for one attempt; valid until the next connect() or the endpoint's destruction.
  // Throws Error(io_error) when the SE cannot be reached.
  virtual transport::CardChannel& connect() = 0;
};

// An SE in a PC/SC reader (the reader spec is resolved against pcscd's list at each connect).
class PcscEndpoint final : public SeEndpoint {
 public:
  explicit PcscEndpoint(std::string reader_spec);
  ~PcscEndpoint() override;
  std::string name() const override { return "pcsc:" + reader_spec_; }
  transport::CardChannel& connect() override;

 private:
  std::string reader_spec_;
  std::unique_ptr<transport::CardChannel> channel_;
};

// An SE served by `sefleet card run --listen HOST:PORT` (or any framing peer, docs/transport.md).
class TcpEndpoint final : public SeEndpoint {
 public:
  explicit TcpEndpoint(transport::HostPort address);
  ~TcpEndpoint() override;
  std::string name() const override { return "tcp:" + address_.to_string(); }
  transport::CardChannel& connect() override;

 private:
  transport::HostPort address_;
  std::unique_ptr<transport::CardChannel> channel_;
};

// Every reader pcscd lists (discovery for `sefleet terminal` without --reader). Error(io_error) when
// pcscd cannot be reached.
std::vector<std::string> discover_pcsc_readers();

}  // namespace sefleet::offcard::terminal

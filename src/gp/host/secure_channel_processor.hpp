// SCP03 secure messaging as one more APDU processor stacked on an exchange (yubikit's layering): the
// processor takes plain commands, wraps them with the session's Scp03Host, sends the wire form through
// the ISO 7816 layer below (which answers 61xx with unprotected GET RESPONSE and concatenates, so the
// R-MAC is checked over the whole response), and returns the unwrapped plain response.
//
//   link (one APDU out, one in)  <-  iso7816::transmit (61xx / chaining)  <-  SecureChannelProcessor
//
// 6Cxx under secure messaging: the card has consumed the command's counter and MAC chaining value, so
// re-sending the same wire bytes would fail its MAC check. The processor instead wraps the plain
// command again with Le = xx (a fresh counter and MAC), once.
#pragma once

#include <memory>

#include "gp/scp03_host.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/chaining.hpp"

namespace sefleet::gp::host {

class SecureChannelProcessor {
 public:
  // `link` sends one APDU and returns the card's answer as it came (no GET RESPONSE handling).
  SecureChannelProcessor(iso7816::ApduExchange link, std::unique_ptr<Scp03Host> host,
                         iso7816::TransmitOptions options = {});

  // INITIALIZE UPDATE, then EXTERNAL AUTHENTICATE. Throws Error(Errc::protocol_error) naming the
  // status word when the card refuses either (e.g. "6A88 referenced data not found" for an unknown
  // KVN, "6300" for a wrong host cryptogram), and the Scp03Host errors for a bad card cryptogram.
  void open();
  bool is_open() const noexcept { return host_->state() == Scp03Host::State::open; }

  // Protects `plain`, sends it, and returns the checked plain response. Error status words come back
  // as responses (they carry no R-MAC); a failed R-MAC or decryption throws and closes the session.
  iso7816::ResponseApdu transmit(const iso7816::CommandApdu& plain);

  // This processor as an exchange function, so it can sit under further layers.
  iso7816::ApduExchange as_exchange();

  Scp03Host& host() noexcept { return *host_; }
  const Scp03Host& host() const noexcept { return *host_; }

 private:
  iso7816::ResponseApdu send_wire(const iso7816::CommandApdu& wire);

  iso7816::ApduExchange link_;
  std::unique_ptr<Scp03Host> host_;
  iso7816::TransmitOptions options_;
};

}  // namespace sefleet::gp::host

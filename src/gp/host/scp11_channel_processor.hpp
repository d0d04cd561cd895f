// SCP11 secure messaging as an APDU processor stacked on an exchange, like SecureChannelProcessor for
// SCP03: open() authenticates the card (its key given, or its certificate chain read with GET DATA
// BF21 and verified up to a CA key), uploads the OCE chain (SCP11a/c), sends MUTUAL or INTERNAL
// AUTHENTICATE and checks the receipt; transmit() then wraps plain commands and unwraps the answers.
#pragma once

#include <memory>
#include <optional>

#include "core/bytes.hpp"
#include "crypto/random.hpp"
#include "gp/scp11/scp11_host.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/chaining.hpp"

namespace sefleet::gp::host {

struct Scp11ChannelOptions {
  scp11::Scp11HostOptions host;
  // How the host learns PK.SD.ECKA: given here, or the card's certificate chain verified up to
  // `card_ca_key` (one of the two is required).
  std::optional<Bytes> card_key;
  std::optional<Bytes> card_ca_key;
  std::optional<scp11::OceCredentials> oce;  // SCP11a/c
};

// GET DATA BF21 with A6 {83 {KID KVN}}: the certificate store of the SD key `kid`/`kvn`.
iso7816::CommandApdu make_get_certificate_store(std::uint8_t kid, std::uint8_t kvn, std::uint8_t channel = 0);
// The certificates in a GET DATA BF21 answer (BF21 { certificates }); throws Error(Errc::protocol_error).
Bytes certificate_store_content(ByteView response_data);

class Scp11ChannelProcessor {
 public:
  // Throws Error(Errc::invalid_argument) for options that cannot work (no way to authenticate the
  // card, SCP11a/c without OCE credentials).
  Scp11ChannelProcessor(iso7816::ApduExchange link, Scp11ChannelOptions options, iso7816::TransmitOptions transmit = {},
                        crypto::Random& random = crypto::system_random());

  // Throws Error(Errc::protocol_error) naming the status word when the card refuses a step,
  // Error(Errc::integrity_error) when its certificate chain does not verify, and the Scp11Host
  // errors (a wrong receipt).
  void open();
  bool is_open() const noexcept { return host_ && host_->state() == scp11::Scp11Host::State::open; }

  // Protects `plain`, sends it, returns the checked plain response (as SecureChannelProcessor).
  iso7816::ResponseApdu transmit(const iso7816::CommandApdu& plain);
  iso7816::ApduExchange as_exchange();

  // PK.SD.ECKA the session authenticated (after open()).
  const Bytes& card_key() const noexcept { return card_key_; }
  scp11::Scp11Host& host();

 private:
  iso7816::ResponseApdu send_wire(const iso7816::CommandApdu& wire);
  Bytes authenticated_card_key();

  iso7816::ApduExchange link_;
  Scp11ChannelOptions options_;
  iso7816::TransmitOptions transmit_;
  crypto::Random& random_;
  Bytes card_key_;
  std::unique_ptr<scp11::Scp11Host> host_;
};

}  // namespace sefleet::gp::host

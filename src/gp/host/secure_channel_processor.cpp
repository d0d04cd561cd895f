#include "gp/host/secure_channel_processor.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/secured_command_transmit.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::host {

SecureChannelProcessor::SecureChannelProcessor(iso7816::ApduExchange link, std::unique_ptr<Scp03Host> host,
                                               iso7816::TransmitOptions options)
    : link_(std::move(link)), host_(std::move(host)), options_(options) {
  if (!link_) throw Error(Errc::invalid_argument, "secure channel: no exchange function");
  if (!host_) throw Error(Errc::invalid_argument, "secure channel: no SCP03 host");
  // Re-sends after 6Cxx are done by re-wrapping (see the header), never by the layer below.
  options_.follow_wrong_le = false;
}

iso7816::ResponseApdu SecureChannelProcessor::send_wire(const iso7816::CommandApdu& wire) {
  return transmit_secured(link_, wire, options_);
}

void SecureChannelProcessor::open() {
  const std::string kvn = to_hex(Bytes{host_->options().kvn});
  const auto iu = send_wire(host_->initialize_update());
  if (!iu.ok()) {
    throw Error(Errc::protocol_error,
                "INITIALIZE UPDATE (key version " + kvn + ") refused: " + iso7816::sw::status_word_name(iu.sw));
  }
  iso7816::CommandApdu ea_command;
  try {
    ea_command = host_->external_authenticate(iu);
  } catch (const Error& e) {
    // With wrong keys the first check to fail is the card's challenge or cryptogram: say so.
    throw Error(e.code(), std::string("SCP03 authentication failed, the card does not hold these keys (or the card "
                                      "is not genuine): ") +
                              e.what());
  }
  const auto ea = send_wire(ea_command);
  if (!ea.ok()) {
    // Complete() records the failure and throws; name the status word for the user.
    try {
      host_->complete(ea);
    } catch (const Error&) {
    }
    throw Error(
        Errc::protocol_error,
        "EXTERNAL AUTHENTICATE refused: " + iso7816::sw::status_word_name(ea.sw) +
            (ea.sw == iso7816::sw::kVerificationFailed ? " (the card did not accept our host cryptogram)" : ""));
  }
  host_->complete(ea);
}

iso7816::ResponseApdu SecureChannelProcessor::transmit(const iso7816::CommandApdu& plain) {
  auto response = host_->unwrap(send_wire(host_->wrap(plain)));
  if (iso7816::sw::is_wrong_le(response.sw)) {
    iso7816::CommandApdu again = plain;
    again.ne = response.sw2() == 0 ? 256 : response.sw2();
    response = host_->unwrap(send_wire(host_->wrap(again)));
    if (iso7816::sw::is_wrong_le(response.sw)) {
      throw Error(Errc::protocol_error, "card answered 6Cxx again after the command was re-sent with the Le it named");
    }
  }
  return response;
}

iso7816::ApduExchange SecureChannelProcessor::as_exchange() {
  return [this](const iso7816::CommandApdu& plain) { return transmit(plain); };
}

}  // namespace sefleet::gp::host

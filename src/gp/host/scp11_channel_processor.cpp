#include "gp/host/scp11_channel_processor.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/secured_command_transmit.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::host {
namespace {

constexpr std::uint8_t kInsGetData = 0xCA;
constexpr std::uint8_t kTagKeyReference = 0x83;

std::string refused(const std::string& what, std::uint16_t sw) {
  return what + " refused: " + iso7816::sw::status_word_name(sw);
}

}  // namespace

iso7816::CommandApdu make_get_certificate_store(std::uint8_t kid, std::uint8_t kvn, std::uint8_t channel) {
  Bytes data{static_cast<std::uint8_t>(scp11::kTagControlReference), 0x04, kTagKeyReference, 0x02, kid, kvn};
  return iso7816::CommandApdu(iso7816::cla_for_channel(0x80, channel, false), kInsGetData, 0xBF, 0x21, std::move(data),
                              256);
}

Bytes certificate_store_content(ByteView response_data) {
  try {
    const auto objects = iso7816::parse_tlv_flat(response_data);
    if (objects.size() == 1 && objects[0].tag == scp11::kTagCertificateStore) {
      return Bytes(objects[0].value.begin(), objects[0].value.end());
    }
  } catch (const Error&) {
  }
  throw Error(Errc::protocol_error, "GET DATA BF21: the answer is not one BF21 object");
}

Scp11ChannelProcessor::Scp11ChannelProcessor(iso7816::ApduExchange link, Scp11ChannelOptions options,
                                             iso7816::TransmitOptions transmit, crypto::Random& random)
    : link_(std::move(link)), options_(std::move(options)), transmit_(transmit), random_(random) {
  if (!link_) throw Error(Errc::invalid_argument, "SCP11 channel: no exchange function");
  if (!options_.card_key && !options_.card_ca_key) {
    throw Error(Errc::invalid_argument,
                "SCP11 channel: the card's key or a CA key to verify its certificate is needed");
  }
  if (scp11::authenticates_oce(options_.host.variant) && !options_.oce) {
    throw Error(Errc::invalid_argument,
                scp11::variant_name(options_.host.variant) + " needs the OCE key and certificate chain");
  }
  transmit_.follow_wrong_le = false;  // re-sends after 6Cxx are re-wrapped, as for SCP03
}

iso7816::ResponseApdu Scp11ChannelProcessor::send_wire(const iso7816::CommandApdu& wire) {
  return transmit_secured(link_, wire, transmit_);
}

Bytes Scp11ChannelProcessor::authenticated_card_key() {
  if (options_.card_key) return *options_.card_key;
  const auto& host = options_.host;
  const auto response = send_wire(make_get_certificate_store(scp11::key_id(host.variant), host.kvn, host.channel));
  if (!response.ok()) throw Error(Errc::protocol_error, refused("GET DATA BF21 (card certificates)", response.sw));
  const auto chain = scp11::parse_certificate_chain(certificate_store_content(response.data));
  return scp11::verify_certificate_chain(chain, crypto::P256PublicKey::from_uncompressed(*options_.card_ca_key));
}

void Scp11ChannelProcessor::open() {
  host_.reset();
  card_key_ = authenticated_card_key();
  auto host = std::make_unique<scp11::Scp11Host>(options_.host, card_key_, options_.oce, random_);
  for (const auto& upload : host->certificate_uploads()) {
    // One certificate per command, in one (extended when needed) APDU: the class is proprietary, so
    // ISO chaining is not available, and the card expects each command to carry a whole certificate.
    const auto response = iso7816::complete_response(link_, upload, link_(upload), transmit_);
    if (!response.ok()) {
      throw Error(Errc::protocol_error, refused("PERFORM SECURITY OPERATION (OCE certificate)", response.sw));
    }
  }
  const auto command = host->authenticate();
  const auto response = send_wire(command);
  if (!response.ok()) {
    const char* name = command.ins == scp11::kInsMutualAuthenticate ? "MUTUAL AUTHENTICATE" : "INTERNAL AUTHENTICATE";
    throw Error(Errc::protocol_error, refused(name, response.sw));
  }
  host->complete(response);
  host_ = std::move(host);
}

scp11::Scp11Host& Scp11ChannelProcessor::host() {
  if (!host_) throw Error(Errc::state_error, "SCP11 channel: not open");
  return *host_;
}

iso7816::ResponseApdu Scp11ChannelProcessor::transmit(const iso7816::CommandApdu& plain) {
  scp11::Scp11Host& session = host();
  auto response = session.unwrap(send_wire(session.wrap(plain)));
  if (iso7816::sw::is_wrong_le(response.sw)) {
    iso7816::CommandApdu again = plain;
    again.ne = response.sw2() == 0 ? 256 : response.sw2();
    response = session.unwrap(send_wire(session.wrap(again)));
    if (iso7816::sw::is_wrong_le(response.sw)) {
      throw Error(Errc::protocol_error, "card answered 6Cxx again after the command was re-sent with the Le it named");
    }
  }
  return response;
}

iso7816::ApduExchange Scp11ChannelProcessor::as_exchange() {
  return [this](const iso7816::CommandApdu& plain) { return transmit(plain); };
}

}  // namespace sefleet::gp::host

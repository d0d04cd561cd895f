#include "gp/host/card_info.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::host {
namespace {

// GET DATA `tag`; some cards answer it in the interindustry class only, which outside a secure
// channel shows as 6E00 or 6D00 to the GlobalPlatform class.
iso7816::ResponseApdu get_data_any_class(GpSession& session, std::uint16_t tag) {
  auto response = session.get_data(tag);
  if ((response.sw == iso7816::sw::kClaNotSupported || response.sw == iso7816::sw::kInsNotSupported) &&
      !session.secure()) {
    auto command = make_get_data(tag);
    command.cla = 0x00;
    response = session.transmit(command);
  }
  return response;
}

template <typename T, typename Parse>
DataObject<T> read_object(GpSession& session, std::uint16_t tag, Parse parse) {
  DataObject<T> out;
  const auto response = get_data_any_class(session, tag);
  if (!response.ok()) {
    out.unavailable = iso7816::sw::status_word_name(response.sw);
    return out;
  }
  try {
    out.value = parse(response.data);
  } catch (const Error& e) {
    out.unavailable = "unreadable answer " + to_hex(response.data) + ": " + e.what();
  }
  return out;
}

}  // namespace

DataObject<std::vector<KeyInfo>> read_key_information(GpSession& session) {
  return read_object<std::vector<KeyInfo>>(session, kTagKeyInformation, parse_key_information);
}

CardInfo read_card_info(GpSession& session) {
  CardInfo info;
  info.cin = read_object<Bytes>(session, kTagCin, parse_cin);
  info.iin = read_object<Bytes>(session, kTagIin, parse_iin);
  info.cplc = read_object<Cplc>(session, kTagCplc, parse_cplc);
  info.card_recognition = read_object<CardRecognitionData>(session, kTagCardData, parse_card_recognition_data);
  info.key_information = read_key_information(session);
  info.sequence_counter = read_object<std::uint32_t>(session, kTagSequenceCounter, parse_sequence_counter);
  return info;
}

std::optional<std::uint8_t> CardRegistry::card_life_cycle() const {
  if (issuer_security_domain.empty()) return std::nullopt;
  return issuer_security_domain.front().life_cycle;
}

CardRegistry read_registry(GpSession& session) {
  CardRegistry registry;
  registry.issuer_security_domain = session.get_status(StatusScope::issuer_security_domain);
  registry.applications = session.get_status(StatusScope::applications);
  try {
    registry.load_files = session.get_status(StatusScope::load_files_and_modules);
  } catch (const CardRefusal& e) {
    // P1=10 is optional before GPCS 2.2; such cards answer 6A86 and list load files with P1=20.
    if (e.sw() != iso7816::sw::kIncorrectP1P2) throw;
    registry.load_files_have_modules = false;
    registry.load_files = session.get_status(StatusScope::load_files);
  }
  return registry;
}

}  // namespace sefleet::gp::host

#include "offcard/campaign/terminal_role.hpp"

#include <algorithm>
#include <exception>
#include <functional>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/card_data.hpp"
#include "gp/host/scp11_channel_processor.hpp"
#include "iso7816/chaining.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::offcard {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
namespace sw = iso7816::sw;

ResponseApdu exchange(transport::CardChannel& channel, const CommandApdu& command) {
  const iso7816::ApduExchange link = [&](const CommandApdu& c) {
    return ResponseApdu::parse(channel.transmit(c.encode()));
  };
  return iso7816::transmit(link, command);
}

// Sends wire bytes as they are (a PSE or PAUT command must not be re-encoded), completing 61xx and
// 6Cxx. The command is parsed (its data field copied) only when the answer asks for one of those: a
// campaign's commands were checked when its package was loaded, and nearly every answer is final.
ResponseApdu exchange_raw(transport::CardChannel& channel, ByteView wire) {
  ResponseApdu first = ResponseApdu::parse(channel.transmit(wire));
  if (!sw::is_bytes_remaining(first.sw) && !sw::is_wrong_le(first.sw)) return first;
  const iso7816::ApduExchange link = [&](const CommandApdu& c) {
    return ResponseApdu::parse(channel.transmit(c.encode()));
  };
  return iso7816::complete_response(link, CommandApdu::parse(wire), std::move(first));
}

CommandApdu select_by_aid(ByteView aid) {
  CommandApdu select;
  select.cla = 0x00;
  select.ins = 0xA4;
  select.p1 = 0x04;
  select.p2 = 0x00;
  select.data.assign(aid.begin(), aid.end());
  select.ne = 256;
  return select;
}

Bytes get_data(transport::CardChannel& channel, std::uint16_t tag, const char* what) {
  CommandApdu command;
  command.cla = 0x80;
  command.ins = 0xCA;
  command.p1 = static_cast<std::uint8_t>(tag >> 8);
  command.p2 = static_cast<std::uint8_t>(tag);
  command.ne = 256;
  const ResponseApdu response = exchange(channel, command);
  if (response.sw != sw::kOk) {
    throw Error(Errc::protocol_error,
                std::string("SE refused GET DATA ") + what + ": " + sw::status_word_name(response.sw));
  }
  return response.data;
}

bool is_expected(std::size_t index, std::size_t total, std::uint16_t status) {
  if (index + 1 == total) return status == sw::kOk || status == sw::kVerificationFailed;  // AUTHORIZE ACTION
  return status == sw::kOk;
}

// The SCP03 key identifiers (GPCS Amendment D): the default key set is among them; an SE with SCP11
// keys lists those (KIDs 11..15) in the same E0 template.
bool is_scp03_key(const gp::host::KeyInfo& key) {
  return key.id >= 0x01 && key.id <= 0x03;
}

// Sends `commands` as the commands first_index.. of the report's sequence of report.total_commands;
// the last of that sequence is AUTHORIZE ACTION. Records the answers; false at the first unexpected
// status word (recorded as the failure). `on_answer` sees each answer with its index.
bool send_sequence(transport::CardChannel& channel, const std::vector<ByteView>& commands, std::size_t first_index,
                   DeliveryReport& report, const DeliveryProgress& progress,
                   const std::function<void(std::size_t, const ResponseApdu&)>& on_answer) {
  for (std::size_t k = 0; k < commands.size(); ++k) {
    const std::size_t index = first_index + k;
    const ResponseApdu response = exchange_raw(channel, commands[k]);
    report.commands_sent = index + 1;
    on_answer(index, response);
    if (index + 1 == report.total_commands) report.authorize_response = response;
    if (progress) progress(report.commands_sent, report.total_commands);
    if (!is_expected(index, report.total_commands, response.sw)) {
      report.failed_index = index;
      report.failed_sw = response.sw;
      report.failure = "command " + std::to_string(index) + " answered " + sw::status_word_name(response.sw);
      return false;
    }
  }
  return true;
}

// SELECT of the ISD as the first step of a delivery: false (with the failure recorded) when refused.
bool select_for_delivery(transport::CardChannel& channel, ByteView isd_aid, DeliveryReport& report) {
  const ResponseApdu selected = exchange(channel, select_by_aid(isd_aid));
  if (selected.sw == sw::kOk) return true;
  report.failed_sw = selected.sw;
  report.failure = "SELECT of the ISD refused: " + sw::status_word_name(selected.sw);
  return false;
}

}  // namespace

SeAuthorizationRequest read_se_identity(transport::CardChannel& channel, ByteView isd_aid) {
  const ResponseApdu selected = exchange(channel, select_by_aid(isd_aid));
  if (selected.sw != sw::kOk) {
    throw Error(Errc::protocol_error,
                "SE refused SELECT of the ISD " + to_hex(isd_aid) + ": " + sw::status_word_name(selected.sw));
  }
  SeAuthorizationRequest request;
  request.se_id = gp::host::parse_cin(get_data(channel, 0x0045, "45 (CIN)"));
  const Bytes kdd = get_data(channel, 0x00CF, "CF (key diversification data)");
  if (kdd.size() != 2 + gp::kKddSize || kdd[0] != 0xCF || kdd[1] != gp::kKddSize) {
    throw Error(Errc::protocol_error, "GET DATA CF: expected CF 0A <10 bytes>, got " + to_hex(kdd));
  }
  request.kdd.assign(kdd.begin() + 2, kdd.end());
  const auto recognition = gp::host::parse_card_recognition_data(get_data(channel, 0x0066, "66 (card recognition)"));
  const auto scp03 = recognition.scp03();
  if (!scp03) throw Error(Errc::protocol_error, "the SE does not announce SCP03 in its card recognition data");
  request.i = scp03->i;
  const auto keys = gp::host::parse_key_information(get_data(channel, 0x00E0, "E0 (key information)"));
  if (keys.empty()) throw Error(Errc::protocol_error, "the SE reports no key set");
  // The default set: the lowest version among the SCP03 keys (all keys when none is tagged as one).
  const bool has_scp03 = std::any_of(keys.begin(), keys.end(), is_scp03_key);
  request.kvn = 0xFF;
  for (const auto& key : keys) {
    if (!has_scp03 || is_scp03_key(key)) request.kvn = std::min(request.kvn, key.version);
  }
  request.sequence_counter = gp::host::parse_sequence_counter(get_data(channel, 0x00C1, "C1 (sequence counter)"));
  return request;
}

std::vector<ByteView> merge_data_sets(const EncodedPaut& paut, const std::vector<Bytes>& pse) {
  std::vector<ByteView> merged;
  merged.reserve(pse.size() + 4);
  merged.emplace_back(paut[kPautInitializeUpdate]);
  merged.emplace_back(paut[kPautExternalAuthenticate]);
  merged.emplace_back(paut[kPautChangeMode]);
  for (const Bytes& command : pse) merged.emplace_back(command);
  merged.emplace_back(paut[kPautAuthorizeAction]);
  return merged;
}

DeliveryReport deliver(transport::CardChannel& channel, ByteView isd_aid, const EncodedPaut& paut,
                       const std::vector<Bytes>& pse, const DeliveryProgress& progress) {
  const std::vector<ByteView> merged = merge_data_sets(paut, pse);
  DeliveryReport report;
  report.total_commands = merged.size();
  try {
    if (!select_for_delivery(channel, isd_aid, report)) return report;
    send_sequence(channel, merged, 0, report, progress, [&](std::size_t index, const ResponseApdu& response) {
      if (index == 0) report.initialize_update_response = response;
    });
  } catch (const std::exception& e) {
    report.failed_index = report.commands_sent;
    report.failure = std::string("channel failure: ") + e.what();
  }
  return report;
}

std::vector<OnlineOffer> read_scp11_offers(transport::CardChannel& channel) {
  std::vector<OnlineOffer> offers;
  const auto keys = gp::host::parse_key_information(get_data(channel, 0x00E0, "E0 (key information)"));
  // SCP11a/c authenticate the OCE by a chain the SE verifies under a CA key (KID 10, or 20..2F): an SE
  // that lists none cannot run them, whatever SD keys it lists.
  const bool has_oce_ca = std::any_of(keys.begin(), keys.end(), [](const auto& k) {
    return k.id == gp::scp11::kKidOceCa ||
           (k.id >= gp::scp11::kKidFirstAdditionalCa && k.id <= gp::scp11::kKidLastAdditionalCa);
  });
  for (const auto& key : keys) {
    const auto variant = gp::scp11::variant_of_key_id(key.id);
    if (!variant || (gp::scp11::authenticates_oce(*variant) && !has_oce_ca)) continue;
    const ResponseApdu store = exchange(channel, gp::host::make_get_certificate_store(key.id, key.version));
    if (store.sw == sw::kReferencedDataNotFound) continue;
    if (store.sw != sw::kOk) {
      throw Error(Errc::protocol_error,
                  "SE refused GET DATA BF21 (certificate store): " + sw::status_word_name(store.sw));
    }
    OnlineOffer offer;
    offer.variant = *variant;
    offer.kvn = key.version;
    offer.certificates = gp::host::certificate_store_content(store.data);
    if (offer.certificates.empty()) continue;  // a key without a chain: no server can verify it
    offers.push_back(std::move(offer));
  }
  return offers;
}

OnlineSessionRequest online_session_request(ByteView se_id, const std::vector<OnlineOffer>& offers) {
  if (offers.empty()) throw Error(Errc::invalid_argument, "online session request without an SCP11 offer");
  // SCP11b in the first fields: a server that reads only those still runs it.
  const auto first = std::find_if(offers.begin(), offers.end(),
                                  [](const OnlineOffer& o) { return o.variant == gp::scp11::Variant::b; });
  const OnlineOffer& lead = first != offers.end() ? *first : offers.front();
  OnlineSessionRequest request;
  request.se_id.assign(se_id.begin(), se_id.end());
  request.certificates = lead.certificates;
  request.kvn = lead.kvn;
  request.variant = lead.variant;
  for (const OnlineOffer& offer : offers) {
    if (&offer != &lead) request.offers.push_back(offer);
  }
  return request;
}

DeliveryReport begin_online_delivery(transport::CardChannel& channel, ByteView isd_aid,
                                     const std::vector<Bytes>& setup_commands, std::size_t pse_commands,
                                     const DeliveryProgress& progress) {
  DeliveryReport report;
  report.total_commands = setup_commands.size() + 2 + pse_commands;  // setup ‖ CHANGE MODE ‖ PSE ‖ AUTHORIZE
  if (setup_commands.empty()) {
    report.failure = "the server sent no setup command";
    return report;
  }
  try {
    if (!select_for_delivery(channel, isd_aid, report)) return report;
    const std::vector<ByteView> setup(setup_commands.begin(), setup_commands.end());
    send_sequence(channel, setup, 0, report, progress, [&](std::size_t index, const ResponseApdu& response) {
      if (index + 1 == setup.size()) report.authenticate_response = response;
    });
  } catch (const std::exception& e) {
    report.failed_index = report.commands_sent;
    report.failure = std::string("channel failure: ") + e.what();
  }
  return report;
}

void finish_online_delivery(transport::CardChannel& channel, DeliveryReport& report, const std::array<Bytes, 2>& paut,
                            const std::vector<Bytes>& pse, const DeliveryProgress& progress) {
  finish_online_delivery(channel, report, {}, paut, pse, progress);
}

void finish_online_delivery(transport::CardChannel& channel, DeliveryReport& report,
                            const std::vector<Bytes>& session_commands, const std::array<Bytes, 2>& paut,
                            const std::vector<Bytes>& pse, const DeliveryProgress& progress) {
  std::vector<ByteView> merged;
  merged.reserve(session_commands.size() + pse.size() + 2);
  for (const Bytes& command : session_commands) merged.emplace_back(command);
  merged.emplace_back(paut[0]);
  for (const Bytes& command : pse) merged.emplace_back(command);
  merged.emplace_back(paut[1]);
  const std::size_t first_index = report.total_commands - merged.size();
  try {
    send_sequence(channel, merged, first_index, report, progress, [](std::size_t, const ResponseApdu&) {});
  } catch (const std::exception& e) {
    report.failed_index = report.commands_sent;
    report.failure = std::string("channel failure: ") + e.what();
  }
}

}  // namespace sefleet::offcard

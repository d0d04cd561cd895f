#include "offcard/campaign/terminal_role.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/card_data.hpp"
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

// Sends wire bytes as they are (a PSE or PAUT command must not be re-encoded), completing 61xx.
ResponseApdu exchange_raw(transport::CardChannel& channel, ByteView wire) {
  const iso7816::ApduExchange link = [&](const CommandApdu& c) {
    return ResponseApdu::parse(channel.transmit(c.encode()));
  };
  const CommandApdu command = CommandApdu::parse(wire);
  return iso7816::complete_response(link, command, ResponseApdu::parse(channel.transmit(wire)));
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
  request.kvn = keys.front().version;
  for (const auto& key : keys) request.kvn = std::min(request.kvn, key.version);  // the default set
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
    const ResponseApdu selected = exchange(channel, select_by_aid(isd_aid));
    if (selected.sw != sw::kOk) {
      report.failed_sw = selected.sw;
      report.failure = "SELECT of the ISD refused: " + sw::status_word_name(selected.sw);
      return report;
    }
    for (std::size_t index = 0; index < merged.size(); ++index) {
      const ResponseApdu response = exchange_raw(channel, merged[index]);
      report.commands_sent = index + 1;
      if (index == 0) report.initialize_update_response = response;
      if (index + 1 == merged.size()) report.authorize_response = response;
      if (progress) progress(report.commands_sent, report.total_commands);
      if (!is_expected(index, merged.size(), response.sw)) {
        report.failed_index = index;
        report.failed_sw = response.sw;
        report.failure = "command " + std::to_string(index) + " answered " + sw::status_word_name(response.sw);
        return report;
      }
    }
  } catch (const std::exception& e) {
    report.failed_index = report.commands_sent;
    report.failure = std::string("channel failure: ") + e.what();
  }
  return report;
}

}  // namespace sefleet::offcard

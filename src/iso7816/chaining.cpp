#include "iso7816/chaining.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include "core/error.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::iso7816 {
namespace {

std::string to_decimal(std::size_t n) {
  return std::to_string(n);
}

std::string hex2(std::uint8_t byte) {
  char text[3];
  std::snprintf(text, sizeof text, "%02X", byte);
  return text;
}

// SW2 of 61xx / 6Cxx as a byte count: 00 stands for 256.
std::size_t sw2_count(const ResponseApdu& response) {
  return response.sw2() == 0 ? kMaxShortNe : response.sw2();
}

void check_max_chunk(std::size_t max_chunk) {
  if (max_chunk == 0 || max_chunk > kMaxShortData) {
    throw Error(Errc::invalid_argument, "chaining: chunk size must be 1..255, got " + to_decimal(max_chunk));
  }
}

}  // namespace

bool cla_supports_chaining(std::uint8_t cla) noexcept {
  return (cla & 0x80) == 0;
}

std::uint8_t get_response_cla(std::uint8_t command_cla) noexcept {
  if ((command_cla & 0x40) != 0) {
    // Further interindustry coding (channels 4..19): keep b4..b1.
    return static_cast<std::uint8_t>(0x40 | (command_cla & 0x0F));
  }
  return static_cast<std::uint8_t>(command_cla & 0x03);
}

CommandApdu make_get_response(std::uint8_t command_cla, std::size_t ne) {
  if (ne == 0 || ne > kMaxShortNe) {
    throw Error(Errc::invalid_argument, "GET RESPONSE: Ne must be 1..256, got " + to_decimal(ne));
  }
  return CommandApdu(get_response_cla(command_cla), kInsGetResponse, 0x00, 0x00, {}, ne);
}

std::vector<CommandApdu> split_for_chaining(const CommandApdu& command, std::size_t max_chunk) {
  check_max_chunk(max_chunk);
  std::optional<std::size_t> last_ne = command.ne;
  if (last_ne && *last_ne > kMaxShortNe) last_ne = kMaxShortNe;

  if (command.data.size() <= max_chunk) {
    CommandApdu single = command;
    single.ne = last_ne;
    single.extended = false;
    return {single};
  }
  if (!cla_supports_chaining(command.cla)) {
    throw Error(Errc::invalid_argument, "chaining: CLA " + hex2(command.cla) +
                                            " is a proprietary class whose b5 is not the ISO chaining bit; " +
                                            to_decimal(command.data.size()) + " data bytes cannot be chained");
  }
  if ((command.cla & kChainingBit) != 0) {
    throw Error(Errc::invalid_argument,
                "chaining: CLA " + hex2(command.cla) + " already has the chaining bit (10) set");
  }
  std::vector<CommandApdu> links;
  links.reserve((command.data.size() + max_chunk - 1) / max_chunk);
  const auto chained_cla = static_cast<std::uint8_t>(command.cla | kChainingBit);
  for (std::size_t offset = 0; offset < command.data.size(); offset += max_chunk) {
    const std::size_t size = std::min(max_chunk, command.data.size() - offset);
    const bool last = offset + size == command.data.size();
    const auto begin = command.data.begin() + static_cast<std::ptrdiff_t>(offset);
    links.emplace_back(last ? command.cla : chained_cla, command.ins, command.p1, command.p2,
                       Bytes(begin, begin + static_cast<std::ptrdiff_t>(size)), last ? last_ne : std::nullopt);
  }
  return links;
}

ResponseApdu complete_response(const ApduExchange& exchange, const CommandApdu& command, ResponseApdu first,
                               const TransmitOptions& options) {
  ResponseApdu response = std::move(first);
  if (options.follow_wrong_le && sw::is_wrong_le(response.sw)) {
    // The card names the exact Le; one re-send is all the protocol allows for.
    CommandApdu resend = command;
    resend.ne = sw2_count(response);
    response = exchange(resend);
    if (sw::is_wrong_le(response.sw)) {
      throw Error(Errc::protocol_error, "card answered 6Cxx again after the command was re-sent with Le=" +
                                            to_decimal(*resend.ne) + " (" + sw::status_word_name(response.sw) + ")");
    }
  }

  Bytes data = std::move(response.data);
  std::size_t rounds = 0;
  while (options.follow_get_response && sw::is_bytes_remaining(response.sw)) {
    if (++rounds > options.max_get_response_rounds) {
      throw Error(Errc::protocol_error, "card still answers 61xx after " + to_decimal(options.max_get_response_rounds) +
                                            " GET RESPONSE commands");
    }
    CommandApdu get_response = make_get_response(command.cla, sw2_count(response));
    response = exchange(get_response);
    if (options.follow_wrong_le && sw::is_wrong_le(response.sw)) {
      get_response.ne = sw2_count(response);
      response = exchange(get_response);
      if (sw::is_wrong_le(response.sw)) {
        throw Error(Errc::protocol_error, "card answered 6Cxx twice to GET RESPONSE");
      }
    }
    if (response.data.size() > options.max_response_bytes - std::min(data.size(), options.max_response_bytes)) {
      throw Error(Errc::protocol_error, "response data exceeds the limit of " + to_decimal(options.max_response_bytes) +
                                            " bytes after " + to_decimal(rounds) + " GET RESPONSE commands");
    }
    append(data, response.data);
  }
  if (data.size() > options.max_response_bytes) {
    throw Error(Errc::protocol_error, "response data of " + to_decimal(data.size()) + " bytes exceeds the limit of " +
                                          to_decimal(options.max_response_bytes));
  }
  return ResponseApdu(std::move(data), response.sw);
}

ResponseApdu transmit(const ApduExchange& exchange, const CommandApdu& command, const TransmitOptions& options) {
  check_max_chunk(options.max_chunk);
  if (command.data.size() <= options.max_chunk) {
    return complete_response(exchange, command, exchange(command), options);
  }
  const std::vector<CommandApdu> links = split_for_chaining(command, options.max_chunk);
  for (std::size_t i = 0; i + 1 < links.size(); ++i) {
    ResponseApdu response = exchange(links[i]);
    if (response.sw != sw::kOk) {
      return response;  // the card refused the chain (e.g. 6884): the caller sees why
    }
    if (!response.data.empty()) {
      throw Error(Errc::protocol_error, "card answered chain link " + to_decimal(i + 1) + " of " +
                                            to_decimal(links.size()) + " with 9000 and " +
                                            to_decimal(response.data.size()) +
                                            " data bytes (only the last link may return data)");
    }
  }
  const CommandApdu& last = links.back();
  return complete_response(exchange, last, exchange(last), options);
}

}  // namespace sefleet::iso7816

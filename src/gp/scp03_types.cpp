#include "gp/scp03_types.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::gp {

std::string mode_name(Scp03Mode mode) {
  return mode == Scp03Mode::s8 ? "S8" : "S16";
}

bool is_valid_i_parameter(std::uint8_t i) noexcept {
  if ((i & 0x8E) != 0) return false;                                       // b8 and b4..b2 reserved
  if ((i & iparam::kREnc) != 0 && (i & iparam::kRMac) == 0) return false;  // "10" is undefined
  return true;
}

bool is_valid_security_level(std::uint8_t security_level) noexcept {
  switch (security_level) {
    case 0x00:
    case 0x01:
    case 0x03:
    case 0x11:
    case 0x13:
    case 0x33:
      return true;
    default:
      return false;
  }
}

bool i_supports_level(std::uint8_t i, std::uint8_t security_level) noexcept {
  if (!is_valid_security_level(security_level)) return false;
  if ((security_level & level::kRMac) != 0 && (i & iparam::kRMac) == 0) return false;
  if ((security_level & level::kREncryption) != 0 && (i & iparam::kREnc) == 0) return false;
  return true;
}

Bytes InitializeUpdateResponse::encode() const {
  Bytes out;
  out.reserve(48);
  append(out, key_diversification_data);
  out.push_back(kvn);
  out.push_back(scp_id);
  out.push_back(i);
  append(out, card_challenge);
  append(out, card_cryptogram);
  if (sequence_counter) put_be24(out, *sequence_counter);
  return out;
}

InitializeUpdateResponse InitializeUpdateResponse::parse(ByteView data) {
  const auto fail = [&](const std::string& why) {
    return Error(Errc::protocol_error,
                 "INITIALIZE UPDATE response (" + std::to_string(data.size()) + " bytes): " + why);
  };
  if (data.size() < 13) throw fail("too short to hold the key information");
  InitializeUpdateResponse rsp;
  rsp.i = data[12];
  rsp.scp_id = data[11];
  rsp.kvn = data[10];
  if (rsp.scp_id != 0x03) throw fail("SCP identifier is " + to_hex(ByteView(&data[11], 1)) + ", not 03");
  const std::size_t half = half_block_size(rsp.mode());
  const bool has_counter = (rsp.i & iparam::kPseudoRandomChallenge) != 0;
  const std::size_t expected = 13 + 2 * half + (has_counter ? 3 : 0);
  if (data.size() != expected) {
    throw fail("i=" + to_hex(ByteView(&data[12], 1)) + " (" + mode_name(rsp.mode()) +
               (has_counter ? ", sequence counter" : "") + ") requires " + std::to_string(expected) + " bytes");
  }
  rsp.key_diversification_data.assign(data.begin(), data.begin() + 10);
  rsp.card_challenge.assign(data.begin() + 13, data.begin() + 13 + static_cast<std::ptrdiff_t>(half));
  rsp.card_cryptogram.assign(data.begin() + 13 + static_cast<std::ptrdiff_t>(half),
                             data.begin() + 13 + static_cast<std::ptrdiff_t>(2 * half));
  if (has_counter) {
    rsp.sequence_counter = static_cast<std::uint32_t>(read_be(data.subspan(13 + 2 * half, 3)));
  }
  return rsp;
}

}  // namespace sefleet::gp

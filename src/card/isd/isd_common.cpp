#include "card/isd/isd_card_data.hpp"
#include "card/isd/isd_command.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {

namespace sw = iso7816::sw;

void require_gp_class(const IsdCall& call) {
  if (!call.command.is_proprietary_class()) throw StatusWordError(sw::kClaNotSupported, "GP command in ISO class");
}

void require_session(const IsdCall& call, std::uint8_t needed) {
  const std::uint8_t level = call.ctx.security_level();
  if ((level & gp::level::kAuthenticatedBit) == 0 || (level & needed) != needed) {
    throw StatusWordError(sw::kSecurityStatusNotSatisfied, "secure channel level too low");
  }
}

void refuse_and_abort(const IsdCall& call, std::uint16_t status, const char* why) {
  if (gp::Scp03Card* channel = call.ctx.secure_channel()) channel->abort();
  throw StatusWordError(status, why);
}

std::string per_channel(std::string_view name, std::uint8_t channel) {
  return std::string(name) + "/" + std::to_string(channel);
}

void require_no_data(const IsdCall& call) {
  if (!call.command.data.empty()) throw StatusWordError(sw::kWrongLength, "no data field expected");
}

iso7816::ResponseApdu select_response(const IsdCall& call) {
  return iso7816::ResponseApdu(file_control_information(call.state), sw::kOk);
}

}  // namespace sefleet::card::isd

#include "offcard/campaign/online_scp03_session.hpp"

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::offcard {
namespace {

constexpr std::uint8_t kGpClass = 0x80;

[[noreturn]] void refuse_online_scp03(Errc code, OnlineRefusal reason, const std::string& message) {
  throw OnlineSessionError(code, reason, "online SCP03 session: " + message);
}

}  // namespace

OnlineScp03Start start_online_scp03_session(const SeAuthorizationRequest& request, crypto::Random& random) {
  try {
    check_se_identity(request);
  } catch (const Error& error) {
    refuse_online_scp03(Errc::invalid_argument, OnlineRefusal::bad_request, error.what());
  }
  if ((request.i & gp::iparam::kRMac) == 0) {
    refuse_online_scp03(Errc::invalid_argument, OnlineRefusal::bad_request,
                        "SE " + to_hex(request.se_id) + ": i = " + to_hex(Bytes{request.i}) +
                            " has no R-MAC; the broadcast flow runs at security level 13 or 33");
  }
  OnlineScp03Start start;
  start.state.se = request;
  start.state.se.sequence_counter = 0;
  start.state.host_challenge = random.bytes(gp::half_block_size(gp::mode_of(request.i)));
  start.commands.emplace_back(kGpClass, gp::kInsInitializeUpdate, request.kvn, 0x00, start.state.host_challenge, 256);
  return start;
}

OnlineScp03Authorization finish_online_scp03_session(const OnlineScp03State& state,
                                                     const iso7816::ResponseApdu& initialize_update_response,
                                                     const PautIssuer& issuer, gp::broadcast::Action action) {
  const std::string se = "SE " + to_hex(state.se.se_id);
  if (!initialize_update_response.ok()) {
    refuse_online_scp03(
        Errc::protocol_error, OnlineRefusal::card_refused,
        se + " refused INITIALIZE UPDATE: " + iso7816::sw::status_word_name(initialize_update_response.sw));
  }
  OnlineScp03Authorization out;
  try {
    out.paut = issuer.issue_for_answer(state.se, state.host_challenge, initialize_update_response, action);
  } catch (const Error& error) {
    if (error.code() == Errc::integrity_error) {
      refuse_online_scp03(Errc::integrity_error, OnlineRefusal::wrong_cryptogram, error.what());
    }
    if (error.code() == Errc::invalid_argument || error.code() == Errc::protocol_error) {
      refuse_online_scp03(error.code(), OnlineRefusal::bad_request, error.what());
    }
    throw;  // keystore failures are the server's
  }
  out.session_commands.push_back(out.paut.commands[1]);
  out.change_mode = out.paut.commands[2];
  out.authorize = out.paut.commands[3];
  return out;
}

}  // namespace sefleet::offcard

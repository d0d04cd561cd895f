// The terminal role of the broadcast channel (broadcast-channel.md §7): it holds no
// key. It reads what the HSM needs from an SE, merges PAUT[0..2] ‖ PSE ‖ PAUT[3], sends the commands in
// order, stops at the first unexpected status word, and reports the SE's answers for the server to
// verify. Every input is public bytes (the PSE is the same for all SEs; a PAUT is useless to anyone but
// its SE, once); nothing here can decrypt or forge anything.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/online_session.hpp"
#include "transport/card_channel.hpp"

namespace sefleet::offcard {

// Indices of the PAUT commands.
inline constexpr std::size_t kPautInitializeUpdate = 0;
inline constexpr std::size_t kPautExternalAuthenticate = 1;
inline constexpr std::size_t kPautChangeMode = 2;
inline constexpr std::size_t kPautAuthorizeAction = 3;

using EncodedPaut = std::array<Bytes, 4>;

// SELECT the ISD, then GET DATA 45 (CIN = the SE's identity), CF (key diversification data), 66 (the
// SCP03 "i"), E0 (the default key set's version) and C1 (sequence counter). Throws
// Error(Errc::protocol_error) naming the command when the SE refuses one or answers something
// malformed.
SeAuthorizationRequest read_se_identity(transport::CardChannel& channel, ByteView isd_aid);

struct DeliveryReport {
  std::size_t total_commands = 0;  // PAUT (4) + PSE
  std::size_t commands_sent = 0;
  std::optional<iso7816::ResponseApdu> initialize_update_response;
  // An online authorization (online_session.hpp): the SE's answer to the SCP11 authenticate command,
  // which stands where an offline PAUT has the INITIALIZE UPDATE response.
  std::optional<iso7816::ResponseApdu> authenticate_response;
  std::optional<iso7816::ResponseApdu> authorize_response;
  // The first command answered with an unexpected status word (index in the merged sequence), or an
  // exception from the channel (sw 0, with the message).
  std::optional<std::size_t> failed_index;
  std::uint16_t failed_sw = 0;
  std::string failure;

  bool reached_authorization() const noexcept { return authorize_response.has_value(); }

  friend bool operator==(const DeliveryReport&, const DeliveryReport&) = default;
};

// Called after each command with (sent, total).
using DeliveryProgress = std::function<void(std::size_t, std::size_t)>;

// The merged sequence PAUT[0..2] ‖ PSE ‖ PAUT[3], as views into the inputs (broadcast-channel.md §7).
std::vector<ByteView> merge_data_sets(const EncodedPaut& paut, const std::vector<Bytes>& pse);

// Selects the ISD, then sends the merged sequence. Expected answers: 9000 everywhere, and 9000 or
// 6300 for AUTHORIZE ACTION (both carry an authenticated status object). 61xx is completed with GET
// RESPONSE. Never throws for what the SE answers; channel errors end the delivery and are reported.
DeliveryReport deliver(transport::CardChannel& channel, ByteView isd_aid, const EncodedPaut& paut,
                       const std::vector<Bytes>& pse, const DeliveryProgress& progress = {});

// ---- online authorization (online_session.hpp, scp11.md "Online authorization") ----

// With the ISD selected (read_se_identity): GET DATA E0 for the SE's SCP11 keys (KIDs 11, 13 and 15,
// i.e. SCP11a, b and c), then GET DATA BF21 for each one's certificate chain. Keys without a chain are
// left out (no server could verify them), and SCP11a/c keys of an SE that lists no OCE CA key (KID 10,
// 20..2F; it could not verify an OCE chain); empty when the SE offers none. Throws
// Error(Errc::protocol_error) for a refusal other than 6A88 or a malformed answer.
std::vector<OnlineOffer> read_scp11_offers(transport::CardChannel& channel);

// The start request for the server: the SE id of read_se_identity and every offer, the SCP11b one (which
// every server runs) in the first fields when there is one. The server chooses among them and says
// which in its answer. `offers` must not be empty.
OnlineSessionRequest online_session_request(ByteView se_id, const std::vector<OnlineOffer>& offers);

// The online delivery, around the server's round trip:
//   begin    SELECT of the ISD, then the session's setup commands (SCP11b: INTERNAL AUTHENTICATE;
//            SCP11a/c: PERFORM SECURITY OPERATION per OCE certificate, then MUTUAL AUTHENTICATE),
//            stopping at the first refusal (a PSO refused: no authenticate command is sent); the
//            answer of the last one is `authenticate_response`;
//   finish   CHANGE MODE ‖ PSE ‖ AUTHORIZE ACTION, with the two commands the server wrapped in the
//            session (the ISD stays selected: a SELECT would close the session).
// The indices of the report count the setup commands first, then the merged sequence; the expected
// answers and the stop at the first unexpected status word are deliver()'s. Neither throws for what
// the SE answers; channel errors end the delivery and are reported.
DeliveryReport begin_online_delivery(transport::CardChannel& channel, ByteView isd_aid,
                                     const std::vector<Bytes>& setup_commands, std::size_t pse_commands,
                                     const DeliveryProgress& progress = {});
// Call only when begin left no failure; `paut` is CHANGE MODE, AUTHORIZE ACTION.
void finish_online_delivery(transport::CardChannel& channel, DeliveryReport& report, const std::array<Bytes, 2>& paut,
                            const std::vector<Bytes>& pse, const DeliveryProgress& progress = {});
// Online SCP03: `session_commands` (EXTERNAL AUTHENTICATE) first, then as above. begin's
// `pse_commands` counted them.
void finish_online_delivery(transport::CardChannel& channel, DeliveryReport& report,
                            const std::vector<Bytes>& session_commands, const std::array<Bytes, 2>& paut,
                            const std::vector<Bytes>& pse, const DeliveryProgress& progress = {});

}  // namespace sefleet::offcard

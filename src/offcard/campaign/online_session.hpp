// Online authorization over SCP11 (scp11.md "Online authorization"): when an SE's session keys come
// from a key agreement with a random card key, no PAUT can be computed before the SE answers. The
// server's HSM role then runs the off-card side of SCP11 in two steps around one round trip of the
// terminal, and wraps CHANGE MODE 01 and AUTHORIZE ACTION in that session; the PSE between them stays
// the campaign's broadcast bytes.
//
//   start   the variant chosen among the SE's offers (SCP11a, then SCP11c when the server holds an
//           OCE key, then SCP11b); the SE's certificate chain (GET DATA BF21) verified up to the card
//           CA key and bound to the SE id; eSK.OCE generated; the setup commands returned (SCP11b:
//           INTERNAL AUTHENTICATE; SCP11a/c: PERFORM SECURITY OPERATION with each certificate of the
//           OCE chain, then MUTUAL AUTHENTICATE) with the state the second step needs.
//   finish  the SE's answer (5F49 ePK.SD || 86 receipt): the session keys derived (SCP11a/c: the
//           static agreement ShSss = ECDH(SK.OCE, PK.SD) runs where SK.OCE is, the server's
//           keystore), the receipt verified, CHANGE MODE and AUTHORIZE ACTION wrapped with the receipt
//           as first chaining value.
//   report  the R-MAC (and R-ENC) of AUTHORIZE ACTION's response under the session keys, and the
//           receipt the terminal reports equal to the one verified in finish.
//
// Binding of the chain to the SE (the SE id is what GET DATA 45 returns): the leaf certificate, the
// one certifying PK.SD.ECKA, must name the SE: in GlobalPlatform format its subject identifier 5F20 is
// the SE id; in X.509 its subject is exactly CN = "sefleet SD <SE id in hex>", as `card init` writes
// it. A chain verifying under the CA but naming another SE is refused: a terminal cannot borrow a
// genuine SE's certificate to get another SE's authorization.
//
// No I/O; the state between the steps is the caller's (online_session_state.hpp seals it).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp11/scp11_host.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/verified_chain_cache.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

// Why a step refused, for the server's 4xx reasons. Every refusal of the steps below is an
// OnlineSessionError (an Error whose code() says the kind, and reason() which check failed).
enum class OnlineRefusal {
  bad_request,         // malformed or unsupported input (sizes, KVN, variant, certificates, state)
  no_common_variant,   // the SE offers only SCP11a/c and the server holds no OCE key
  chain_not_verified,  // the SE's chain does not verify under the card CA key
  se_id_mismatch,      // the chain verifies but its leaf names another SE
  card_refused,        // the SE answered the authenticate command with an error status word
  wrong_receipt,       // the receipt does not verify (not the certified SE, or an altered answer)
  expired,             // the sealed state is past its lifetime (online_session_state.hpp)
  forged_report,       // a reported answer does not verify (receipt or R-MAC)
  wrong_cryptogram,    // online SCP03: the card cryptogram does not verify (online_scp03_session.hpp)
};
std::string_view online_refusal_name(OnlineRefusal reason);

class OnlineSessionError : public Error {
 public:
  OnlineSessionError(Errc code, OnlineRefusal reason, const std::string& message)
      : Error(code, message), reason_(reason) {}
  OnlineRefusal reason() const noexcept { return reason_; }

 private:
  OnlineRefusal reason_;
};

// One SCP11 key set an SE offers: its variant (KID 11, 13 or 15), KVN and certificate chain.
struct OnlineOffer {
  gp::scp11::Variant variant = gp::scp11::Variant::b;
  std::uint8_t kvn = 0x01;
  Bytes certificates;  // GET DATA BF21 value: the chain of CERT.SD.ECKA, root first, leaf last

  friend bool operator==(const OnlineOffer&, const OnlineOffer&) = default;
};

// What the terminal read from an SE that offers SCP11: one offer in the first fields (the one any
// server runs, SCP11b, when the SE has it) and every further one in `offers`; the server chooses.
struct OnlineSessionRequest {
  Bytes se_id;         // GET DATA 45, 1..64 bytes
  Bytes certificates;  // GET DATA BF21 value: the chain of CERT.SD.ECKA, root first, leaf last
  std::uint8_t kvn = 0x01;
  gp::scp11::Variant variant = gp::scp11::Variant::b;
  std::vector<OnlineOffer> offers;  // further key sets the SE offers (none: the first fields only)
};

// The OCE side of SCP11a/c: the static key SK.OCE.ECKA stays in the server's keystore (usage agree;
// only this reference leaves it) and its certificate chain is presented to the SE under the SE's CA
// key `ca_kvn` (KID 10).
struct OnlineOceKey {
  KeyRef key;
  std::vector<Bytes> certificates;  // root first, leaf (certifying the key's public point) last
  std::uint8_t ca_kvn = 0x10;
};

// The offer an online session runs: SCP11a, then SCP11c when `oce_key_available`, then SCP11b;
// nullopt when none fits (only SCP11a/c offered to a server without an OCE key).
std::optional<OnlineOffer> choose_online_offer(const OnlineSessionRequest& request, bool oce_key_available);

// The session after start: what finish needs. Holds eSK.OCE: the caller keeps it sealed. SK.OCE is
// never in it, only the keystore reference of the key the OCE chain certifies (SCP11a/c).
struct OnlineSessionState {
  Bytes se_id;
  gp::scp11::Variant variant = gp::scp11::Variant::b;
  std::uint8_t kvn = 0x01;
  Bytes card_key;             // PK.SD.ECKA, from the verified chain
  Bytes authenticate_data;    // the data field of the authenticate command sent (the receipt covers it)
  SecretBytes ephemeral_key;  // eSK.OCE.ECKA, 32-byte scalar
  std::string oce_key;        // SCP11a/c: KeyRef text of SK.OCE.ECKA; empty for SCP11b
};

struct OnlineSessionStart {
  // SCP11b: INTERNAL AUTHENTICATE; SCP11a/c: PERFORM SECURITY OPERATION per OCE certificate, then
  // MUTUAL AUTHENTICATE. The terminal sends them in order after SELECT of the ISD and stops at the
  // first status word other than 9000.
  std::vector<iso7816::CommandApdu> commands;
  OnlineSessionState state;
};

// Chooses the offer (choose_online_offer), verifies and binds its chain and opens the key agreement.
// `oce` is the server's OCE key (nullptr: SCP11b only). Refuses (OnlineSessionError) a bad request (SE
// id size, KVN 00, certificates that do not parse), only SCP11a/c offered without `oce`
// (no_common_variant), a chain that does not verify under `card_ca`, and a leaf that names another SE.
// With `verified_chains`, a chain whose exact bytes verified under the same CA key before is not
// verified again (its leaf is still parsed and must still name the SE), and a chain that verifies is
// remembered.
OnlineSessionStart start_online_session(const OnlineSessionRequest& request, const crypto::P256PublicKey& card_ca,
                                        const OnlineOceKey* oce = nullptr,
                                        crypto::Random& random = crypto::system_random(),
                                        VerifiedChainCache* verified_chains = nullptr);

// What the server keeps to verify the report (secret: the session keys; seal it).
struct OnlineCheck {
  Bytes se_id;
  crypto::Mac16 receipt{};
  gp::SessionKeys keys;  // S-ENC, S-MAC, S-RMAC of the session
  gp::Scp03Counter authorize_counter{};
  crypto::Mac16 authorize_chaining_value{};
  gp::broadcast::CampaignId campaign_id{};
};

struct OnlineAuthorization {
  iso7816::CommandApdu change_mode;  // CHANGE MODE 01, wrapped
  iso7816::CommandApdu authorize;    // AUTHORIZE ACTION, wrapped
  OnlineCheck check;
};

// The security level of the online session: SCP11's key usage 3C sets up C-MAC, C-DEC, R-MAC, R-ENC.
inline constexpr std::uint8_t kOnlineSecurityLevel = 0x33;

// Checks the SE's answer to the authenticate command and wraps the issuer's CHANGE MODE and
// AUTHORIZE ACTION (`action`) in the session. SCP11a/c need `static_agreement`, the ECDH with
// SK.OCE.ECKA (state.oce_key) done by the keystore holding it. Refuses (OnlineSessionError) a refusal
// status word, a malformed answer, an SCP11c answer with another key than the certified PK.SD.ECKA,
// SCP11a/c without the agreement, and a wrong receipt (not the SE whose chain was verified, or an
// altered answer).
OnlineAuthorization finish_online_session(const OnlineSessionState& state,
                                          const iso7816::ResponseApdu& authenticate_response, const PautIssuer& issuer,
                                          gp::broadcast::Action action,
                                          const gp::scp11::StaticOceAgreement& static_agreement = {});

// The report: `authenticate_response` as the terminal reports it (its receipt must be the verified
// one: card_authenticated) and, when the SE got that far, AUTHORIZE ACTION's response (R-MAC, R-ENC,
// status object of the campaign). Refuses (OnlineSessionError, forged_report) a receipt, R-MAC or
// status object that does not verify, and a malformed answer.
gp::broadcast::PautVerdict verify_online_answers(const OnlineCheck& check,
                                                 const iso7816::ResponseApdu& authenticate_response,
                                                 const std::optional<iso7816::ResponseApdu>& authorize_response);

}  // namespace sefleet::offcard

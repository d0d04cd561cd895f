// The HSM role of the broadcast channel (broadcast-channel.md §3, §4, §7): it computes each SE's
// authorization data set PAUT from the SE's static keys, which it derives inside its keystore from a
// master key (kdf3), and, in profile 4, generates the campaign's broadcast keys BK and builds the PSE.
//
// What crosses this API, and what never does (broadcast-channel.md §8.2, visible in the types below):
//   in:  a Keystore and KeyRefs (names, never key values), CampaignTerms (BK only wrapped: under Kos
//        in profile 3, under the HSM's own campaign KEK in profile 4; the integrity code wrapped under
//        Kos or, profile 4, the MAC under Kmac), what the terminal read from the SE, and (profile 4
//        preparation) the image envelope, already encrypted under Kos;
//   out: APDUs whose C2 travels under the SE's session encryption, public PautChecks, wrapped BK.
// Kos, Kmac and the plain image are not parameters of anything here: the HSM cannot be handed them.
// In profile 3 the HSM copies the design system's wrapped BK into C2 byte for byte and needs neither
// Kos nor any unwrap. In profile 4 BK exists in clear only inside PautIssuer (unwrapped once, in
// SecretBytes, never returned) and inside prepare_platform_campaign while it builds the PSE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/paut.hpp"
#include "iso7816/apdu.hpp"
#include "offcard/campaign/campaign_terms.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

// What a terminal reads from an SE before a PAUT can be computed: GET DATA 45 (the card image
// number, the SE's identity), GET DATA CF (key diversification data), the SCP03 "i" and key version
// (card recognition data, key information) and GET DATA C1 (sequence counter).
struct SeAuthorizationRequest {
  Bytes se_id;                         // 1..64 bytes; for records and messages only
  Bytes kdd;                           // 10 bytes
  std::uint8_t kvn = 0;                // the SE's SCP03 key version, 1..FF
  std::uint8_t i = 0x70;               // must have the pseudo-random challenge bit (10)
  std::uint32_t sequence_counter = 0;  // now; the PAUT's session uses counter + 1 (< FFFFFF)

  friend bool operator==(const SeAuthorizationRequest&, const SeAuthorizationRequest&) = default;
};

// Throws Error(Errc::invalid_argument) naming the field and the SE: se_id empty or over 64 bytes, KDD
// not 10 bytes, kvn 0, an "i" this implementation does not know or without the pseudo-random
// challenge, a sequence counter at FFFFFF or above (the SE cannot open another session).
void check_authorization_request(const SeAuthorizationRequest& request);
// The identity part of the above (SE id, KDD, key version, a known "i"): all an SE's answers need to
// be checked, whatever its card challenge.
void check_se_identity(const SeAuthorizationRequest& request);

struct PautOptions {
  std::uint8_t security_level = 0x33;  // 13 or 33 (§4); must be supported by each SE's "i"
  gp::broadcast::Action action = gp::broadcast::Action::verify_and_activate;
};

// Issues PAUTs for one campaign. Thread-safe: issue() may run on several threads at once (the
// keystore is, and the issuer's own state is immutable after construction).
class PautIssuer {
 public:
  // `master`: the kdf3 master key (usage mac). `campaign_kek`: profile 4, the HSM's KEK under which
  // prepare_platform_campaign wrapped BK (usage wrap); unused in profile 3. Throws
  // Error(Errc::invalid_argument) for terms that do not fit their profile (wrapped BK or integrity
  // code of the wrong size, unknown profile, total length 0), a missing KEK in profile 4, or bad
  // options; Error(Errc::not_found) for an unknown key; Error(Errc::integrity_error) when the wrapped
  // BK does not unwrap under the KEK.
  PautIssuer(Keystore& keystore, KeyRef master, CampaignTerms terms, std::optional<KeyRef> campaign_kek = std::nullopt,
             PautOptions options = {});

  // The four PAUT commands for `request` with the issuer's default action, or `action` (02 preloads:
  // verify and keep staged; a later PAUT with 01 activates). The static keys are derived through the
  // keystore for each call; the host challenge comes from the keystore's generator.
  gp::broadcast::Paut issue(const SeAuthorizationRequest& request) const;
  gp::broadcast::Paut issue(const SeAuthorizationRequest& request, gp::broadcast::Action action) const;

  // Online SCP03 (online_scp03_session.hpp): the PAUT of an SE whose card challenge is random, once
  // it answered PAUT[0] (INITIALIZE UPDATE with `host_challenge`) with `initialize_update_response`.
  // The SE's key version, i and KDD in the answer must be the request's; the card cryptogram is
  // verified under the SE's static keys, derived through the keystore, before PAUT[1..3] are computed
  // for the answer's card challenge. `request.sequence_counter` is not used (the answer's counter is,
  // when it has one). Throws Error(Errc::invalid_argument) for a bad request (check_se_identity, a
  // level its "i" cannot run), Error(Errc::protocol_error) for a malformed answer or one with an
  // error status word, and Error(Errc::integrity_error) for an answer that is not the SE's (key
  // information, KDD or card cryptogram).
  gp::broadcast::Paut issue_for_answer(const SeAuthorizationRequest& request, ByteView host_challenge,
                                       const iso7816::ResponseApdu& initialize_update_response,
                                       gp::broadcast::Action action) const;

  // CHANGE MODE 01 and AUTHORIZE ACTION (with `action`) wrapped in a session the caller opened:
  // an online authorization (online_session.hpp), where the SE's session keys come from SCP11's key
  // agreement instead of its static SCP03 keys.
  gp::broadcast::WrappedAuthorization wrap_authorization(gp::SecureMessaging& engine,
                                                         gp::broadcast::Action action) const;

  const CampaignTerms& terms() const noexcept { return terms_; }
  const PautOptions& options() const noexcept { return options_; }

 private:
  Keystore& keystore_;
  KeyRef master_;
  CampaignTerms terms_;
  PautOptions options_;
  // CHANGE MODE and AUTHORIZE ACTION as they are for every SE (C2 is the wrapped BK in profile 3, BK
  // in clear in profile 4: then this object holds the only clear copy, in SecretBytes).
  gp::broadcast::ChangeModeToBroadcast change_mode_;
  gp::broadcast::AuthorizeAction authorize_;
};

// The server's check of an SE's answers to a PAUT (card cryptogram of INITIALIZE UPDATE, and R-MAC
// and status object of AUTHORIZE ACTION when given): derives the SE's static keys again through the
// keystore and runs gp::broadcast::verify_paut_answers. Error(Errc::invalid_argument) for a bad
// request (check_se_identity) or a request whose key version differs from the check's;
// Error(Errc::integrity_error / protocol_error) as verify_paut_answers throws them.
gp::broadcast::PautVerdict verify_se_answers(Keystore& keystore, const KeyRef& master,
                                             const SeAuthorizationRequest& request,
                                             const gp::broadcast::PautCheck& check,
                                             const iso7816::ResponseApdu& initialize_update_response,
                                             const std::optional<iso7816::ResponseApdu>& authorize_response);

// Profile 4 campaign after the HSM's preparation: the terms with wrapped_broadcast_keys =
// AES-KW(campaign KEK, BK-ENC ‖ BK-MAC) and fresh C3/C4, and the PSE built from the envelope under BK.
struct PlatformCampaignPreparation {
  CampaignTerms terms;
  std::vector<Bytes> pse;  // encoded WRITE BLOCK commands, then CHANGE MODE back
};

// Profile 4 (§3, §7): generates BK (`broadcast_key_size` bytes each: 16, 24 or 32) and C3/C4 from the
// keystore's generator, builds the PSE of `envelope` (the design system's Kos-encrypted image), wraps
// BK under `campaign_kek` (usage wrap). BK is wiped before returning. Throws
// Error(Errc::invalid_argument) for terms of another profile, terms already prepared (a wrapped BK
// present), an integrity code that is not 16 bytes, an envelope that is not IV ‖ whole blocks or
// whose length differs from a non-zero terms.total_length, a bad key size, or a chunk size / stream
// the PSE builder refuses; keystore errors propagate.
PlatformCampaignPreparation prepare_platform_campaign(Keystore& keystore, const KeyRef& campaign_kek,
                                                      CampaignTerms terms, ByteView envelope, std::size_t chunk_size,
                                                      bool extended, std::size_t broadcast_key_size = 16);

}  // namespace sefleet::offcard

// The state of an online session between its two steps, and the check of its report, as opaque blobs
// sealed under a keystore KEK (AES-KW, RFC 3394: encrypted and authenticated), so that a server keeps
// nothing in memory and any server sharing the keystore can take the next step. eSK.OCE and the
// session keys exist in clear only inside this process, in SecretBytes. The blobs are
// sealed_state.hpp's (kinds 04: session, whose fields end with the OCE key reference of
// SCP11a/c; 02: check). `binding` is the caller's context (the server: campaign id and the
// terminal's token), checked on opening: a blob sealed for one campaign or terminal opens for no other.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "offcard/campaign/online_session.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

// The KEK needs usage wrap.
Bytes seal_online_session(Keystore& keystore, const KeyRef& kek, const OnlineSessionState& state, ByteView binding,
                          std::int64_t expires_at);
// Refuses (OnlineSessionError) a blob that does not unwrap under the KEK or is malformed (bad_request),
// one sealed for another binding (bad_request), and one past `expires_at` at `now` (expired).
OnlineSessionState open_online_session(Keystore& keystore, const KeyRef& kek, ByteView sealed, ByteView binding,
                                       std::int64_t now);

Bytes seal_online_check(Keystore& keystore, const KeyRef& kek, const OnlineCheck& check, ByteView binding);
OnlineCheck open_online_check(Keystore& keystore, const KeyRef& kek, ByteView sealed, ByteView binding);

}  // namespace sefleet::offcard

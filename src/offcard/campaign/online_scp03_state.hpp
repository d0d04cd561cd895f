// The state of an online SCP03 session between its two steps (online_scp03_session.hpp), sealed as
// sealed_state.hpp describes (kind 03): it holds no secret, but sealing binds the host challenge the
// server drew, the SE and the key set to one campaign, terminal and session, for a limited time.
#pragma once

#include <cstdint>

#include "core/bytes.hpp"
#include "offcard/campaign/online_scp03_session.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

// The KEK needs usage wrap.
Bytes seal_online_scp03_session(Keystore& keystore, const KeyRef& kek, const OnlineScp03State& state, ByteView binding,
                                std::int64_t expires_at);
// Refuses (OnlineSessionError) a blob that does not unwrap under the KEK, is malformed or of another
// kind (an SCP11 session's among them), or sealed for another binding (bad_request), and one past
// `expires_at` at `now` (expired).
OnlineScp03State open_online_scp03_session(Keystore& keystore, const KeyRef& kek, ByteView sealed_blob,
                                           ByteView binding, std::int64_t now);

}  // namespace sefleet::offcard

#include "offcard/campaign/online_scp03_state.hpp"

#include <string>

#include "offcard/campaign/sealed_state.hpp"

namespace sefleet::offcard {

Bytes seal_online_scp03_session(Keystore& keystore, const KeyRef& kek, const OnlineScp03State& state, ByteView binding,
                                std::int64_t expires_at) {
  sealed::Writer out(sealed::kKindScp03Session, expires_at, binding);
  out.field(state.se.se_id);
  out.field(state.se.kdd);
  out.byte(state.se.kvn);
  out.byte(state.se.i);
  out.field(state.host_challenge);
  return out.seal(keystore, kek);
}

OnlineScp03State open_online_scp03_session(Keystore& keystore, const KeyRef& kek, ByteView sealed_blob,
                                           ByteView binding, std::int64_t now) {
  const SecretBytes plain = sealed::open(keystore, kek, sealed_blob);
  sealed::Reader in(plain.view());
  const std::int64_t expires_at = sealed::read_header(in, sealed::kKindScp03Session);
  sealed::check_binding(in, binding);
  if (now >= expires_at) {
    throw OnlineSessionError(Errc::state_error, OnlineRefusal::expired,
                             "online SCP03 session: expired " + std::to_string(now - expires_at) + " s ago");
  }
  OnlineScp03State state;
  const ByteView se_id = in.field();
  state.se.se_id.assign(se_id.begin(), se_id.end());
  const ByteView kdd = in.field();
  state.se.kdd.assign(kdd.begin(), kdd.end());
  state.se.kvn = in.byte();
  state.se.i = in.byte();
  const ByteView host_challenge = in.field();
  state.host_challenge.assign(host_challenge.begin(), host_challenge.end());
  in.finish();
  return state;
}

}  // namespace sefleet::offcard

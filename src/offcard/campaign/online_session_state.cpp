#include "offcard/campaign/online_session_state.hpp"

#include <string>

#include "offcard/campaign/sealed_state.hpp"

namespace sefleet::offcard {
namespace {

using sealed::malformed;
using sealed::Reader;
using sealed::Writer;

Bytes copy_of(ByteView view) {
  return Bytes(view.begin(), view.end());
}

}  // namespace

Bytes seal_online_session(Keystore& keystore, const KeyRef& kek, const OnlineSessionState& state, ByteView binding,
                          std::int64_t expires_at) {
  Writer out(sealed::kKindScp11Session, expires_at, binding);
  out.field(state.se_id);
  out.byte(gp::scp11::scp_parameter(state.variant));
  out.byte(state.kvn);
  out.field(state.card_key);
  out.field(state.authenticate_data);
  out.field(state.ephemeral_key.view());
  out.field(bytes_of(state.oce_key));  // the keystore reference of SK.OCE (SCP11a/c), never the key
  return out.seal(keystore, kek);
}

OnlineSessionState open_online_session(Keystore& keystore, const KeyRef& kek, ByteView sealed_blob, ByteView binding,
                                       std::int64_t now) {
  const SecretBytes plain = sealed::open(keystore, kek, sealed_blob);
  Reader in(plain.view());
  const std::int64_t expires_at = sealed::read_header(in, sealed::kKindScp11Session);
  sealed::check_binding(in, binding);
  if (now >= expires_at) {
    throw OnlineSessionError(Errc::state_error, OnlineRefusal::expired,
                             "online session: expired " + std::to_string(now - expires_at) + " s ago");
  }
  OnlineSessionState state;
  state.se_id = copy_of(in.field());
  const auto variant = gp::scp11::variant_of_parameter(in.byte());
  if (!variant) malformed("unknown SCP11 variant");
  state.variant = *variant;
  state.kvn = in.byte();
  state.card_key = copy_of(in.field());
  state.authenticate_data = copy_of(in.field());
  state.ephemeral_key = SecretBytes(in.field());
  const ByteView oce_key = in.field();
  state.oce_key.assign(oce_key.begin(), oce_key.end());
  if (gp::scp11::authenticates_oce(state.variant) == state.oce_key.empty()) {
    malformed("an OCE key reference is present exactly for SCP11a/c");
  }
  in.finish();
  return state;
}

Bytes seal_online_check(Keystore& keystore, const KeyRef& kek, const OnlineCheck& check, ByteView binding) {
  Writer out(sealed::kKindScp11Check, 0, binding);
  out.field(check.se_id);
  out.field(ByteView(check.receipt.data(), check.receipt.size()));
  out.field(check.keys.s_enc.view());
  out.field(check.keys.s_mac.view());
  out.field(check.keys.s_rmac.view());
  out.field(ByteView(check.authorize_counter.data(), check.authorize_counter.size()));
  out.field(ByteView(check.authorize_chaining_value.data(), check.authorize_chaining_value.size()));
  out.field(ByteView(check.campaign_id.data(), check.campaign_id.size()));
  return out.seal(keystore, kek);
}

OnlineCheck open_online_check(Keystore& keystore, const KeyRef& kek, ByteView sealed_blob, ByteView binding) {
  const SecretBytes plain = sealed::open(keystore, kek, sealed_blob);
  Reader in(plain.view());
  (void)sealed::read_header(in, sealed::kKindScp11Check);  // a check does not expire: the report may come later
  sealed::check_binding(in, binding);
  OnlineCheck check;
  check.se_id = copy_of(in.field());
  in.fixed(check.receipt);
  check.keys.s_enc = SecretBytes(in.field());
  check.keys.s_mac = SecretBytes(in.field());
  check.keys.s_rmac = SecretBytes(in.field());
  in.fixed(check.authorize_counter);
  in.fixed(check.authorize_chaining_value);
  in.fixed(check.campaign_id);
  in.finish();
  return check;
}

}  // namespace sefleet::offcard

#include "offcard/campaign/online_session_state.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "core/hex.hpp"

namespace sefleet::offcard {
namespace {

// Session version 02 carries the OCE key reference of SCP11a/c (a 01 session, at most minutes old,
// is refused as malformed: the terminal starts a new one). Checks, which the database keeps, stay 01.
constexpr std::uint8_t kSessionVersion = 0x02;
constexpr std::uint8_t kCheckVersion = 0x01;
constexpr std::uint8_t kKindSession = 0x01;
constexpr std::uint8_t kKindCheck = 0x02;
constexpr std::size_t kKeyWrapBlock = 8;

[[noreturn]] void malformed(const std::string& what) {
  throw OnlineSessionError(Errc::integrity_error, OnlineRefusal::bad_request, "online session state: " + what);
}

// Builds the plain blob in wiped memory: it carries eSK.OCE or session keys.
class Writer {
 public:
  void byte(std::uint8_t value) { out_.append(ByteView(&value, 1)); }
  void time(std::int64_t value) {
    for (int shift = 56; shift >= 0; shift -= 8)
      byte(static_cast<std::uint8_t>(static_cast<std::uint64_t>(value) >> shift));
  }
  void field(ByteView value) {
    if (value.size() > 0xFFFF) throw Error(Errc::invalid_argument, "online session state: field over 65535 bytes");
    byte(static_cast<std::uint8_t>(value.size() >> 8));
    byte(static_cast<std::uint8_t>(value.size()));
    out_.append(value);
  }
  SecretBytes finish() {
    byte(0x80);
    while (out_.size() % kKeyWrapBlock != 0) byte(0x00);
    return std::move(out_);
  }

 private:
  SecretBytes out_;
};

class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  std::uint8_t byte() {
    if (pos_ >= in_.size()) malformed("truncated");
    return in_[pos_++];
  }
  std::int64_t time() {
    std::uint64_t value = 0;
    for (int k = 0; k < 8; ++k) value = (value << 8) | byte();
    return static_cast<std::int64_t>(value);
  }
  ByteView field() {
    const std::size_t size = (static_cast<std::size_t>(byte()) << 8) | byte();
    if (in_.size() - pos_ < size) malformed("truncated");
    const ByteView out = in_.subspan(pos_, size);
    pos_ += size;
    return out;
  }
  template <std::size_t N>
  void fixed(std::array<std::uint8_t, N>& out) {
    const ByteView value = field();
    if (value.size() != N) malformed("a field of " + std::to_string(value.size()) + " bytes, not " + std::to_string(N));
    std::copy(value.begin(), value.end(), out.begin());
  }
  // The padding: 80 then zeros to the end.
  void finish() {
    if (byte() != 0x80) malformed("bad padding");
    while (pos_ < in_.size()) {
      if (in_[pos_++] != 0x00) malformed("bad padding");
    }
  }

 private:
  ByteView in_;
  std::size_t pos_ = 0;
};

Bytes seal(Keystore& keystore, const KeyRef& kek, SecretBytes plain) {
  return keystore.wrap(kek, plain.view());
}

Bytes copy_of(ByteView view) {
  return Bytes(view.begin(), view.end());
}

// Unwraps a blob; the caller reads and checks its header (check_header, check_binding).
SecretBytes open(Keystore& keystore, const KeyRef& kek, ByteView sealed) {
  if (sealed.size() < 3 * kKeyWrapBlock || sealed.size() % kKeyWrapBlock != 0) malformed("not a sealed blob");
  try {
    return keystore.unwrap(kek, sealed);
  } catch (const Error& error) {
    if (error.code() != Errc::integrity_error) throw;
    malformed("does not verify under '" + kek.text() + "' (altered, or sealed by another key)");
  }
}

void check_header(Reader& in, std::uint8_t version, std::uint8_t kind) {
  if (in.byte() != version || in.byte() != kind) malformed("unknown version or kind");
}

void check_binding(Reader& in, ByteView binding) {
  const ByteView sealed_for = in.field();
  if (sealed_for.size() != binding.size() || !std::equal(sealed_for.begin(), sealed_for.end(), binding.begin())) {
    malformed("sealed for another campaign or terminal");
  }
}

}  // namespace

Bytes seal_online_session(Keystore& keystore, const KeyRef& kek, const OnlineSessionState& state, ByteView binding,
                          std::int64_t expires_at) {
  Writer out;
  out.byte(kSessionVersion);
  out.byte(kKindSession);
  out.time(expires_at);
  out.field(binding);
  out.field(state.se_id);
  out.byte(gp::scp11::scp_parameter(state.variant));
  out.byte(state.kvn);
  out.field(state.card_key);
  out.field(state.authenticate_data);
  out.field(state.ephemeral_key.view());
  out.field(bytes_of(state.oce_key));
  return seal(keystore, kek, out.finish());
}

OnlineSessionState open_online_session(Keystore& keystore, const KeyRef& kek, ByteView sealed, ByteView binding,
                                       std::int64_t now) {
  const SecretBytes plain = open(keystore, kek, sealed);
  Reader in(plain.view());
  check_header(in, kSessionVersion, kKindSession);
  const std::int64_t expires_at = in.time();
  check_binding(in, binding);
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
  Writer out;
  out.byte(kCheckVersion);
  out.byte(kKindCheck);
  out.time(0);
  out.field(binding);
  out.field(check.se_id);
  out.field(ByteView(check.receipt.data(), check.receipt.size()));
  out.field(check.keys.s_enc.view());
  out.field(check.keys.s_mac.view());
  out.field(check.keys.s_rmac.view());
  out.field(ByteView(check.authorize_counter.data(), check.authorize_counter.size()));
  out.field(ByteView(check.authorize_chaining_value.data(), check.authorize_chaining_value.size()));
  out.field(ByteView(check.campaign_id.data(), check.campaign_id.size()));
  return seal(keystore, kek, out.finish());
}

OnlineCheck open_online_check(Keystore& keystore, const KeyRef& kek, ByteView sealed, ByteView binding) {
  const SecretBytes plain = open(keystore, kek, sealed);
  Reader in(plain.view());
  check_header(in, kCheckVersion, kKindCheck);
  (void)in.time();  // a check does not expire: the report may come later than the session
  check_binding(in, binding);
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

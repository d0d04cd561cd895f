#include "gp/secure_messaging.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp {

namespace {

// The unwrap's pass over a data field goes chunk by chunk: each chunk is MACed and then decrypted
// while it is in the L1 cache. Large enough that the two OpenSSL calls per chunk cost nothing
// measurable, small enough to stay in L1 next to the MAC's scratch area.
constexpr std::size_t kUnwrapChunk = 16 * 1024;

}  // namespace

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

Scp03Counter scp03_counter(std::uint64_t value) noexcept {
  Scp03Counter counter{};
  for (std::size_t i = 0; i < 8; ++i) counter[15 - i] = static_cast<std::uint8_t>(value >> (8 * i));
  return counter;
}

void increment(Scp03Counter& counter) noexcept {
  for (std::size_t i = counter.size(); i-- > 0;) {
    if (++counter[i] != 0) return;
  }
}

void scp03_icv(crypto::Aes& s_enc, const Scp03Counter& counter, bool response, std::uint8_t* icv) {
  std::copy(counter.begin(), counter.end(), icv);
  if (response) icv[0] = 0x80;  // replaced, not ORed (Amd D §6.2.7)
  s_enc.encrypt_block(icv, icv);
}

Bytes scp03_icv(crypto::Aes& s_enc, std::uint64_t counter, bool response) {
  Bytes icv(crypto::kAesBlock);
  scp03_icv(s_enc, scp03_counter(counter), response, icv.data());
  return icv;
}

SecureMessaging::IcvBatch::~IcvBatch() {
  secure_zero(icvs.data(), icvs.size());
}

void SecureMessaging::command_icv_into(std::uint8_t* icv) {
  IcvBatch& batch = icv_batch_;
  // The entry is looked up by the counter value itself, so a counter set by begin() or resume(), or
  // moved by the other role's calls, simply misses and starts a new batch from that value.
  const bool hit = batch.next < IcvBatch::kSize &&
                   std::equal(counter_.begin(), counter_.end(),
                              batch.counters.begin() + static_cast<std::ptrdiff_t>(batch.next * crypto::kAesBlock));
  if (!hit) {
    Scp03Counter value = counter_;
    for (std::size_t k = 0; k < IcvBatch::kSize; ++k) {
      std::copy(value.begin(), value.end(),
                batch.counters.begin() + static_cast<std::ptrdiff_t>(k * crypto::kAesBlock));
      increment(value);
    }
    enc_.ecb_encrypt(batch.counters, batch.icvs.data());
    batch.next = 0;
  }
  std::copy_n(batch.icvs.begin() + static_cast<std::ptrdiff_t>(batch.next * crypto::kAesBlock), crypto::kAesBlock, icv);
  ++batch.next;
}

std::uint64_t SecureMessaging::counter() const noexcept {
  std::uint64_t value = 0;
  for (std::size_t i = 8; i < 16; ++i) value = (value << 8) | counter_[i];
  return value;
}

Bytes SecureMessaging::command_icv() {
  Bytes icv(crypto::kAesBlock);
  scp03_icv(enc_, counter_, false, icv.data());
  return icv;
}

Bytes SecureMessaging::response_icv() {
  Bytes icv(crypto::kAesBlock);
  scp03_icv(enc_, counter_, true, icv.data());
  return icv;
}

SecureMessaging::SecureMessaging(const SessionKeys& keys, Scp03Mode mode, std::uint8_t security_level)
    : mode_(mode), level_(security_level), enc_(keys.s_enc.view()), mac_(keys.s_mac.view()), rmac_(keys.s_rmac.view()) {
  if (!is_valid_security_level(security_level)) {
    throw Error(Errc::invalid_argument, "SCP03: security level must be 00, 01, 03, 11, 13 or 33");
  }
}

void SecureMessaging::command_mac_start(const crypto::Mac16& chaining_value, std::uint8_t cla, std::uint8_t ins,
                                        std::uint8_t p1, std::uint8_t p2, std::size_t data_prime_size, bool extended) {
  const std::size_t lc = data_prime_size + mac_size();
  // The chaining value and the header (of up to 7 bytes) in one piece: one update of the MAC.
  std::uint8_t start[sizeof(crypto::Mac16) + 7];
  std::copy(chaining_value.begin(), chaining_value.end(), start);
  std::size_t size = chaining_value.size();
  // The channel number is not protected; b3 marks GP secure messaging in the MACed class byte.
  start[size++] = static_cast<std::uint8_t>(iso7816::cla_without_channel(cla) | 0x04);
  start[size++] = ins;
  start[size++] = p1;
  start[size++] = p2;
  if (extended) {
    start[size++] = 0x00;
    start[size++] = static_cast<std::uint8_t>(lc >> 8);
  }
  start[size++] = static_cast<std::uint8_t>(lc);
  mac_.begin();
  mac_.update(ByteView(start, size));
}

crypto::Mac16 SecureMessaging::command_mac(const crypto::Mac16& chaining_value, std::uint8_t cla, std::uint8_t ins,
                                           std::uint8_t p1, std::uint8_t p2, ByteView data_prime, bool extended) {
  command_mac_start(chaining_value, cla, ins, p1, p2, data_prime.size(), extended);
  mac_.update(data_prime);
  return mac_.finish();
}

crypto::Mac16 SecureMessaging::external_authenticate_mac(std::uint8_t cla, std::uint8_t security_level,
                                                         ByteView host_cryptogram) {
  return command_mac(crypto::Mac16{}, cla, kInsExternalAuthenticate, security_level, 0x00, host_cryptogram, false);
}

void SecureMessaging::begin(const crypto::Mac16& external_authenticate_mac) {
  mcv_ = external_authenticate_mac;
  counter_ = Scp03Counter{};
}

void SecureMessaging::resume(const Scp03Counter& counter, const crypto::Mac16& chaining_value) {
  mcv_ = chaining_value;
  counter_ = counter;
}

void SecureMessaging::encrypt_field(Bytes& field, bool response) {
  crypto::pad80_in_place(field);  // minimal padding, always
  std::uint8_t icv[crypto::kAesBlock];
  if (response) {
    scp03_icv(enc_, counter_, true, icv);
  } else {
    command_icv_into(icv);
  }
  enc_.cbc_encrypt(ByteView(icv, sizeof icv), field, field.data());
}

std::optional<Bytes> SecureMessaging::decrypt_field(ByteView field, bool response, crypto::PaddingPolicy padding,
                                                    std::string* reason) {
  if (field.size() % crypto::kAesBlock != 0) {
    *reason = "ciphertext of " + std::to_string(field.size()) + " bytes is not a multiple of 16";
    return std::nullopt;
  }
  Bytes plain(field.size());
  std::uint8_t icv[crypto::kAesBlock];
  scp03_icv(enc_, counter_, response, icv);
  enc_.cbc_decrypt(ByteView(icv, sizeof icv), field, plain.data());
  const auto size = crypto::unpadded_size(plain, padding, crypto::kAesBlock, reason);
  if (!size) {
    secure_zero(plain.data(), plain.size());
    return std::nullopt;
  }
  plain.resize(*size);  // an encrypted empty field (one 80 00.. block) becomes empty data
  return plain;
}

CommandApdu SecureMessaging::wrap_command(const CommandApdu& plain) {
  if ((level_ & level::kCMac) == 0) return plain;
  increment(counter_);
  CommandApdu wire;
  wire.ins = plain.ins;
  wire.p1 = plain.p1;
  wire.p2 = plain.p2;
  wire.ne = plain.ne;
  wire.data.reserve(plain.data.size() + crypto::kAesBlock + mac_size());
  wire.data.assign(plain.data.begin(), plain.data.end());
  if ((level_ & level::kCDecryption) != 0 && !plain.data.empty()) encrypt_field(wire.data, false);
  const std::size_t lc = wire.data.size() + mac_size();
  if (lc > iso7816::kMaxExtendedData) {
    throw Error(Errc::invalid_argument, "SCP03: " + std::to_string(plain.data.size()) +
                                            " data bytes do not fit one protected command (Lc would be " +
                                            std::to_string(lc) + ")");
  }
  wire.extended = plain.extended || lc > iso7816::kMaxShortData || (plain.ne && *plain.ne > iso7816::kMaxShortNe);
  const std::uint8_t base = iso7816::cla_without_channel(plain.cla);
  wire.cla = iso7816::cla_for_channel(base, plain.channel(), true);
  mcv_ = command_mac(mcv_, plain.cla, plain.ins, plain.p1, plain.p2, wire.data, wire.extended);
  wire.data.insert(wire.data.end(), mcv_.begin(), mcv_.begin() + static_cast<std::ptrdiff_t>(mac_size()));
  return wire;
}

std::optional<CommandApdu> SecureMessaging::unwrap_command(const CommandApdu& wire, std::string* reason) {
  return unwrap_command(CommandApdu(wire), reason);
}

namespace {

// A refusal: no result, and the reason for whoever asked for it.
template <typename Result = CommandApdu>
std::optional<Result> refused(std::string* reason, std::string why) {
  if (reason != nullptr) *reason = std::move(why);
  return std::nullopt;
}

// The plain command: the header of the wire command without the secure-messaging indication, the
// plaintext `data` of `size` bytes.
CommandApdu plain_command(const CommandApdu& wire, Bytes&& data, std::size_t size) {
  CommandApdu plain;
  plain.cla = iso7816::cla_without_secure_messaging(wire.cla);
  plain.ins = wire.ins;
  plain.p1 = wire.p1;
  plain.p2 = wire.p2;
  plain.ne = wire.ne;
  plain.data = std::move(data);
  plain.data.resize(size);
  return plain;
}

}  // namespace

bool SecureMessaging::carries_c_mac(std::uint8_t cla, std::size_t data_size) const noexcept {
  return iso7816::has_secure_messaging(cla) && data_size >= mac_size();
}

std::string SecureMessaging::missing_c_mac_reason(std::uint8_t cla, std::size_t data_size) const {
  if (!iso7816::has_secure_messaging(cla)) {
    return "command without secure messaging at security level " + std::to_string(level_);
  }
  return "data field of " + std::to_string(data_size) + " bytes cannot hold the C-MAC";
}

std::optional<std::size_t> SecureMessaging::verify_and_decrypt(const CommandApdu& header, bool extended,
                                                               ByteView wire_data, std::uint8_t* out,
                                                               std::string* reason) {
  increment(counter_);
  const std::size_t body_size = wire_data.size() - mac_size();
  // Copied first: when `out` is the wire buffer itself, the plaintext overwrites the field in place.
  std::uint8_t received_mac[crypto::kAesBlock];
  std::copy_n(wire_data.data() + body_size, mac_size(), received_mac);
  const ByteView body = wire_data.first(body_size);
  // A field that is not whole blocks is only MACed: if the MAC holds, it is refused as malformed.
  const bool decrypt = (level_ & level::kCDecryption) != 0 && body_size != 0 && body_size % crypto::kAesBlock == 0;
  if (decrypt) {
    std::uint8_t icv[crypto::kAesBlock];
    command_icv_into(icv);
    enc_.cbc_decrypt_begin(ByteView(icv, sizeof icv));
  }
  command_mac_start(mcv_, header.cla, header.ins, header.p1, header.p2, body_size, extended);
  for (std::size_t at = 0; at < body_size; at += kUnwrapChunk) {
    const ByteView chunk = body.subspan(at, std::min(kUnwrapChunk, body_size - at));
    mac_.update(chunk);  // the MAC covers the ciphertext, which is then replaced by the plaintext
    if (decrypt) {
      enc_.cbc_decrypt_continue(chunk, out + at);
    } else if (out + at != chunk.data()) {
      std::copy(chunk.begin(), chunk.end(), out + at);
    }
  }
  const crypto::Mac16 expected = mac_.finish();
  if (!constant_time_equal(ByteView(expected.data(), mac_size()), ByteView(received_mac, mac_size()))) {
    if (decrypt) secure_zero(out, body_size);
    return refused<std::size_t>(reason, "C-MAC mismatch");
  }
  mcv_ = expected;
  if ((level_ & level::kCDecryption) == 0 || body_size == 0) return body_size;
  std::string why;
  const auto size =
      decrypt ? crypto::unpadded_size(ByteView(out, body_size), crypto::PaddingPolicy::strict, crypto::kAesBlock, &why)
              : std::nullopt;
  if (!decrypt) why = "ciphertext of " + std::to_string(body_size) + " bytes is not a multiple of 16";
  if (!size) {
    secure_zero(out, body_size);
    return refused<std::size_t>(reason, "C-DECRYPTION " + why);
  }
  return *size;  // an encrypted empty field (one 80 00.. block) becomes empty data
}

std::optional<CommandApdu> SecureMessaging::unwrap_command(CommandApdu&& wire, std::string* reason) {
  if ((level_ & level::kCMac) == 0) {
    // Level 00 (authenticated only): commands travel in clear; one claiming protection is refused.
    if (iso7816::has_secure_messaging(wire.cla))
      return refused(reason, "secure messaging indicated at security level 00");
    return std::move(wire);
  }
  if (!carries_c_mac(wire.cla, wire.data.size()))
    return refused(reason, missing_c_mac_reason(wire.cla, wire.data.size()));
  const bool extended = wire.uses_extended();
  const auto size = verify_and_decrypt(wire, extended, wire.data, wire.data.data(), reason);
  if (!size) return std::nullopt;
  return plain_command(wire, std::move(wire.data), *size);
}

std::optional<CommandApdu> SecureMessaging::unwrap_command(iso7816::CommandApduView wire, std::string* reason) {
  if ((level_ & level::kCMac) == 0 || !iso7816::has_secure_messaging(wire.header.cla)) {
    return unwrap_command(std::move(wire).to_command(), reason);  // in clear, or refused
  }
  if (!carries_c_mac(wire.header.cla, wire.data.size())) {
    return refused(reason, missing_c_mac_reason(wire.header.cla, wire.data.size()));
  }
  // The only pass over the wire bytes: each chunk is MACed and decrypted straight into the buffer
  // the plain command will own.
  Bytes plain(wire.data.size() - mac_size());
  const auto size = verify_and_decrypt(wire.header, wire.uses_extended(), wire.data, plain.data(), reason);
  if (!size) return std::nullopt;
  return plain_command(wire.header, std::move(plain), *size);
}

ResponseApdu SecureMessaging::wrap_response(const ResponseApdu& plain) {
  if ((level_ & level::kRMac) == 0) return plain;
  if (!iso7816::sw::is_success_or_warning(plain.sw)) return ResponseApdu(plain.sw);
  ResponseApdu wire;
  wire.sw = plain.sw;
  wire.data.reserve(plain.data.size() + crypto::kAesBlock + mac_size());
  wire.data.assign(plain.data.begin(), plain.data.end());
  if ((level_ & level::kREncryption) != 0 && !plain.data.empty()) encrypt_field(wire.data, true);
  const std::uint8_t sw[2] = {plain.sw1(), plain.sw2()};
  const crypto::Mac16 rmac = rmac_.compute({ByteView(mcv_.data(), mcv_.size()), wire.data, ByteView(sw, 2)});
  wire.data.insert(wire.data.end(), rmac.begin(), rmac.begin() + static_cast<std::ptrdiff_t>(mac_size()));
  return wire;
}

ResponseApdu SecureMessaging::unwrap_response(const ResponseApdu& wire, crypto::PaddingPolicy padding) {
  if ((level_ & level::kRMac) == 0) return wire;
  if (!iso7816::sw::is_success_or_warning(wire.sw)) return wire;  // error status words carry no R-MAC
  if (wire.data.size() < mac_size()) {
    throw Error(Errc::protocol_error, "SCP03: response data of " + std::to_string(wire.data.size()) +
                                          " bytes is too short for the R-MAC (status " +
                                          iso7816::sw::status_word_name(wire.sw) + ")");
  }
  const std::size_t body_size = wire.data.size() - mac_size();
  const ByteView body(wire.data.data(), body_size);
  const std::uint8_t sw[2] = {wire.sw1(), wire.sw2()};
  const crypto::Mac16 rmac = rmac_.compute({ByteView(mcv_.data(), mcv_.size()), body, ByteView(sw, 2)});
  if (!constant_time_equal(ByteView(rmac.data(), mac_size()), ByteView(wire.data.data() + body_size, mac_size()))) {
    throw Error(Errc::integrity_error, "SCP03: R-MAC mismatch");
  }
  ResponseApdu plain;
  plain.sw = wire.sw;
  if ((level_ & level::kREncryption) != 0 && body_size != 0) {
    std::string why;
    auto data = decrypt_field(body, true, padding, &why);
    if (!data) throw Error(Errc::integrity_error, "SCP03: R-ENC " + why);
    plain.data = std::move(*data);
  } else {
    plain.data.assign(body.begin(), body.end());
  }
  return plain;
}

}  // namespace sefleet::gp

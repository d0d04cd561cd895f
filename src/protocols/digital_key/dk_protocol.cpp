#include "protocols/digital_key/dk_protocol.hpp"

#include <algorithm>
#include <initializer_list>
#include <map>
#include <utility>

#include "core/error.hpp"
#include "crypto/aes.hpp"
#include "crypto/kdf.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::protocols::dk {
namespace {

void put_tlv(Bytes& out, std::uint8_t tag, ByteView value) {
  iso7816::encode_tag(out, tag);
  iso7816::encode_length(out, value.size());
  append(out, value);
}

// The top-level objects of `data`, each tag at most once and only from `allowed`; throws
// Error(parse_error) naming the message otherwise. Strict so that two encodings never mean one message.
std::map<std::uint8_t, ByteView> parse_fields(ByteView data, std::initializer_list<std::uint8_t> allowed,
                                              std::string_view what) {
  std::vector<iso7816::TlvView> objects;
  try {
    objects = iso7816::parse_tlv_flat(data);
  } catch (const Error& error) {
    throw Error(Errc::parse_error, std::string(what) + ": malformed TLV: " + error.what());
  }
  std::map<std::uint8_t, ByteView> fields;
  for (const auto& object : objects) {
    const bool known = object.tag <= 0xFF && std::find(allowed.begin(), allowed.end(), object.tag) != allowed.end();
    if (!known) throw Error(Errc::parse_error, std::string(what) + ": unexpected tag " + iso7816::tag_hex(object.tag));
    const auto tag = static_cast<std::uint8_t>(object.tag);
    if (!fields.emplace(tag, object.value).second) {
      throw Error(Errc::parse_error, std::string(what) + ": tag " + iso7816::tag_hex(tag) + " appears twice");
    }
  }
  return fields;
}

ByteView required(const std::map<std::uint8_t, ByteView>& fields, std::uint8_t tag, std::size_t size,
                  std::string_view what, std::string_view field) {
  const auto found = fields.find(tag);
  if (found == fields.end()) {
    throw Error(Errc::parse_error,
                std::string(what) + ": " + std::string(field) + " (tag " + iso7816::tag_hex(tag) + ") missing");
  }
  if (found->second.size() != size) {
    throw Error(Errc::parse_error, std::string(what) + ": " + std::string(field) + " must be " + std::to_string(size) +
                                       " bytes, got " + std::to_string(found->second.size()));
  }
  return found->second;
}

Bytes to_bytes(ByteView view) {
  return Bytes(view.begin(), view.end());
}

Bytes version_bytes(std::uint16_t version) {
  Bytes out;
  put_be16(out, version);
  return out;
}

Bytes auth_data(const TransactionContext& context, std::uint32_t usage) {
  Bytes out;
  put_tlv(out, kTagVehicleId, context.vehicle_id);
  put_tlv(out, kTagDeviceId, context.device_id);
  put_tlv(out, kTagVehicleEpk, context.vehicle_epk_x);
  put_tlv(out, kTagDeviceEpk, context.device_epk_x);
  put_tlv(out, kTagTransactionId, context.transaction_id);
  Bytes usage_bytes;
  put_be32(usage_bytes, usage);
  put_tlv(out, kTagUsage, usage_bytes);
  return out;
}

Bytes key_info(const TransactionContext& context, std::string_view label) {
  Bytes info;
  append(info, context.vehicle_epk_x);
  append(info, context.device_epk_x);
  append(info, context.transaction_id);
  info.push_back(context.interface_byte);
  append(info, bytes_of(label));
  put_tlv(info, kTagVersion, version_bytes(context.version));
  return info;
}

}  // namespace

std::string_view door_state_name(DoorState state) noexcept {
  return state == DoorState::unlocked ? "unlocked" : "locked";
}

Bytes encode_select_response(const std::vector<std::uint16_t>& versions) {
  if (versions.empty()) throw Error(Errc::invalid_argument, "dk SELECT response: no protocol version");
  Bytes list;
  for (const auto version : versions) put_be16(list, version);
  Bytes out;
  put_tlv(out, kTagVersion, list);
  return out;
}

std::vector<std::uint16_t> decode_select_response(ByteView data) {
  const auto fields = parse_fields(data, {kTagVersion}, "dk SELECT response");
  const auto found = fields.find(kTagVersion);
  if (found == fields.end()) throw Error(Errc::parse_error, "dk SELECT response: version list (tag 5C) missing");
  const ByteView list = found->second;
  if (list.empty() || list.size() % 2 != 0) {
    throw Error(Errc::parse_error, "dk SELECT response: version list must be a non-empty multiple of 2 bytes");
  }
  std::vector<std::uint16_t> versions;
  for (std::size_t offset = 0; offset < list.size(); offset += 2) versions.push_back(read_be16(list, offset));
  return versions;
}

Bytes encode_auth0(const Auth0Command& command) {
  Bytes out;
  put_tlv(out, kTagVersion, version_bytes(command.version));
  put_tlv(out, kTagDeviceEpk, command.device_epk);
  put_tlv(out, kTagTransactionId, command.transaction_id);
  put_tlv(out, kTagDeviceId, command.device_id);
  return out;
}

Auth0Command decode_auth0(ByteView data) {
  constexpr std::string_view what = "dk AUTH0";
  const auto fields = parse_fields(data, {kTagVersion, kTagDeviceEpk, kTagTransactionId, kTagDeviceId}, what);
  Auth0Command command;
  command.version = read_be16(required(fields, kTagVersion, 2, what, "version"), 0);
  command.device_epk = to_bytes(required(fields, kTagDeviceEpk, 65, what, "device ephemeral public key"));
  command.transaction_id = to_bytes(required(fields, kTagTransactionId, kTransactionIdSize, what, "transaction id"));
  command.device_id = to_bytes(required(fields, kTagDeviceId, kIdentifierSize, what, "device id"));
  return command;
}

Bytes encode_auth0_response(ByteView vehicle_epk) {
  Bytes out;
  put_tlv(out, kTagVehicleEpk, vehicle_epk);
  return out;
}

Bytes decode_auth0_response(ByteView data) {
  const auto fields = parse_fields(data, {kTagVehicleEpk}, "dk AUTH0 response");
  return to_bytes(required(fields, kTagVehicleEpk, 65, "dk AUTH0 response", "vehicle ephemeral public key"));
}

Bytes encode_auth1(ByteView device_signature) {
  Bytes out;
  put_tlv(out, kTagSignature, device_signature);
  return out;
}

Bytes decode_auth1(ByteView data) {
  const auto fields = parse_fields(data, {kTagSignature}, "dk AUTH1");
  return to_bytes(required(fields, kTagSignature, 64, "dk AUTH1", "device signature"));
}

Bytes encode_auth1_plain(const Auth1Plain& plain) {
  Bytes out;
  put_tlv(out, kTagSignature, plain.vehicle_signature);
  put_tlv(out, kTagKeySlot, Bytes{plain.key_slot});
  return out;
}

Auth1Plain decode_auth1_plain(ByteView data) {
  constexpr std::string_view what = "dk AUTH1 response";
  const auto fields = parse_fields(data, {kTagSignature, kTagKeySlot}, what);
  Auth1Plain plain;
  plain.vehicle_signature = to_bytes(required(fields, kTagSignature, 64, what, "vehicle signature"));
  plain.key_slot = required(fields, kTagKeySlot, 1, what, "key slot")[0];
  return plain;
}

Bytes encode_exchange_request(DoorCommand command) {
  Bytes out;
  put_tlv(out, kTagDoorCommand, Bytes{static_cast<std::uint8_t>(command)});
  return out;
}

DoorCommand decode_exchange_request(ByteView data) {
  const auto fields = parse_fields(data, {kTagDoorCommand}, "dk EXCHANGE");
  const std::uint8_t value = required(fields, kTagDoorCommand, 1, "dk EXCHANGE", "door command")[0];
  if (value != static_cast<std::uint8_t>(DoorCommand::unlock) &&
      value != static_cast<std::uint8_t>(DoorCommand::lock)) {
    throw Error(Errc::parse_error, "dk EXCHANGE: unknown door command " + std::to_string(value));
  }
  return static_cast<DoorCommand>(value);
}

Bytes encode_exchange_response(const ExchangeResult& result) {
  Bytes out;
  put_tlv(out, kTagDoorState, Bytes{static_cast<std::uint8_t>(result.state)});
  Bytes counter;
  put_be32(counter, result.transaction_counter);
  put_tlv(out, kTagTransactionCounter, counter);
  return out;
}

ExchangeResult decode_exchange_response(ByteView data) {
  constexpr std::string_view what = "dk EXCHANGE response";
  const auto fields = parse_fields(data, {kTagDoorState, kTagTransactionCounter}, what);
  const std::uint8_t state = required(fields, kTagDoorState, 1, what, "door state")[0];
  if (state > static_cast<std::uint8_t>(DoorState::unlocked)) {
    throw Error(Errc::parse_error, "dk EXCHANGE response: unknown door state " + std::to_string(state));
  }
  ExchangeResult result;
  result.state = static_cast<DoorState>(state);
  result.transaction_counter = read_be32(required(fields, kTagTransactionCounter, 4, what, "transaction counter"), 0);
  return result;
}

Bytes device_auth_data(const TransactionContext& context) {
  return auth_data(context, kDeviceUsage);
}
Bytes vehicle_auth_data(const TransactionContext& context) {
  return auth_data(context, kVehicleUsage);
}

SecretBytes HostDkCrypto::x963_kdf_sha256(ByteView z, ByteView shared_info, std::size_t length) {
  return crypto::x963_kdf_sha256(z, shared_info, length);
}
SecretBytes HostDkCrypto::hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length) {
  return crypto::hkdf_sha256(ikm, salt, info, length);
}
Bytes HostDkCrypto::aes_cbc_encrypt(ByteView key, ByteView iv, ByteView data) {
  return crypto::Aes(key).cbc_encrypt(iv, data);
}
Bytes HostDkCrypto::aes_cbc_decrypt(ByteView key, ByteView iv, ByteView data) {
  return crypto::Aes(key).cbc_decrypt(iv, data);
}
crypto::Mac16 HostDkCrypto::cmac(ByteView key, ByteView data) {
  return crypto::aes_cmac(key, data);
}

SecretBytes derive_kdh(DkCrypto& crypto, ByteView z, ByteView transaction_id) {
  return crypto.x963_kdf_sha256(z, transaction_id, 32);
}

SessionKeys derive_session_keys(DkCrypto& crypto, ByteView kdh, const TransactionContext& context) {
  const SecretBytes material = crypto.hkdf_sha256(kdh, {}, key_info(context, "Volatile"), 48);
  SessionKeys keys;
  keys.kenc = SecretBytes(material.view().subspan(0, 16));
  keys.kmac = SecretBytes(material.view().subspan(16, 16));
  keys.krmac = SecretBytes(material.view().subspan(32, 16));
  return keys;
}

SecretBytes derive_persistent_key(DkCrypto& crypto, ByteView kdh, const TransactionContext& context) {
  return crypto.hkdf_sha256(kdh, {}, key_info(context, "Persistent"), 32);
}

SecureChannel::SecureChannel(SessionKeys keys) : keys_(std::move(keys)), chain_(16, 0x00) {}

Bytes SecureChannel::icv(DkCrypto& crypto, std::uint8_t first_byte, std::uint32_t counter) {
  Bytes block(16, 0x00);
  block[0] = first_byte;
  block[12] = static_cast<std::uint8_t>(counter >> 24);
  block[13] = static_cast<std::uint8_t>(counter >> 16);
  block[14] = static_cast<std::uint8_t>(counter >> 8);
  block[15] = static_cast<std::uint8_t>(counter);
  // One block of CBC under a zero IV is the block cipher itself.
  return crypto.aes_cbc_encrypt(keys_.kenc.view(), Bytes(16, 0x00), block);
}

Bytes SecureChannel::mac_input_command(ByteView chain, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
                                       std::uint8_t p2, ByteView cipher) {
  Bytes input(chain.begin(), chain.end());
  const std::size_t lc = cipher.size() + kSmMacSize;
  input.insert(input.end(), {cla, ins, p1, p2, static_cast<std::uint8_t>(lc)});
  append(input, cipher);
  return input;
}

Bytes SecureChannel::wrap_command(DkCrypto& crypto, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
                                  std::uint8_t p2, ByteView plain) {
  if (plain.size() > 200) throw Error(Errc::invalid_argument, "dk secure messaging: command data above 200 bytes");
  ++command_counter_;
  Bytes cipher = crypto.aes_cbc_encrypt(keys_.kenc.view(), icv(crypto, 0x00, command_counter_), crypto::pad80(plain));
  const crypto::Mac16 mac = crypto.cmac(keys_.kmac.view(), mac_input_command(chain_, cla, ins, p1, p2, cipher));
  chain_.assign(mac.begin(), mac.end());
  append(cipher, ByteView(mac.data(), kSmMacSize));
  return cipher;
}

std::optional<Bytes> SecureChannel::unwrap_command(DkCrypto& crypto, std::uint8_t cla, std::uint8_t ins,
                                                   std::uint8_t p1, std::uint8_t p2, ByteView data,
                                                   std::string* reason) {
  auto refuse = [&](std::string why) -> std::optional<Bytes> {
    if (reason != nullptr) *reason = std::move(why);
    return std::nullopt;
  };
  if (data.size() < crypto::kAesBlock + kSmMacSize || (data.size() - kSmMacSize) % crypto::kAesBlock != 0) {
    return refuse("secure messaging: data is not cipher blocks followed by an 8-byte MAC");
  }
  const ByteView cipher = data.first(data.size() - kSmMacSize);
  const ByteView received_mac = data.last(kSmMacSize);
  const crypto::Mac16 mac = crypto.cmac(keys_.kmac.view(), mac_input_command(chain_, cla, ins, p1, p2, cipher));
  if (!constant_time_equal(ByteView(mac.data(), kSmMacSize), received_mac)) {
    return refuse("secure messaging: C-MAC does not verify (altered or replayed command)");
  }
  // Only a verified command moves the channel on.
  chain_.assign(mac.begin(), mac.end());
  ++command_counter_;
  Bytes plain = crypto.aes_cbc_decrypt(keys_.kenc.view(), icv(crypto, 0x00, command_counter_), cipher);
  const auto size = crypto::unpadded_size(plain, crypto::PaddingPolicy::strict, crypto::kAesBlock, reason);
  if (!size) return std::nullopt;
  plain.resize(*size);
  return plain;
}

Bytes SecureChannel::wrap_response(DkCrypto& crypto, ByteView plain, std::uint16_t sw) {
  ++response_counter_;
  Bytes cipher = crypto.aes_cbc_encrypt(keys_.kenc.view(), icv(crypto, 0x80, response_counter_), crypto::pad80(plain));
  Bytes input = chain_;
  append(input, cipher);
  put_be16(input, sw);
  const crypto::Mac16 mac = crypto.cmac(keys_.krmac.view(), input);
  append(cipher, ByteView(mac.data(), kSmMacSize));
  return cipher;
}

Bytes SecureChannel::unwrap_response(DkCrypto& crypto, ByteView data, std::uint16_t sw) {
  if (data.size() < crypto::kAesBlock + kSmMacSize || (data.size() - kSmMacSize) % crypto::kAesBlock != 0) {
    throw Error(Errc::integrity_error, "dk secure messaging: response is not cipher blocks followed by an 8-byte MAC");
  }
  const ByteView cipher = data.first(data.size() - kSmMacSize);
  Bytes input = chain_;
  append(input, cipher);
  put_be16(input, sw);
  const crypto::Mac16 mac = crypto.cmac(keys_.krmac.view(), input);
  if (!constant_time_equal(ByteView(mac.data(), kSmMacSize), data.last(kSmMacSize))) {
    throw Error(Errc::integrity_error, "dk secure messaging: R-MAC does not verify");
  }
  ++response_counter_;
  Bytes plain = crypto.aes_cbc_decrypt(keys_.kenc.view(), icv(crypto, 0x80, response_counter_), cipher);
  return crypto::unpad80(plain);
}

}  // namespace sefleet::protocols::dk

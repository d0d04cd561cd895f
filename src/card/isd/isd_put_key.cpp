// PUT KEY (GPCS §11.8, Amd D §7.2) of the ISD's SCP03 key sets: adds a new key set (P1 = 00) or
// replaces keys of the set P1, in one transaction. P2 b8 = 1: one key data field per key, the first
// with key identifier P2 b7..b1 and each next one with the next identifier; P2 b8 = 0: one key data
// field for key identifier P2. Key identifiers 01 ENC, 02 MAC, 03 DEK. Each AES key is encrypted under
// the static Key-DEK of the session's key set (AES-CBC, zero ICV); its key component block is either
// "length of the key, ciphertext of the padded key" (GPCS Table 11-70) or, when its length is a
// multiple of 16, the ciphertext alone (Table 11-71). Layout and refusals: docs/isd.md "PUT KEY".
#include <array>
#include <optional>
#include <vector>

#include "card/isd/isd_command.hpp"
#include "core/secret.hpp"
#include "crypto/aes.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kKeyTypeAes = 0x88;
constexpr std::uint8_t kKeyTypeExtended = 0xFF;  // 'FF xx': the extended format (Table 11-69)
constexpr std::size_t kAesKcvLength = 3;
constexpr std::size_t kAesBlock = 16;

[[noreturn]] void wrong_data(const char* why) {
  throw StatusWordError(sw::kWrongData, why);
}

// Reads the PUT KEY data field front to back; running past the end is wrong data.
class FieldReader {
 public:
  explicit FieldReader(ByteView data) : data_(data) {}
  bool done() const noexcept { return at_ == data_.size(); }
  std::uint8_t peek() const {
    if (done()) wrong_data("PUT KEY: key data field truncated");
    return data_[at_];
  }
  std::uint8_t byte() {
    const std::uint8_t value = peek();
    ++at_;
    return value;
  }
  ByteView take(std::size_t count) {
    if (data_.size() - at_ < count) wrong_data("PUT KEY: key data field truncated");
    const ByteView out = data_.subspan(at_, count);
    at_ += count;
    return out;
  }
  // A BER length as GPCS §11.8.2.3.1 codes it: '01'..'80' (128 in one byte for backward
  // compatibility), '81 80'..'81 FF', '82 0100'..'82 FFFF'.
  std::size_t length() {
    const std::uint8_t first = byte();
    if (first >= 0x01 && first <= 0x80) return first;
    if (first == 0x81) {
      const std::uint8_t value = byte();
      if (value < 0x80) wrong_data("PUT KEY: length not minimally coded");
      return value;
    }
    if (first == 0x82) {
      const std::size_t high = byte();  // two statements: the operands of | are unsequenced
      const std::size_t value = (high << 8) | byte();
      if (value < 0x100) wrong_data("PUT KEY: length not minimally coded");
      return value;
    }
    wrong_data("PUT KEY: bad length");
  }
  ByteView rest() {
    const ByteView out = data_.subspan(at_);
    at_ = data_.size();
    return out;
  }

 private:
  ByteView data_;
  std::size_t at_ = 0;
};

// One key data field in the basic format (GPCS Table 11-68): its key components (type, key component
// block) and the key check value.
struct KeyComponent {
  std::uint8_t type = 0;
  ByteView block;
};
struct KeyDataField {
  std::vector<KeyComponent> components;
  ByteView kcv;
};

KeyDataField read_key_data_field(FieldReader& reader) {
  KeyDataField field;
  if (reader.peek() == kKeyTypeExtended) wrong_data("PUT KEY: the extended key format (FF xx) is not supported");
  // Key types are 80..FE, key check value lengths 00..7F: the next byte tells which follows.
  while (reader.peek() >= 0x80) {
    const std::uint8_t type = reader.byte();
    if (type == kKeyTypeExtended) wrong_data("PUT KEY: the extended key format (FF xx) is not supported");
    const std::size_t length = reader.length();
    field.components.push_back({type, reader.take(length)});
  }
  if (field.components.empty()) wrong_data("PUT KEY: key data field without a key type");
  field.kcv = reader.take(reader.byte());
  return field;
}

// The clear AES key of one key component block, decrypted under the Key-DEK (GPCS §11.8.2.3.3).
SecretBytes decrypt_aes_component(ByteView block, crypto::Aes& dek) {
  ByteView cipher = block;
  std::optional<std::size_t> stated_length;
  if (block.size() % kAesBlock != 0) {  // Table 11-70: the key's length, then the padded key encrypted
    FieldReader inner(block);
    stated_length = inner.length();
    cipher = inner.rest();
  }
  const std::size_t key_length = stated_length.value_or(cipher.size());
  if (!crypto::is_aes_key_size(key_length)) wrong_data("PUT KEY: AES key length must be 16, 24 or 32");
  if (cipher.size() != (key_length + kAesBlock - 1) / kAesBlock * kAesBlock) {
    wrong_data("PUT KEY: key component block length does not match the key length");
  }
  SecretBytes plain(cipher.size());
  const std::array<std::uint8_t, kAesBlock> zero_iv{};
  dek.cbc_decrypt(zero_iv, cipher, plain.data());
  return SecretBytes(plain.view().first(key_length));
}

// The clear key of one key data field, its key check value verified. The key type selects how the
// components make a key: AES (88) is one encrypted component with a 3-byte KCV (Amd D §7.2.2).
SecretBytes decode_key(const KeyDataField& field, crypto::Aes& dek) {
  const std::uint8_t type = field.components.front().type;
  switch (type) {
    case kKeyTypeAes: {
      if (field.components.size() != 1) wrong_data("PUT KEY: an AES key has one key component");
      SecretBytes key = decrypt_aes_component(field.components.front().block, dek);
      if (field.kcv.size() != kAesKcvLength) wrong_data("PUT KEY: an AES key needs a 3-byte key check value");
      if (!constant_time_equal(gp::key_check_value(key.view()), field.kcv)) {
        throw StatusWordError(sw::kSecurityStatusNotSatisfied, "PUT KEY: key check value mismatch");  // Table 11-78
      }
      return key;
    }
    default:  // DES (80..84) and every other type: the ISD holds SCP03 (AES) key sets only
      wrong_data("PUT KEY: key type not supported (SCP03 key sets are AES, 88)");
  }
}

// The keys of the command by key identifier (index 0..2 = ENC, MAC, DEK) and the KCVs to answer.
struct PresentedKeys {
  std::array<std::optional<SecretBytes>, 3> keys;
  std::size_t count = 0;
  Bytes kcvs;  // in command order, as the response returns them
};

PresentedKeys read_keys(const IsdCall& call, ByteView fields, crypto::Aes& dek, bool replacing) {
  const std::uint8_t p2 = call.command.p2;
  const bool multiple = (p2 & 0x80) != 0;
  std::uint8_t id = p2 & 0x7F;
  PresentedKeys out;
  FieldReader reader(fields);
  if (reader.done()) wrong_data("PUT KEY: no key data field");
  while (!reader.done()) {
    if (out.count == 1 && !multiple) wrong_data("PUT KEY: P2 b8 = 0 announces a single key");
    const KeyDataField field = read_key_data_field(reader);
    if (id < gp::kKeyIdEnc || id > gp::kKeyIdDek) {
      // An SCP03 key set has keys 01..03 only: replacing another identifier refers to no key.
      if (replacing) throw StatusWordError(sw::kReferencedDataNotFound, "PUT KEY: no such key identifier in the set");
      wrong_data("PUT KEY: SCP03 key identifiers are 01 (ENC), 02 (MAC), 03 (DEK)");
    }
    SecretBytes key = decode_key(field, dek);
    append(out.kcvs, field.kcv);
    out.keys[id - 1] = std::move(key);
    ++out.count;
    ++id;
  }
  return out;
}

// The key set after the command: the presented keys, completed from the replaced set.
gp::StaticKeySet merged_key_set(std::uint8_t kvn, PresentedKeys& presented, const StoredKeySet* replaced) {
  std::array<SecretBytes, 3> keys;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (presented.keys[i]) {
      keys[i] = std::move(*presented.keys[i]);
    } else if (replaced != nullptr) {
      const gp::StaticKeySet& old = replaced->keys;
      keys[i] = i == 0 ? old.enc : i == 1 ? old.mac : old.dek;
    } else {
      throw StatusWordError(sw::kConditionsNotSatisfied, "PUT KEY: a new SCP03 key set needs ENC, MAC and DEK");
    }
  }
  // Amd D §6.1: one length for the three keys; GPCS §11.8.2.3.3: a replaced key keeps its length.
  const std::size_t length = replaced != nullptr ? replaced->keys.key_size() : keys[0].size();
  for (const SecretBytes& key : keys) {
    if (key.size() != length) {
      wrong_data(replaced != nullptr ? "PUT KEY: a replaced key keeps its length"
                                     : "PUT KEY: ENC, MAC and DEK must have the same length");
    }
  }
  return gp::StaticKeySet(kvn, std::move(keys[0]), std::move(keys[1]), std::move(keys[2]));
}

}  // namespace

iso7816::ResponseApdu put_key(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  const auto& cmd = call.command;
  if ((cmd.p1 & 0x80) != 0) throw StatusWordError(sw::kIncorrectP1P2, "PUT KEY: multi-command sequences unsupported");
  if (cmd.data.empty()) throw StatusWordError(sw::kWrongLength, "PUT KEY: no data");
  CardState& state = call.state;

  const std::uint8_t replaced_kvn = cmd.p1;
  const StoredKeySet* replaced = replaced_kvn == 0 ? nullptr : state.find_key_set(replaced_kvn);
  if (replaced_kvn != 0 && replaced == nullptr) {
    throw StatusWordError(sw::kReferencedDataNotFound, "PUT KEY: no key set to replace");
  }
  const std::uint8_t new_kvn = cmd.data[0];
  if (new_kvn == 0 || new_kvn > 0x7F) wrong_data("PUT KEY: new KVN must be 01..7F");
  if (new_kvn != replaced_kvn && state.find_key_set(new_kvn) != nullptr) wrong_data("PUT KEY: new KVN already in use");
  if (replaced == nullptr && state.key_sets().size() >= kMaxKeySets) {
    throw StatusWordError(sw::kNotEnoughMemory, "PUT KEY: key set table full");
  }

  const gp::Scp03Card* channel = call.ctx.secure_channel();
  const StoredKeySet* session_set = channel == nullptr ? nullptr : state.find_key_set(channel->key_version());
  if (session_set == nullptr) throw StatusWordError(sw::kSecurityStatusNotSatisfied, "PUT KEY: no session key set");
  crypto::Aes dek(session_set->keys.dek.view());
  PresentedKeys presented = read_keys(call, ByteView(cmd.data).subspan(1), dek, replaced != nullptr);

  const bool whole_set = presented.count == 3;
  // One KVN per key set here: keys replaced one by one stay in their set under its version.
  if (!whole_set && replaced != nullptr && new_kvn != replaced_kvn) {
    wrong_data("PUT KEY: replacing some keys of a set keeps its KVN");
  }
  const gp::StaticKeySet keys = merged_key_set(new_kvn, presented, replaced);
  if (whole_set) {
    // A whole set, new or replacing: its sequence counter starts at 000000 (Amd D §6.2.2.1).
    state.put_key_set(keys, replaced == nullptr ? std::nullopt : std::optional<std::uint8_t>(replaced_kvn));
  } else {
    state.replace_keys(keys);
  }

  Bytes response{new_kvn};
  append(response, presented.kcvs);
  return iso7816::ResponseApdu(std::move(response), sw::kOk);
}

}  // namespace sefleet::card::isd

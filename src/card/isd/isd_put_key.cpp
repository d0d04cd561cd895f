// PUT KEY (GPCS §11.8, Amd D §7.2) of the ISD's SCP03 key sets: adds a new key set (P1 = 00) or
// replaces keys of the set P1, in one transaction. P2 b8 = 1: one key data field per key, the first
// with key identifier P2 b7..b1 and each next one with the next identifier; P2 b8 = 0: one key data
// field for key identifier P2. Key identifiers 01 ENC, 02 MAC, 03 DEK. Each AES key is encrypted under
// the static Key-DEK of the session's key set (AES-CBC, zero ICV); its key component block is either
// "length of the key, ciphertext of the padded key" (GPCS Table 11-70) or, when its length is a
// multiple of 16, the ciphertext alone (Table 11-71). Layout and refusals: docs/isd.md "PUT KEY".
// ECC keys (key types B0 / B1, SCP11) are isd_put_key_ecc.cpp's.
#include <array>
#include <optional>
#include <vector>

#include "card/isd/isd_command.hpp"
#include "card/isd/isd_put_key_fields.hpp"
#include "card/state/scp11_store.hpp"
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
constexpr std::size_t kAesKcvLength = 3;
constexpr std::size_t kAesBlock = 16;

using put_key_fields::FieldReader;
using put_key_fields::KeyDataField;
using put_key_fields::read_key_data_field;
using put_key_fields::wrong_data;

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
  if (const auto scp11 = Scp11Store::load(state.store()); scp11 && scp11->uses_kvn(new_kvn)) {
    wrong_data("PUT KEY: new KVN belongs to SCP11 keys");
  }
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

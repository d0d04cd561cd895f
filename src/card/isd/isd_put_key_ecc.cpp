// PUT KEY (GPCS §11.8) of the SCP11 ECC keys: an SD key pair (KID 11, 13, 15) from its private
// scalar (key type B1, encrypted under the session's DEK, the public point B0 optional), or a CA /
// OCE public key (KID 10 = PK.CA-KLOC.ECDSA, 20..2F) as B0, each with the key parameter reference
// F0 {00} (P-256). One key per command: P2 is the KID, P1 00 adds a key, P1 = KVN replaces the key
// (KID, P1). The data field is the new KVN and one key data field whose key check value is empty
// (ECC keys have none); the answer is the new KVN. Layout and refusals: docs/isd.md "PUT KEY".
#include <optional>

#include "card/isd/isd_command.hpp"
#include "card/isd/isd_put_key_fields.hpp"
#include "card/isd/isd_scp11.hpp"
#include "card/state/scp11_store.hpp"
#include "core/error.hpp"
#include "crypto/p256.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;
using put_key_fields::wrong_data;

constexpr std::uint8_t kKeyTypePublic = 0xB0;
constexpr std::uint8_t kKeyTypePrivate = 0xB1;
constexpr std::uint8_t kKeyTypeParameters = 0xF0;
constexpr std::uint8_t kCurveP256 = 0x00;
constexpr std::size_t kEccAesBlock = 16;

struct EccComponents {
  std::optional<ByteView> public_point;
  std::optional<ByteView> private_block;
  std::optional<ByteView> parameters;
};

EccComponents components_of(const put_key_fields::KeyDataField& field) {
  EccComponents out;
  for (const auto& component : field.components) {
    std::optional<ByteView>* slot = component.type == kKeyTypePublic       ? &out.public_point
                                    : component.type == kKeyTypePrivate    ? &out.private_block
                                    : component.type == kKeyTypeParameters ? &out.parameters
                                                                           : nullptr;
    if (slot == nullptr) wrong_data("PUT KEY: an ECC key has components B0, B1 and F0 only");
    if (*slot) wrong_data("PUT KEY: ECC key component repeated");
    *slot = component.block;
  }
  if (!out.parameters) wrong_data("PUT KEY: an ECC key needs its key parameter reference (F0)");
  if (out.parameters->size() != 1 || (*out.parameters)[0] != kCurveP256) {
    wrong_data("PUT KEY: only P-256 (key parameter reference 00) is supported");
  }
  if (!field.kcv.empty()) wrong_data("PUT KEY: an ECC key has no key check value");
  return out;
}

// The private scalar of B1: the ciphertext alone (a multiple of 16 bytes) or its length first, as for
// AES keys (GPCS Tables 11-70, 11-71), decrypted with the session's DEK.
SecretBytes decrypt_scalar(const IsdCall& call, ByteView block) {
  ByteView cipher = block;
  std::optional<std::size_t> stated_length;
  if (block.size() % kEccAesBlock != 0) {
    put_key_fields::FieldReader inner(block);
    stated_length = inner.length();
    cipher = inner.rest();
  }
  const std::size_t length = stated_length.value_or(cipher.size());
  if (length != crypto::kP256ScalarSize || cipher.size() != crypto::kP256ScalarSize) {
    wrong_data("PUT KEY: a P-256 private key is 32 bytes");
  }
  const gp::Scp03Card* channel = call.ctx.secure_channel();
  Bytes plain = channel->decrypt_sensitive_data(cipher);
  SecretBytes scalar(ByteView(plain).first(length));
  secure_zero(plain.data(), plain.size());
  return scalar;
}

Scp11Key key_of(const IsdCall& call, std::uint8_t kid, const EccComponents& components) {
  Scp11Key key;
  if (is_sd_key_id(kid)) {
    if (!components.private_block) wrong_data("PUT KEY: an SD key (11, 13, 15) needs its private key (B1)");
    const SecretBytes scalar = decrypt_scalar(call, *components.private_block);
    try {
      key.private_key =
          std::make_shared<const crypto::P256PrivateKey>(crypto::P256PrivateKey::from_scalar(scalar.view()));
    } catch (const Error&) {
      wrong_data("PUT KEY: not a P-256 private key");
    }
    key.public_key = key.private_key->public_uncompressed();
    if (components.public_point && !std::equal(components.public_point->begin(), components.public_point->end(),
                                               key.public_key.begin(), key.public_key.end())) {
      wrong_data("PUT KEY: the public key (B0) is not the private key's (B1)");
    }
    return key;
  }
  if (components.private_block) wrong_data("PUT KEY: a CA / OCE key (10, 20..2F) is a public key (B0) only");
  if (!components.public_point) wrong_data("PUT KEY: a CA / OCE key needs its public key (B0)");
  try {
    (void)crypto::P256PublicKey::from_uncompressed(*components.public_point);
  } catch (const Error&) {
    wrong_data("PUT KEY: B0 is not an uncompressed P-256 point");
  }
  key.public_key.assign(components.public_point->begin(), components.public_point->end());
  return key;
}

}  // namespace

bool is_ecc_put_key(const iso7816::CommandApdu& command) noexcept {
  // The new KVN, then the first key type.
  return command.data.size() >= 2 && (command.data[1] == kKeyTypePublic || command.data[1] == kKeyTypePrivate);
}

iso7816::ResponseApdu put_ecc_key(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  require_oce_authenticated(call);
  const auto& cmd = call.command;
  if ((cmd.p1 & 0x80) != 0) throw StatusWordError(sw::kIncorrectP1P2, "PUT KEY: multi-command sequences unsupported");
  if ((cmd.p2 & 0x80) != 0) wrong_data("PUT KEY: one ECC key per command (P2 b8 = 0)");
  const std::uint8_t kid = cmd.p2;
  if (!is_sd_key_id(kid) && !is_ca_key_id(kid)) {
    wrong_data("PUT KEY: ECC keys are SD keys (11, 13, 15) or CA / OCE keys (10, 20..2F)");
  }
  const std::uint8_t new_kvn = cmd.data[0];
  if (new_kvn == 0 || new_kvn > 0x7F) wrong_data("PUT KEY: new KVN must be 01..7F");

  put_key_fields::FieldReader reader(ByteView(cmd.data).subspan(1));
  const EccComponents components = components_of(put_key_fields::read_key_data_field(reader));
  if (!reader.done()) wrong_data("PUT KEY: one ECC key per command");
  // The private key travels encrypted: the session must decrypt command data (C-DECRYPTION).
  if (components.private_block) require_session(call, gp::level::kCMac | gp::level::kCDecryption);

  Scp11Store store = Scp11Store::load(call.state.store()).value_or(Scp11Store::empty());
  const Scp11KeyRef replaced{kid, cmd.p1};
  const Scp11KeyRef added{kid, new_kvn};
  if (cmd.p1 != 0 && store.find(replaced) == nullptr) {
    throw StatusWordError(sw::kReferencedDataNotFound, "PUT KEY: no such key to replace");
  }
  if (added != replaced && store.find(added) != nullptr) wrong_data("PUT KEY: the key reference is in use");
  if (call.state.find_key_set(new_kvn) != nullptr) wrong_data("PUT KEY: the KVN belongs to an SCP03 key set");
  if (cmd.p1 == 0 && store.keys().size() >= Scp11Store::kMaxKeys) {
    throw StatusWordError(sw::kNotEnoughMemory, "PUT KEY: no room for another SCP11 key");
  }
  Scp11Key key = key_of(call, kid, components);
  // A replaced key takes nothing of the old one along: its certificates and allowlist were about it.
  if (cmd.p1 != 0) store.keys().erase(replaced);
  store.keys()[added] = std::move(key);
  store.save(call.state.store());
  return iso7816::ResponseApdu(Bytes{new_kvn}, sw::kOk);
}

}  // namespace sefleet::card::isd

// STORE DATA (GPCS §11.11) of the SCP11 objects of one key, as Amendment F and yubikit's
// SecurityDomainSession send them, each in one command (P1 90: last block, BER-TLV; P2 00), in either
// class, inside a session that authenticated the OCE:
//   A6 {83 {KID KVN}} BF21 {certificates}      the chain of an SD key (11, 13, 15), leaf last; the leaf
//                                              must certify the key; an empty BF21 removes the chain
//   A6 {83 {KID KVN}} 70 {93 serial ...}       the serial-number allowlist of a CA key (10, 20..2F):
//                                              PERFORM SECURITY OPERATION then accepts only an OCE
//                                              leaf listed; an empty 70 removes the allowlist
//   A6 {80 {00|01} 42 {identifier} 83 {KID KVN}}  the CA issuer identifier of a key, KLOC (00) or KLCC
//                                              (01), which GET DATA FF33 / FF34 lists
// Refusals: 6A86 P1/P2, 6A80 malformed objects or certificates, 6A88 no such key (or the wrong kind).
#include <optional>

#include "card/isd/isd_command.hpp"
#include "card/isd/isd_scp11.hpp"
#include "card/state/scp11_store.hpp"
#include "core/error.hpp"
#include "gp/scp03_types.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kInsStoreData = 0xE2;
constexpr std::uint8_t kLastBlockBerTlv = 0x90;
constexpr iso7816::Tag kTagControlReference = 0xA6;
constexpr iso7816::Tag kTagStoredKeyReference = 0x83;
constexpr iso7816::Tag kTagKeyKind = 0x80;
constexpr iso7816::Tag kTagCaIdentifier = 0x42;
constexpr iso7816::Tag kTagAllowlist = 0x70;
constexpr iso7816::Tag kTagSerial = 0x93;

[[noreturn]] void wrong_scp11_store_data(const char* why) {
  throw StatusWordError(sw::kWrongData, why);
}

Scp11KeyRef key_reference(const iso7816::Tlv& control) {
  const iso7816::Tlv* reference = control.find(kTagStoredKeyReference);
  if (reference == nullptr || reference->is_constructed() || reference->value().size() != 2) {
    wrong_scp11_store_data("STORE DATA: A6 needs 83 {KID KVN}");
  }
  return {reference->value()[0], reference->value()[1]};
}

Scp11Key& existing_key(Scp11Store& store, Scp11KeyRef ref, bool (*kind)(std::uint8_t) noexcept) {
  if (kind != nullptr && !kind(ref.kid))
    throw StatusWordError(sw::kReferencedDataNotFound, "STORE DATA: wrong kind of key");
  if (store.find(ref) == nullptr) throw StatusWordError(sw::kReferencedDataNotFound, "STORE DATA: no such key");
  return store.keys()[ref];
}

void store_certificates(Scp11Key& key, const iso7816::Tlv& store_object) {
  const Bytes chain = store_object.value_bytes();
  if (!chain.empty()) {
    std::vector<gp::scp11::Scp11Certificate> certificates;
    try {
      certificates = gp::scp11::parse_certificate_chain(chain);
    } catch (const Error&) {
      wrong_scp11_store_data("STORE DATA: malformed certificate in BF21");
    }
    if (certificates.back().public_key() != key.public_key)
      wrong_scp11_store_data("STORE DATA: the leaf does not certify the key");
  }
  key.certificates = chain;
}

void store_allowlist(Scp11Key& key, const iso7816::Tlv& list) {
  if (!list.is_constructed() && !list.value().empty()) wrong_scp11_store_data("STORE DATA: 70 holds 93 objects");
  std::vector<Bytes> serials;
  for (const auto& child : list.children()) {
    if (child.tag() != kTagSerial || child.is_constructed()) wrong_scp11_store_data("STORE DATA: 70 holds 93 objects");
    Bytes serial = gp::scp11::without_leading_zeros(child.value());
    if (serial.empty()) wrong_scp11_store_data("STORE DATA: a serial number is empty or zero");
    serials.push_back(std::move(serial));
  }
  if (serials.empty()) {
    key.allowlist.reset();
  } else {
    key.allowlist = std::move(serials);
  }
}

}  // namespace

bool is_scp11_store_data(const iso7816::CommandApdu& command) noexcept {
  return command.ins == kInsStoreData && !command.data.empty() && command.data[0] == kTagControlReference;
}

iso7816::ResponseApdu store_scp11_data(const IsdCall& call) {
  require_session(call, gp::level::kCMac);
  require_oce_authenticated(call);
  const auto& cmd = call.command;
  if (cmd.p1 != kLastBlockBerTlv || cmd.p2 != 0x00) {
    throw StatusWordError(sw::kIncorrectP1P2, "STORE DATA: SCP11 objects come in one command, P1 90 P2 00");
  }
  const auto objects = iso7816::try_parse_tlv_sequence(cmd.data);
  if (!objects || objects->empty() || objects->size() > 2)
    wrong_scp11_store_data("STORE DATA: A6 and at most one object");
  const iso7816::Tlv& control = (*objects)[0];
  if (!control.is_constructed()) wrong_scp11_store_data("STORE DATA: A6 is constructed");
  const Scp11KeyRef ref = key_reference(control);
  auto loaded = Scp11Store::load(call.state.store());
  if (!loaded) throw StatusWordError(sw::kReferencedDataNotFound, "STORE DATA: no SCP11 key");
  Scp11Store& store = *loaded;

  if (objects->size() == 1) {
    const iso7816::Tlv* kind = control.find(kTagKeyKind);
    const iso7816::Tlv* identifier = control.find(kTagCaIdentifier);
    if (kind == nullptr || identifier == nullptr || kind->value().size() != 1 || kind->value()[0] > 0x01 ||
        identifier->value().empty()) {
      wrong_scp11_store_data("STORE DATA: a CA issuer needs A6 {80 {00|01} 42 {identifier} 83 {KID KVN}}");
    }
    Scp11Key& key = existing_key(store, ref, nullptr);
    key.ca_issuer_klcc = kind->value()[0] == 0x01;
    key.ca_issuer = identifier->value_bytes();
  } else if ((*objects)[1].tag() == gp::scp11::kTagCertificateStore) {
    store_certificates(existing_key(store, ref, &is_sd_key_id), (*objects)[1]);
  } else if ((*objects)[1].tag() == kTagAllowlist) {
    store_allowlist(existing_key(store, ref, &is_ca_key_id), (*objects)[1]);
  } else {
    wrong_scp11_store_data("STORE DATA: after A6 comes BF21 or 70");
  }
  store.save(call.state.store());
  return iso7816::ResponseApdu(sw::kOk);
}

}  // namespace sefleet::card::isd

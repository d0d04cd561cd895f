// The ISD's view of the SCP11 keys for DELETE and GET DATA E0 (docs/isd.md "DELETE", "GET DATA").
#include "card/isd/isd_command.hpp"
#include "card/isd/isd_scp11.hpp"
#include "card/state/scp11_store.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kKeyTypePublic = 0xB0;
constexpr std::uint8_t kKeyTypePrivate = 0xB1;
constexpr std::uint8_t kKeyTypeParameters = 0xF0;
constexpr std::uint8_t kCurveP256 = 0x00;

}  // namespace

std::optional<iso7816::ResponseApdu> delete_scp11_keys(const IsdCall& call, std::optional<std::uint8_t> kid,
                                                       std::optional<std::uint8_t> kvn) {
  const bool scp11_kid = kid && (is_sd_key_id(*kid) || is_ca_key_id(*kid));
  if (kid && !scp11_kid) return std::nullopt;
  auto store = Scp11Store::load(call.state.store());
  std::vector<Scp11KeyRef> matches;
  if (store) {
    for (const auto& [ref, key] : store->keys()) {
      if ((!kid || ref.kid == *kid) && (!kvn || ref.kvn == *kvn)) matches.push_back(ref);
    }
  }
  if (matches.empty()) {
    if (scp11_kid) throw StatusWordError(sw::kReferencedDataNotFound, "DELETE: no SCP11 key with this KID and KVN");
    return std::nullopt;
  }
  require_oce_authenticated(call);
  for (const Scp11KeyRef& ref : matches) store->keys().erase(ref);
  store->save(call.state.store());
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);  // GPCS §11.2.3.1: no delete confirmation
}

void append_scp11_key_information(const IsdCall& call, Bytes& entries) {
  const auto store = Scp11Store::load(call.state.store());
  if (!store) return;
  for (const auto& [ref, key] : store->keys()) {
    const bool pair = key.private_key != nullptr;
    const Bytes value{ref.kid,
                      ref.kvn,
                      pair ? kKeyTypePrivate : kKeyTypePublic,
                      static_cast<std::uint8_t>(pair ? crypto::kP256ScalarSize : crypto::kP256PointSize),
                      kKeyTypeParameters,
                      kCurveP256};
    append(entries, iso7816::Tlv::primitive(0xC0, value).encode());
  }
}

std::optional<Bytes> ca_identifiers(const IsdCall& call, bool klcc) {
  const auto store = Scp11Store::load(call.state.store());
  if (!store) return std::nullopt;
  Bytes pairs;
  for (const auto& [ref, key] : store->keys()) {
    if (!key.ca_issuer_klcc || *key.ca_issuer_klcc != klcc) continue;
    append(pairs, iso7816::Tlv::primitive(0x42, key.ca_issuer).encode());
    append(pairs, iso7816::Tlv::primitive(0x83, Bytes{ref.kid, ref.kvn}).encode());
  }
  if (pairs.empty()) return std::nullopt;
  return pairs;
}

}  // namespace sefleet::card::isd

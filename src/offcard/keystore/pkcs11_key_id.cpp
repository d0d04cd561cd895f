#include "offcard/keystore/pkcs11_key_id.hpp"

namespace sefleet::offcard {
namespace {

constexpr std::uint8_t kMagic[4] = {'S', 'F', 'K', '1'};
constexpr std::uint8_t kGenerated = 1;
constexpr std::uint8_t kImported = 2;

}  // namespace

Bytes encode_pkcs11_key_id(const Pkcs11KeyId& id) {
  Bytes out(kMagic, kMagic + 4);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(id.version >> shift));
  const auto created = static_cast<std::uint64_t>(id.created);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(created >> shift));
  out.push_back(id.origin == KeyOrigin::generated ? kGenerated : kImported);
  out.insert(out.end(), id.kcv.begin(), id.kcv.end());
  return out;
}

std::optional<Pkcs11KeyId> parse_pkcs11_key_id(ByteView id) {
  if (id.size() != kPkcs11KeyIdSize) return std::nullopt;
  for (std::size_t i = 0; i < 4; ++i) {
    if (id[i] != kMagic[i]) return std::nullopt;
  }
  Pkcs11KeyId out;
  for (std::size_t i = 4; i < 8; ++i) out.version = (out.version << 8) | id[i];
  std::uint64_t created = 0;
  for (std::size_t i = 8; i < 16; ++i) created = (created << 8) | id[i];
  out.created = static_cast<std::int64_t>(created);
  if (id[16] == kGenerated) {
    out.origin = KeyOrigin::generated;
  } else if (id[16] == kImported) {
    out.origin = KeyOrigin::imported;
  } else {
    return std::nullopt;
  }
  if (out.version == 0) return std::nullopt;
  out.kcv = Kcv{id[17], id[18], id[19]};
  return out;
}

}  // namespace sefleet::offcard

#include "gp/host/life_cycle.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::gp::host {
namespace {

std::string unknown(std::uint8_t value) {
  return "UNKNOWN(" + to_hex(Bytes{value}) + ")";
}

}  // namespace

std::string registry_kind_name(RegistryKind kind) {
  switch (kind) {
    case RegistryKind::issuer_security_domain:
      return "ISD";
    case RegistryKind::application:
      return "APP";
    case RegistryKind::security_domain:
      return "SD";
    case RegistryKind::load_file:
      return "LOAD_FILE";
  }
  return "?";
}

std::string life_cycle_name(RegistryKind kind, std::uint8_t state) {
  switch (kind) {
    case RegistryKind::issuer_security_domain:
      return card_life_cycle::name(state);
    case RegistryKind::load_file:
      return state == 0x01 ? "LOADED" : unknown(state);
    case RegistryKind::security_domain:
      if (state == 0x03) return "INSTALLED";
      if (state == 0x07) return "SELECTABLE";
      if (state == 0x0F) return "PERSONALIZED";
      if ((state & 0x83) == 0x83) return "LOCKED";
      return unknown(state);
    case RegistryKind::application:
      if (state == 0x03) return "INSTALLED";
      // b1 b2 b3 set: SELECTABLE, b4..b7 application specific (Table 11-3).
      if ((state & 0x87) == 0x07) return state == 0x07 ? "SELECTABLE" : "SELECTABLE+" + to_hex(Bytes{state});
      if ((state & 0x83) == 0x83) return "LOCKED";
      return unknown(state);
  }
  return unknown(state);
}

std::vector<std::string> privilege_names(ByteView privileges) {
  static constexpr std::array<std::array<const char*, 8>, 3> kNames{{
      {"SecurityDomain", "DAPVerification", "DelegatedManagement", "CardLock", "CardTerminate", "CardReset",
       "CVMManagement", "MandatedDAPVerification"},
      {"TrustedPath", "AuthorizedManagement", "TokenVerification", "GlobalDelete", "GlobalLock", "GlobalRegistry",
       "FinalApplication", "GlobalService"},
      {"ReceiptGeneration", "CipheredLoadFileDataBlock", "ContactlessActivation", "ContactlessSelfActivation", nullptr,
       nullptr, nullptr, nullptr},
  }};
  if (privileges.size() > 3) {
    throw Error(Errc::parse_error, "privileges of " + std::to_string(privileges.size()) + " bytes (1 to 3 expected)");
  }
  std::vector<std::string> out;
  for (std::size_t byte = 0; byte < privileges.size(); ++byte) {
    for (std::size_t bit = 0; bit < 8; ++bit) {  // bit 0 = b8
      if ((privileges[byte] & (0x80 >> bit)) == 0) continue;
      const char* name = kNames[byte][bit];
      out.push_back(name != nullptr ? name : "RFU(" + std::to_string(byte + 1) + ".b" + std::to_string(8 - bit) + ")");
    }
  }
  return out;
}

iso7816::CommandApdu make_set_card_status(std::uint8_t state) {
  if (!card_life_cycle::is_valid(state)) {
    throw Error(Errc::invalid_argument, "SET STATUS: " + to_hex(Bytes{state}) + " is not a card life cycle state");
  }
  return iso7816::CommandApdu(0x80, 0xF0, 0x80, state);
}

iso7816::CommandApdu make_set_application_status(ByteView aid, std::uint8_t state) {
  if (aid.size() < 5 || aid.size() > 16) {
    throw Error(Errc::invalid_argument, "SET STATUS: an AID has 5 to 16 bytes, got " + std::to_string(aid.size()));
  }
  return iso7816::CommandApdu(0x80, 0xF0, 0x40, state, Bytes(aid.begin(), aid.end()));
}

}  // namespace sefleet::gp::host

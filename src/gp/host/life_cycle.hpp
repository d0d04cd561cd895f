// GlobalPlatform life cycle states and privileges as names (GPCS v2.3.1 §11.1.1-§11.1.2), and the
// SET STATUS command that moves the card through its life cycle (§11.10).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"
#include "gp/card_life_cycle.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::host {

// The card life cycle itself (codings, names, transitions) is gp/card_life_cycle.hpp.

// What a GET STATUS entry describes; life cycle codings differ per kind.
enum class RegistryKind { issuer_security_domain, application, security_domain, load_file };
std::string registry_kind_name(RegistryKind kind);

// Application (Table 11-3), security domain (Table 11-4) and load file (LOADED) states; the
// application-specific bits b4..b7 of a SELECTABLE application are shown as "SELECTABLE+xx".
std::string life_cycle_name(RegistryKind kind, std::uint8_t state);

// Privilege names set in the 1-3 privilege bytes (Table 11-7), in bit order: "SecurityDomain",
// "DAPVerification", "DelegatedManagement", "CardLock", "CardTerminate", "CardReset",
// "CVMManagement", "MandatedDAPVerification", "TrustedPath", "AuthorizedManagement",
// "TokenVerification", "GlobalDelete", "GlobalLock", "GlobalRegistry", "FinalApplication",
// "GlobalService", "ReceiptGeneration", "CipheredLoadFileDataBlock", "ContactlessActivation",
// "ContactlessSelfActivation". RFU bits appear as "RFU(byte.bit)".
std::vector<std::string> privilege_names(ByteView privileges);

// SET STATUS (80 F0): P1 80 = the Issuer Security Domain (the card life cycle), P2 the new state,
// no data. Throws Error(Errc::invalid_argument) for a value that is not a card life cycle state.
iso7816::CommandApdu make_set_card_status(std::uint8_t state);
// SET STATUS of an application or security domain (P1 40) to `state`, data = its AID.
iso7816::CommandApdu make_set_application_status(ByteView aid, std::uint8_t state);

}  // namespace sefleet::gp::host

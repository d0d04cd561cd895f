// The ISD's self-description data objects, built from the card state: FCI, card recognition data,
// card capability information, key information template, sequence counter, CIN, IIN, CPLC, the ISD's
// AID and the current security level.
// Layouts and sources: docs/isd.md.
#pragma once

#include <cstdint>

#include "card/state/card_state.hpp"
#include "core/bytes.hpp"

namespace sefleet::card::isd {

// 6F { 84 AID, A5 { 73 <card recognition content>, 9F65 <max command data length> } }.
Bytes file_control_information(const CardState& state);
// 66 { 73 { 06 {gp 1}, 60 {06 {gp 2 2 3 1}}, 63 {06 {gp 3}}, 64 {06 {gp 4 3 i}} } }.
Bytes card_recognition_data(const CardState& state);
// 67 { A0 { 80 03, 81 i, 82 07 } }.
Bytes card_capability_information(const CardState& state);
// E0 { C0 04 <id> <kvn> 88 <length> ... } for ENC, MAC, DEK of every key set, then `more_entries`
// (the C0 objects of the SCP11 keys).
Bytes key_information_template(const CardState& state, ByteView more_entries = {});
// C1 03 <counter of the default key set>.
Bytes sequence_counter(const CardState& state);
Bytes card_image_number(const CardState& state);  // 45 <se_id>
// CF <KDD>: what an off-card key store needs to derive this SE's keys before contacting it again
// (GPCS tag CF, "key diversification data"; the same 10 bytes as in the INITIALIZE UPDATE response).
Bytes key_diversification_data(const CardState& state);
Bytes issuer_identification_number(const CardState& state);  // 42 <platform_id>
Bytes card_production_life_cycle(const CardState& state);    // 9F7F 2A <42 bytes>
Bytes isd_application_identifier(const CardState& state);    // 4F <ISD AID>
// D3 01 <level>: the Current Security Level as GPCS Table 10-1 codes it (80 AUTHENTICATED | C-MAC 01
// | C-DECRYPTION 02 | R-MAC 10 | R-ENCRYPTION 20), 00 without a session; `level` as
// AppletContext::security_level() gives it.
Bytes current_security_level(std::uint8_t level);

inline constexpr std::uint8_t kMaxCommandDataLength = 0xFF;  // 9F65 in the FCI

}  // namespace sefleet::card::isd

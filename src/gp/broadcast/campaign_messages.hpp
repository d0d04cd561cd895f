// Plain data fields of the broadcast channel's commands and the status object (broadcast-channel.md
// §5.1, §5.4): what goes inside SCP03 secure messaging, before C-DECRYPTION / after R-ENC.
//
//   CHANGE MODE to broadcast (84 7C 01 00), any order:
//     C0 01 profile (03|04) | C1 10 campaign id | C2 nn broadcast keys | C3 10 counter | C4 10 chaining
//     value | C5 01 Kos/Kmac key version | C6 04 total length (BE)
//     C2 is AES-KW(Kos, BK-ENC ‖ BK-MAC) in profile 3 (40/56/72 bytes) and BK-ENC ‖ BK-MAC in clear in
//     profile 4 (32/48/64 bytes); its length is checked against C0.
//   AUTHORIZE ACTION (84 7E 00 00), any order:
//     C1 10 campaign id | C8 nn integrity code (16 clear, or 24 wrapped) | C9 01 action (01|02)
//   Status object (AUTHORIZE ACTION response):
//     E1 L { C1 10 campaign id | CA 01 result | CB 04 active version (BE) | CC 20 SHA-256 }
//
// Encoders write the tags in the order above. Parsers refuse, naming the tag, any unknown or
// constructed tag, a duplicate, a missing field, a wrong length or an out-of-domain value, with
// Error(Errc::parse_error): the card maps that to 6A80.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::gp::broadcast {

enum class Profile : std::uint8_t { campaign_key = 0x03, platform_key = 0x04 };
enum class Action : std::uint8_t { verify_and_activate = 0x01, verify_only = 0x02 };

// Result codes of the status object (CA).
namespace result {
inline constexpr std::uint8_t kActivated = 0x00;
inline constexpr std::uint8_t kVerifiedKeptStaged = 0x01;
inline constexpr std::uint8_t kIntegrityMismatch = 0x80;
inline constexpr std::uint8_t kManifestRefused = 0x81;
}  // namespace result
bool is_known_result(std::uint8_t code) noexcept;

// P1 of CHANGE MODE.
inline constexpr std::uint8_t kInsChangeMode = 0x7C;
inline constexpr std::uint8_t kInsWriteBlock = 0x7D;
inline constexpr std::uint8_t kInsAuthorizeAction = 0x7E;
inline constexpr std::uint8_t kChangeModeToBroadcast = 0x01;
inline constexpr std::uint8_t kChangeModeToDiversified = 0x00;
// The broadcast context's level: C-MAC + C-DECRYPTION, no R-MAC (§5.1 step 4).
inline constexpr std::uint8_t kBroadcastSecurityLevel = 0x03;

using CampaignId = std::array<std::uint8_t, 16>;
using Block16 = std::array<std::uint8_t, 16>;

struct ChangeModeToBroadcast {
  Profile profile = Profile::campaign_key;
  CampaignId campaign_id{};
  SecretBytes broadcast_keys;  // C2 as sent: wrapped (profile 3) or clear (profile 4)
  Block16 counter{};           // C3, big-endian
  Block16 chaining_value{};    // C4
  std::uint8_t key_version = 0;
  std::uint32_t total_length = 0;
};

struct AuthorizeAction {
  CampaignId campaign_id{};
  Bytes integrity_code;  // 16 bytes (profile 4) or 24 bytes wrapped (profile 3)
  Action action = Action::verify_and_activate;
};

struct ImageStatus {
  CampaignId campaign_id{};
  std::uint8_t result = result::kActivated;
  std::uint32_t active_version = 0;
  std::array<std::uint8_t, 32> active_sha256{};

  friend bool operator==(const ImageStatus&, const ImageStatus&) = default;
};

// True when `size` is a valid C2 length for `profile`.
bool is_valid_broadcast_keys_size(Profile profile, std::size_t size) noexcept;

// Encoders throw Error(Errc::invalid_argument) for values the parser would refuse (unknown profile,
// action or result; C2 or C8 of the wrong length).
Bytes encode_change_mode_to_broadcast(const ChangeModeToBroadcast& message);
ChangeModeToBroadcast parse_change_mode_to_broadcast(ByteView data);

Bytes encode_authorize_action(const AuthorizeAction& message);
AuthorizeAction parse_authorize_action(ByteView data);

Bytes encode_image_status(const ImageStatus& status);
ImageStatus parse_image_status(ByteView data);

}  // namespace sefleet::gp::broadcast

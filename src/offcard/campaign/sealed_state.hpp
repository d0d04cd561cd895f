// The sealed blobs of the online authorizations (online_session_state.hpp, online_scp03_session.hpp):
// the state a server hands the terminal between two steps, and what it keeps to check the report,
// encrypted and authenticated under a keystore KEK (AES-KW, RFC 3394):
//
//   sealed = AES-KW(KEK, version 01 || kind || expires_at (8, big-endian Unix seconds)
//                        || L binding || fields... || 80 00.. to a multiple of 8)
//
// with L x = 2-byte length || x. The kind says which step's state a blob holds, so that a blob of one
// kind never opens as another. The plain bytes live in SecretBytes: they may hold keys.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard::sealed {

inline constexpr std::uint8_t kVersion = 0x01;
// The kinds of blob (one byte each, never reused).
// 01 was the SCP11 session before it carried the OCE key reference: such a blob (minutes old at most)
// is refused as malformed and the terminal starts a new session.
inline constexpr std::uint8_t kKindScp11Session = 0x04;
inline constexpr std::uint8_t kKindScp11Check = 0x02;
inline constexpr std::uint8_t kKindScp03Session = 0x03;

// Throws OnlineSessionError(integrity_error, bad_request) "online session state: <what>".
[[noreturn]] void malformed(const std::string& what);

// Builds the plain blob in wiped memory.
class Writer {
 public:
  // Version, kind, expiry and binding: the header every blob starts with.
  Writer(std::uint8_t kind, std::int64_t expires_at, ByteView binding);
  void byte(std::uint8_t value) { out_.append(ByteView(&value, 1)); }
  void time(std::int64_t value);
  // Throws Error(invalid_argument) for a field over 65535 bytes.
  void field(ByteView value);
  // Pads and seals under `kek` (usage wrap).
  Bytes seal(Keystore& keystore, const KeyRef& kek);

 private:
  SecretBytes out_;
};

// Reads an opened blob; every read past the end or malformed is refused (malformed()).
class Reader {
 public:
  explicit Reader(ByteView in) : in_(in) {}
  std::uint8_t byte();
  std::int64_t time();
  ByteView field();
  template <std::size_t N>
  void fixed(std::array<std::uint8_t, N>& out) {
    const ByteView value = field();
    if (value.size() != N) malformed("a field of " + std::to_string(value.size()) + " bytes, not " + std::to_string(N));
    std::copy(value.begin(), value.end(), out.begin());
  }
  // The padding: 80 then zeros to the end.
  void finish();

 private:
  ByteView in_;
  std::size_t pos_ = 0;
};

// Unwraps a blob under `kek`: malformed() for one that is not a sealed blob or does not verify.
SecretBytes open(Keystore& keystore, const KeyRef& kek, ByteView sealed);
// Reads version and kind (malformed() for others), then the expiry, returned.
std::int64_t read_header(Reader& in, std::uint8_t kind);
// malformed() unless the blob was sealed for `binding`.
void check_binding(Reader& in, ByteView binding);

}  // namespace sefleet::offcard::sealed

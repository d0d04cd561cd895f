// The SCP03 secure-messaging engine of one open session (Amd D §5.3-5.4, §6.2.4-6.2.7): the C-MAC
// chain, C-DECRYPTION, R-MAC and R-ENCRYPTION, for both roles. Host and card run the same object, so
// the byte layouts exist once.
//
// Layouts:
//   C-MAC   = CMAC(S-MAC, MCV || CLA' || INS || P1 || P2 || Lc' || data')[0:n]; MCV := the full CMAC.
//             CLA' has the channel bits cleared and b3 set (84 for GP commands, 04 for ISO ones).
//             Lc' = len(data') + n, encoded as the wire encodes it: 1 byte (short) or 00 hi lo (extended).
//   C-DEC   : data' = AES-CBC(S-ENC, ICV = AES(S-ENC, counter), pad80(data)); an empty field stays empty.
//   R-MAC   = CMAC(S-RMAC, MCV || data' || SW)[0:n]; the MCV is the one of the command being answered.
//   R-ENC   : data' = AES-CBC(S-ENC, ICV = AES(S-ENC, 80 || counter[1..15]), pad80(data)).
// The 16-byte counter is incremented for every wrapped command, with or without data.
//
// Key objects are built once per session (no key schedule per APDU). Not thread-safe.
// The command ICVs are enciphered eight counter values at a time: one OpenSSL call costs about as much
// as enciphering twenty blocks, and a short command needs only a few, so one ICV per call would be
// a tenth of a short command's unwrap (docs/scp03.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp {

// The 16-byte big-endian encryption counter. A diversified session starts it at 0, so 64 bits would
// do there; the broadcast channel resumes a campaign-wide context from any 16-byte value (C3).
using Scp03Counter = std::array<std::uint8_t, 16>;
Scp03Counter scp03_counter(std::uint64_t value) noexcept;
// Adds one, modulo 2^128.
void increment(Scp03Counter& counter) noexcept;

// The ICV of C-DECRYPTION (AES(S-ENC, counter)) or, with `response`, of R-ENCRYPTION
// (AES(S-ENC, 80 || counter[1..15])).
void scp03_icv(crypto::Aes& s_enc, const Scp03Counter& counter, bool response, std::uint8_t* icv);
Bytes scp03_icv(crypto::Aes& s_enc, std::uint64_t counter, bool response);

class SecureMessaging {
 public:
  SecureMessaging(const SessionKeys& keys, Scp03Mode mode, std::uint8_t security_level);

  Scp03Mode mode() const noexcept { return mode_; }
  std::uint8_t security_level() const noexcept { return level_; }
  // The low 64 bits of the counter (a diversified session never gets beyond them).
  std::uint64_t counter() const noexcept;
  const Scp03Counter& full_counter() const noexcept { return counter_; }
  const crypto::Mac16& mac_chaining_value() const noexcept { return mcv_; }
  std::size_t mac_size() const noexcept { return half_block_size(mode_); }

  // The full CMAC of a command whose data field (already encrypted if it is) is `data_prime`.
  crypto::Mac16 command_mac(const crypto::Mac16& chaining_value, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
                            std::uint8_t p2, ByteView data_prime, bool extended);
  // The same in steps: the chaining value and header first (the data field's size is all the header
  // needs), then the data field in any number of pieces through the engine's C-MAC object, then
  // command_mac_finish().
  void command_mac_start(const crypto::Mac16& chaining_value, std::uint8_t cla, std::uint8_t ins, std::uint8_t p1,
                         std::uint8_t p2, std::size_t data_prime_size, bool extended);
  crypto::Mac16 command_mac_finish() { return mac_.finish(); }

  // EXTERNAL AUTHENTICATE: the C-MAC over 84 82 P1 00 Lc || host cryptogram with a zero MCV. `begin`
  // then starts the session chain from it (MCV := that CMAC, counter := 0).
  crypto::Mac16 external_authenticate_mac(std::uint8_t cla, std::uint8_t security_level, ByteView host_cryptogram);
  void begin(const crypto::Mac16& external_authenticate_mac);
  // Continues a chain from a given counter (the value before the next command) and MAC chaining
  // value: the broadcast context of CHANGE MODE (broadcast-channel.md §5.1, C3 and C4).
  void resume(const Scp03Counter& counter, const crypto::Mac16& chaining_value);

  // Host: protects a plain command at the session's level (C-MAC, and C-DEC when the level has it).
  // At level 00 the command is returned unchanged. Throws Error(Errc::invalid_argument) when the
  // protected data would exceed 65535 bytes.
  iso7816::CommandApdu wrap_command(const iso7816::CommandApdu& plain);

  // Card: verifies and decrypts a protected command. nullopt (with the reason) when the command lacks
  // the protection the level requires, its MAC is wrong, or its ciphertext or padding is malformed;
  // the caller must then abort the session. The counter and the MCV advance on every command that
  // carries a C-MAC field, before the check, as on the host.
  // The command given by value is unwrapped in its own buffer: one pass over the data field feeds
  // each chunk of ciphertext to the C-MAC and then decrypts it in place while it is still in the
  // cache, and the plain command returned owns that same buffer (no allocation, no copy). Decrypted
  // bytes of a command whose C-MAC turns out wrong are wiped, never returned.
  std::optional<iso7816::CommandApdu> unwrap_command(iso7816::CommandApdu&& wire, std::string* reason = nullptr);
  std::optional<iso7816::CommandApdu> unwrap_command(const iso7816::CommandApdu& wire, std::string* reason = nullptr);
  // The same from a command parsed in place (its data field a view into the transport's bytes): the
  // one pass reads the wire bytes and writes the plaintext into the plain command's new buffer, so
  // the data field is never copied as such. The wire bytes are not modified.
  std::optional<iso7816::CommandApdu> unwrap_command(iso7816::CommandApduView wire, std::string* reason = nullptr);

  // True when the level has R-MAC: wrap_response() changes responses (otherwise it returns them as they are).
  bool protects_responses() const noexcept { return (level_ & level::kRMac) != 0; }
  // Card: R-MAC and R-ENC of the response to the last command. Error status words (anything but 9000,
  // 62xx, 63xx) are returned as the bare status word, without data or R-MAC (Amd D §6.2.5).
  iso7816::ResponseApdu wrap_response(const iso7816::ResponseApdu& plain);

  // Host: verifies and decrypts the response to the last wrapped command. Throws
  // Error(Errc::protocol_error) for a response too short to hold the R-MAC, and
  // Error(Errc::integrity_error) for a wrong R-MAC, ciphertext length or padding.
  iso7816::ResponseApdu unwrap_response(const iso7816::ResponseApdu& wire,
                                        crypto::PaddingPolicy padding = crypto::PaddingPolicy::strict);

  // ICVs of the current counter (exposed for the checkpoint vectors).
  Bytes command_icv();
  Bytes response_icv();

 private:
  // pad80 and AES-CBC under the ICV of the current counter, in place.
  void encrypt_field(Bytes& field, bool response);
  // The inverse; nullopt (and the reason) for a length that is not a multiple of 16 or bad padding.
  std::optional<Bytes> decrypt_field(ByteView field, bool response, crypto::PaddingPolicy padding, std::string* reason);

  // True when a command of a C-MAC level indicates secure messaging and its data field can hold the
  // C-MAC; otherwise it is refused for the reason missing_c_mac_reason() gives (built only then).
  bool carries_c_mac(std::uint8_t cla, std::size_t data_size) const noexcept;
  std::string missing_c_mac_reason(std::uint8_t cla, std::size_t data_size) const;
  // The unwrap proper of a data field that can hold the C-MAC: advances the counter, MACs the field
  // (`header` and `extended` give the MAC's header) and decrypts it into `out` (which may be the
  // field's own bytes) in one pass of chunks. The plaintext's size, or nullopt and the reason when
  // the C-MAC, the ciphertext or the padding is wrong (then whatever was decrypted into `out` is wiped).
  std::optional<std::size_t> verify_and_decrypt(const iso7816::CommandApdu& header, bool extended, ByteView wire_data,
                                                std::uint8_t* out, std::string* reason);

  // The ICV of C-DECRYPTION (host: C-ENCRYPTION) for the current counter, from the batch.
  void command_icv_into(std::uint8_t* icv);

  // The command ICVs of kSize consecutive counter values and those values; wiped when dropped.
  struct IcvBatch {
    static constexpr std::size_t kSize = 8;
    std::array<std::uint8_t, kSize * crypto::kAesBlock> counters{};
    std::array<std::uint8_t, kSize * crypto::kAesBlock> icvs{};
    std::size_t next = kSize;  // the entry the next command should find; kSize: none computed

    IcvBatch() = default;
    IcvBatch(const IcvBatch&) = default;
    IcvBatch& operator=(const IcvBatch&) = default;
    ~IcvBatch();
  };

  Scp03Mode mode_;
  std::uint8_t level_;
  crypto::Aes enc_;
  crypto::Cmac mac_;
  crypto::Cmac rmac_;
  crypto::Mac16 mcv_{};
  Scp03Counter counter_{};
  IcvBatch icv_batch_;
};

}  // namespace sefleet::gp

// The card (Security Domain) side of SCP11 setup for one logical channel, transport-free: the OCE
// certificate chain of PERFORM SECURITY OPERATION (SCP11a/c) and the key agreement of MUTUAL
// AUTHENTICATE (SCP11a/c) and INTERNAL AUTHENTICATE (SCP11b). On success the caller gets the session
// keys and the receipt and starts SCP03 secure messaging with them (Scp03Card::open_session).
//
// Status words:
//   6A88  unknown KVN (P1) or key identifier (P2), or no SCP11 key on the card
//   6A80  malformed data: TLV, parameters, point, certificate; parameters this card does not run;
//         tag 90 naming another variant than the KID
//   6982  a certificate that does not verify under the CA key or its issuer; a key usage that does not
//         fit (the leaf: key agreement, the others: certificate signing); restrictions (BF20) in a
//         certificate above the leaf, or non-empty ones in the leaf; an OCE leaf whose serial
//         number the CA key's allowlist does not hold; MUTUAL AUTHENTICATE without a verified OCE
//         chain; an SCP11a/c variant on a card without PK.CA-KLOC.ECDSA
//   6A86  PERFORM SECURITY OPERATION for a key identifier that is not a CA key's (10, 20..2F)
// Any refusal drops the chain received so far; a successful authentication consumes it (each session
// presents its own).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::scp11 {

// The card's keys a command names (the card looks them up by P1/P2 and fills what it has): the SD key
// pair of an authenticate command, or the CA key of a PERFORM SECURITY OPERATION.
struct Scp11CardKeys {
  std::uint8_t kvn = 0x01;                         // KVN of SK.SD.ECKA
  const crypto::P256PrivateKey* sd_key = nullptr;  // SK.SD.ECKA
  std::uint8_t oce_kid = kKidOceCa;                // KID of the CA key: 10 (PK.CA-KLOC.ECDSA) or 20..2F
  std::uint8_t oce_kvn = 0x10;                     // its KVN
  std::optional<Bytes> oce_ca_key;                 // the CA key; without it only SCP11b runs
  // When set, the serial numbers (without leading zero bytes) the OCE leaf certificate may have.
  std::optional<std::vector<Bytes>> oce_allowlist;
};

// A session the key agreement established.
struct Scp11Established {
  Variant variant = Variant::b;
  SessionKeys keys;  // S-ENC, S-MAC, S-RMAC
  SecretBytes dek;   // S-DEK
  crypto::Mac16 receipt{};
};

// True for the plain (no secure messaging) commands that set up an SCP11 session: PERFORM SECURITY
// OPERATION, MUTUAL AUTHENTICATE with a non-zero P2 (P2 00 is SCP03's EXTERNAL AUTHENTICATE), and
// INTERNAL AUTHENTICATE, all in the proprietary class.
bool is_setup_command(const iso7816::CommandApdu& command) noexcept;

class Scp11CardChannel {
 public:
  // PERFORM SECURITY OPERATION: P1 = the CA key's KVN, P2 = its KID (10, 20..2F) with b8 set when more
  // certificates follow; the data is one certificate, root first. Returns 9000 or the refusal.
  iso7816::ResponseApdu perform_security_operation(const iso7816::CommandApdu& command, const Scp11CardKeys& keys);

  // MUTUAL or INTERNAL AUTHENTICATE. `established` is set on 9000. The ephemeral key comes from
  // `random` (SCP11c answers with the static key instead).
  iso7816::ResponseApdu authenticate(const iso7816::CommandApdu& command, const Scp11CardKeys& keys,
                                     crypto::Random& random, std::optional<Scp11Established>& established);

  // Forgets the chain received so far (channel closed, card reset, another setup).
  void reset() noexcept;
  bool has_verified_chain() const noexcept { return oce_key_.has_value() && chain_complete_; }
  // The reason of the last refusal (diagnostics; never sent to the host).
  const std::string& last_refusal() const noexcept { return last_refusal_; }

 private:
  iso7816::ResponseApdu refuse(std::uint16_t sw, const std::string& reason);

  std::optional<Bytes> oce_key_;  // the key of the last certificate verified so far
  bool chain_complete_ = false;   // the last certificate (P2 b8 = 0) has arrived
  std::uint16_t chain_key_ = 0;   // KVN << 8 | KID of the CA key the chain is presented under
  std::string last_refusal_;
};

}  // namespace sefleet::gp::scp11

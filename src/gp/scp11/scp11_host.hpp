// The off-card (OCE) role of SCP11 as a transport-free state machine: it builds the commands and
// checks the answers it is given; the caller moves the bytes.
//
//   Scp11Host host(options, card_key, oce);
//   for (cmd : host.certificate_uploads()) send(cmd);    -> 9000 each (SCP11a/c only)
//   send(host.authenticate());                           -> MUTUAL / INTERNAL AUTHENTICATE
//   host.complete(response);                             -> receipt checked, session open
//   send(host.wrap(cmd)); host.unwrap(rsp);              -> SCP03 secure messaging, any number of times
//
// `card_key` is PK.SD.ECKA, which the caller has authenticated (given, or taken from the card's
// certificate chain verified up to a CA key). The session always runs at security level 33 (C-MAC,
// C-DEC, R-MAC, R-ENC: key usage 3C). Any failed check closes the session (state `failed`) and throws
// Error: protocol_error for an answer that breaks the protocol or a wrong receipt, integrity_error for
// a bad R-MAC or response ciphertext.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"
#include "gp/scp11/scp11_keys.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "gp/secure_messaging.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::scp11 {

struct Scp11HostOptions {
  Variant variant = Variant::b;
  std::uint8_t kvn = 0x01;       // KVN of the card's SCP11 key (P1 of the authenticate command)
  std::uint8_t key_length = 16;  // session key length: 16 (AES-128), 24 or 32 (AES-256)
  Bytes host_id;                 // optional HostID, part of the shared info
  std::uint8_t channel = 0;      // logical channel 0..19
};

// ECDH(SK.OCE.ECKA, point): the 32-byte x-coordinate, computed where SK.OCE.ECKA lives (a keystore
// or a PKCS#11 token), so the private key need not be in this process.
using StaticOceAgreement = std::function<SecretBytes(ByteView sd_point)>;

// The OCE's credentials for SCP11a/c: SK.OCE.ECKA (`key`, or `static_agreement` computing with it
// elsewhere; `key` wins when both are set) and its certificate chain (root first, leaf last, the leaf
// certifying SK.OCE.ECKA's public key), presented to the card under the CA key `ca_kvn`.
struct OceCredentials {
  std::shared_ptr<const crypto::P256PrivateKey> key;
  std::vector<Bytes> certificates;
  std::uint8_t ca_kvn = 0x10;
  StaticOceAgreement static_agreement;
};

// The commands of the OCE role, for a caller that keeps the session state itself (an online session
// split over two requests): PERFORM SECURITY OPERATION uploading `certificates` (root first) under the
// CA key `ca_kvn`, one command per certificate, b8 of P2 set on all but the last, extended length when
// a certificate does not fit a short command; and the authenticate command carrying `data`
// (encode_authenticate_data): MUTUAL AUTHENTICATE for a and c, INTERNAL AUTHENTICATE for b.
std::vector<iso7816::CommandApdu> certificate_upload_commands(const std::vector<Bytes>& certificates,
                                                              std::uint8_t ca_kvn, std::uint8_t channel = 0);
iso7816::CommandApdu authenticate_command(Variant variant, std::uint8_t kvn, ByteView data, std::uint8_t channel = 0);

// Z of SCP11a/c when SK.OCE.ECKA is not in this process: ShSee = ECDH(eSK.OCE, `sd_response_key`)
// here, ShSss = ECDH(SK.OCE, `static_sd_key`) from the OCE key's holder. Throws Error(crypto_error)
// when the agreement does not give 32 bytes; point errors propagate.
SecretBytes oce_shared_secret_by_agreement(const crypto::P256PrivateKey& ephemeral_oce_key,
                                           const StaticOceAgreement& static_agreement, ByteView sd_response_key,
                                           ByteView static_sd_key);

class Scp11Host {
 public:
  enum class State { idle, awaiting_response, open, failed };

  // Throws Error(Errc::invalid_argument) for a card key that is not a P-256 point, SCP11a/c without
  // OCE credentials, or an unsupported key length.
  Scp11Host(Scp11HostOptions options, Bytes card_key, std::optional<OceCredentials> oce = std::nullopt,
            crypto::Random& random = crypto::system_random());

  // PERFORM SECURITY OPERATION commands, one per certificate (P2 b8 set on all but the last); empty
  // for SCP11b.
  std::vector<iso7816::CommandApdu> certificate_uploads() const;
  // MUTUAL AUTHENTICATE (a, c) or INTERNAL AUTHENTICATE (b) with a fresh ephemeral key.
  iso7816::CommandApdu authenticate();
  // Checks the answer (9000, the card's key, the receipt) and opens the session.
  void complete(const iso7816::ResponseApdu& response);

  iso7816::CommandApdu wrap(const iso7816::CommandApdu& plain);
  iso7816::ResponseApdu unwrap(const iso7816::ResponseApdu& wire);

  State state() const noexcept { return state_; }
  const Scp11HostOptions& options() const noexcept { return options_; }
  // After complete(): the receipt and the S-DEK (for sensitive data such as keys sent to the card).
  const crypto::Mac16& receipt() const noexcept { return receipt_; }
  const SecretBytes& session_dek() const noexcept { return dek_; }
  SecureMessaging& messaging();

 private:
  [[noreturn]] void fail(Errc code, const std::string& message);

  Scp11HostOptions options_;
  Bytes card_key_;
  std::optional<crypto::P256PublicKey> card_public_;  // card_key_, parsed once for every session
  std::optional<OceCredentials> oce_;
  crypto::Random& random_;
  State state_ = State::idle;
  std::optional<crypto::P256PrivateKey> ephemeral_;
  Bytes sent_data_;
  crypto::Mac16 receipt_{};
  SecretBytes dek_;
  std::unique_ptr<SecureMessaging> messaging_;
};

}  // namespace sefleet::gp::scp11

// The SCP11 key agreement (Amd F §3.1), computed once for both roles:
//
//   Z          = ShSee || ShSss, each the x-coordinate of a P-256 ECDH (ECKA-DH):
//                  SCP11a/c  host: ECDH(eSK.OCE, ePK.SD) || ECDH(SK.OCE, PK.SD)
//                            card: ECDH(eSK.SD, ePK.OCE) || ECDH(SK.SD, PK.OCE)
//                  SCP11b    host: ECDH(eSK.OCE, ePK.SD) || ECDH(eSK.OCE, PK.SD)
//                            card: ECDH(eSK.SD, ePK.OCE) || ECDH(SK.SD, ePK.OCE)
//                In SCP11c the card answers with its static key in place of an ephemeral one, so its
//                "eSK.SD" is SK.SD (the card role takes whichever key it answers with).
//   SharedInfo = key usage || key type || key length [|| len(host id) || host id]
//   keys       = X9.63 KDF with SHA-256 over Z and SharedInfo, 5 x key length bytes, split in order
//                into K_receipt, S-ENC, S-MAC, S-RMAC, S-DEK
//   receipt    = AES-CMAC(K_receipt, authenticate command data || 5F49 {ePK.SD})
//
// The secure messaging that follows is SCP03's, with the receipt as the first MAC chaining value.
#pragma once

#include <optional>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/cmac.hpp"
#include "crypto/p256.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp11/scp11_params.hpp"

namespace sefleet::gp::scp11 {

struct Scp11SessionKeys {
  SecretBytes receipt_key;
  SessionKeys session;  // S-ENC, S-MAC, S-RMAC
  SecretBytes s_dek;
};

Bytes shared_info(const KeyAgreementParams& params);

// Splits the KDF output of Z; throws Error(Errc::unsupported) for parameters check_supported refuses.
Scp11SessionKeys derive_session_keys(ByteView shared_secret, const KeyAgreementParams& params);

crypto::Mac16 compute_receipt(ByteView receipt_key, ByteView authenticate_data, ByteView sd_key_point);

// Z on the host. `static_oce_key` is SK.OCE.ECKA (required for a and c, ignored for b). Peer points
// are checked; a point that is not on P-256 throws Error(Errc::crypto_error).
SecretBytes host_shared_secret(Variant variant, const crypto::P256PrivateKey& ephemeral_oce_key,
                               const crypto::P256PrivateKey* static_oce_key, ByteView sd_response_key,
                               ByteView static_sd_key);
// The same with the card's keys already parsed (a host parses PK.SD.ECKA once, not per session).
SecretBytes host_shared_secret(Variant variant, const crypto::P256PrivateKey& ephemeral_oce_key,
                               const crypto::P256PrivateKey* static_oce_key,
                               const crypto::P256PublicKey& sd_response_key,
                               const crypto::P256PublicKey& static_sd_key);

// Z on the host of a variant without a static OCE key (SCP11b; a and c throw Errc::invalid_argument),
// with eSK.OCE.ECKA as a bare 32-byte scalar and the card's points as bytes: a host that seals the
// ephemeral scalar between two steps does both ECDH without making OpenSSL keys of it.
SecretBytes host_shared_secret(Variant variant, const SecretBytes& ephemeral_oce_scalar, ByteView sd_response_key,
                               ByteView static_sd_key);

// Z on the card. `answer_key` is the key whose public point the card returns (eSK.SD, or SK.SD in
// SCP11c); `static_oce_key` is PK.OCE.ECKA from the verified certificate (required for a and c).
SecretBytes card_shared_secret(Variant variant, const crypto::P256PrivateKey& answer_key,
                               const crypto::P256PrivateKey& static_sd_key, ByteView ephemeral_oce_key,
                               const std::optional<Bytes>& static_oce_key);
// The same for SCP11a and b with eSK.SD as a bare 32-byte scalar (c answers with SK.SD: use the above).
SecretBytes card_shared_secret(Variant variant, const SecretBytes& ephemeral_sd_scalar,
                               const crypto::P256PrivateKey& static_sd_key, ByteView ephemeral_oce_key,
                               const std::optional<Bytes>& static_oce_key);

}  // namespace sefleet::gp::scp11

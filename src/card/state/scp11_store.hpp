// The card's SCP11 material in its NVM store, under "scp11/" (beside the card state's "isd/"):
//   scp11/kvn        KVN of SK.SD.ECKA (1 byte)
//   scp11/sk_sd      SK.SD.ECKA, the P-256 private scalar (32 bytes)
//   scp11/certs      the certificate chain of PK.SD.ECKA, root first, leaf last, concatenated
//   scp11/oce        KVN (1 byte) || PK.CA-KLOC.ECDSA (65 bytes), absent without an OCE CA key
// Written once at personalization; a card personalized without "scp11" has none of them.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <vector>

#include "card/nvm/nvm_store.hpp"
#include "card/state/scp11_profile.hpp"
#include "crypto/p256.hpp"
#include "gp/scp11/scp11_card.hpp"

namespace sefleet::card {

class Scp11Store {
 public:
  // Writes the profile's SCP11 material in one transaction. Without sk_sd_ecka a key pair is
  // generated and certified by a self-signed X.509 certificate (CN "sefleet SD <se_id hex>").
  static void personalize(nvm::NvmStore& store, const Scp11Profile& profile, ByteView se_id);
  // The stored material, or nullopt when the card has none. Throws Error(Errc::integrity_error)
  // naming the object that is malformed.
  static std::optional<Scp11Store> load(const nvm::NvmStore& store);
  // The same, reusing the parsed SD key of `previous` (an earlier load) when the stored scalar is still
  // the one it was parsed from: parsing a private key costs about half an ECDH, too much to
  // repeat on every authenticate command.
  static std::optional<Scp11Store> load(const nvm::NvmStore& store, const std::optional<Scp11Store>& previous);

  std::uint8_t kvn() const noexcept { return kvn_; }
  const crypto::P256PrivateKey& sd_key() const noexcept { return *sd_key_; }
  // The chain as stored (what GET DATA BF21 returns, inside BF21).
  const Bytes& certificates() const noexcept { return certificates_; }
  // The key references of the card protocol (SK.SD.ECKA under the three KIDs, the OCE CA key).
  gp::scp11::Scp11CardKeys card_keys() const;
  // PK.SD.ECKA, the certificates and the OCE CA key for `card info` (never the private key).
  nlohmann::json summary() const;

 private:
  Scp11Store() = default;
  std::uint8_t kvn_ = 0;
  std::shared_ptr<const crypto::P256PrivateKey> sd_key_;
  SecretBytes sd_scalar_;  // what sd_key_ was parsed from (compared by the reusing load)
  Bytes certificates_;
  std::optional<std::uint8_t> oce_kvn_;
  Bytes oce_ca_pk_;
};

}  // namespace sefleet::card

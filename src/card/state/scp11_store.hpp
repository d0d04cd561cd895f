// The card's SCP11 keys in its NVM store, one group of objects per key reference (KID, KVN), named
// "scp11/<what>/<KID KVN hex>":
//   scp11/sk/KKVV     an SD key pair (KID 11, 13 or 15): the P-256 private scalar (32 bytes)
//   scp11/pk/KKVV     a CA / OCE public key (KID 10 = PK.CA-KLOC.ECDSA, 20..2F): the uncompressed point
//   scp11/certs/KKVV  the certificate chain of an SD key, root first, leaf last, concatenated
//   scp11/allow/KKVV  the serial-number allowlist of a CA key: the 93 objects as STORE DATA gave them
//   scp11/caid/KKVV   the CA issuer identifier of a key: 1 byte (00 KLOC, 01 KLCC) || identifier
// Every change rewrites the whole group set in one transaction (save()), so a power cut leaves the
// old keys or the new ones. Cards personalized before several key sets existed kept one key pair
// under "scp11/kvn" + "scp11/sk_sd" + "scp11/certs" and the OCE CA key under "scp11/oce"; load()
// reads that layout too and the first save() replaces it.
#pragma once

#include <nlohmann/json.hpp>

#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "card/nvm/nvm_store.hpp"
#include "card/state/scp11_profile.hpp"
#include "crypto/p256.hpp"
#include "gp/scp11/scp11_card.hpp"

namespace sefleet::card {

struct Scp11KeyRef {
  std::uint8_t kid = 0;
  std::uint8_t kvn = 0;
  auto operator<=>(const Scp11KeyRef&) const = default;
};

// KID 11, 13, 15: an SD key pair (SK.SD.ECKA).
bool is_sd_key_id(std::uint8_t kid) noexcept;
// KID 10 (PK.CA-KLOC.ECDSA) and 20..2F (additional CA / OCE keys): a public key only.
bool is_ca_key_id(std::uint8_t kid) noexcept;

struct Scp11Key {
  std::shared_ptr<const crypto::P256PrivateKey> private_key;  // SD keys only
  Bytes public_key;                                           // uncompressed point (derived for SD keys)
  Bytes certificates;                                         // SD keys: the stored chain
  std::optional<std::vector<Bytes>> allowlist;                // CA keys: accepted leaf serial numbers
  std::optional<bool> ca_issuer_klcc;                         // with ca_issuer: KLCC (true) or KLOC
  Bytes ca_issuer;                                            // the CA's subject key identifier
};

class Scp11Store {
 public:
  static constexpr std::size_t kMaxKeys = 16;  // key references on the card (6A84 beyond)

  // The profile's material, in one transaction: SK.SD.ECKA under KIDs 11, 13 and 15 with the profile's
  // KVN (each with the chain), PK.CA-KLOC.ECDSA under KID 10. Without sk_sd_ecka a key pair is
  // generated and certified by a self-signed X.509 certificate (CN "sefleet SD <se_id hex>").
  static void personalize(nvm::NvmStore& store, const Scp11Profile& profile, ByteView se_id);
  // The stored keys, or nullopt when the card has none. Throws Error(Errc::integrity_error) naming
  // the object that is malformed.
  static std::optional<Scp11Store> load(const nvm::NvmStore& store);
  // The same, reusing each parsed SD private key of `previous` (an earlier load) whose stored scalar is
  // unchanged (compared in constant time): parsing a private key costs about half an ECDH, too much to
  // repeat on every authenticate command. A changed or new key is parsed and checked again.
  static std::optional<Scp11Store> load(const nvm::NvmStore& store, const Scp11Store* previous);
  // An empty store (a card without SCP11 keys that gets its first by PUT KEY).
  static Scp11Store empty() { return Scp11Store(); }
  // Replaces every SCP11 object of `store` by this content, in one transaction.
  void save(nvm::NvmStore& store) const;

  const std::map<Scp11KeyRef, Scp11Key>& keys() const noexcept { return keys_; }
  std::map<Scp11KeyRef, Scp11Key>& keys() noexcept { return keys_; }
  const Scp11Key* find(Scp11KeyRef ref) const;
  bool uses_kvn(std::uint8_t kvn) const;

  // The protocol's view for an authenticate command (P1 KVN, P2 KID) or a PERFORM SECURITY
  // OPERATION (P1 KVN, P2 b7..b1 KID): the named key, when the card has it.
  gp::scp11::Scp11CardKeys card_keys(Scp11KeyRef sd_key) const;
  gp::scp11::Scp11CardKeys oce_keys(Scp11KeyRef ca_key) const;
  // For `card info`: the first SD key's kvn, pk_sd_ecka and certificates, the first KID 10 key as
  // oce, and every key reference under key_sets (public parts only, never a private key).
  nlohmann::json summary() const;

 private:
  Scp11Store() = default;
  std::map<Scp11KeyRef, Scp11Key> keys_;
};

}  // namespace sefleet::card

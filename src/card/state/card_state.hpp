// The virtual SE's persistent model over its NvmStore: identity, ISD key sets with their sequence
// counters, the card life cycle, and the objects loaded by STORE DATA. Every change is exactly one
// NvmStore transaction, so a power loss leaves the card exactly before or exactly after it.
// The object names and encodings are documented in docs/card-state.md.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "card/state/card_profile.hpp"
#include "card/state/image_store.hpp"
#include "core/bytes.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::card {

namespace nvm {
class NvmStore;
}

// The most key sets the ISD holds (PUT KEY of one more answers 6A84).
inline constexpr std::size_t kMaxKeySets = 8;

struct StoredKeySet {
  gp::StaticKeySet keys;
  std::uint32_t sequence_counter = 0;  // 0..FFFFFF
};

class CardState {
 public:
  // Writes the whole personalization of `profile` in ONE transaction (life cycle OP_READY, the scp03
  // key set with counter 0). Refuses (Error(state_error)) a store that already holds card state,
  // and Error(invalid_argument) for a profile that would not load back (e.g. a bad "i").
  static void personalize(nvm::NvmStore& store, const CardProfile& profile);
  // True when the store holds card state (personalized, complete or not).
  static bool is_personalized(const nvm::NvmStore& store);

  // Loads and validates the committed state. Throws Error(integrity_error) naming the object that is
  // missing or malformed, Error(state_error) for a store that was never personalized.
  explicit CardState(nvm::NvmStore& store);
  CardState(const CardState&) = delete;
  CardState& operator=(const CardState&) = delete;

  const Bytes& se_id() const noexcept { return se_id_; }
  // Card Image Number (GET DATA 45): the se_id.
  const Bytes& cin() const noexcept { return se_id_; }
  // Issuer Identification Number (GET DATA 42): the profile's platform_id (see docs/card-state.md).
  const Bytes& iin() const noexcept { return platform_id_; }
  const Bytes& kdd() const noexcept { return kdd_; }
  const Bytes& isd_aid() const noexcept { return isd_aid_; }
  const Bytes& platform_id() const noexcept { return platform_id_; }
  std::uint8_t scp03_i() const noexcept { return scp03_i_; }
  bool allow_downgrade() const noexcept { return allow_downgrade_; }
  const Bytes& atr() const noexcept { return atr_; }
  // Personalization date as CPLC codes it (BCD, YDDD: last digit of the year, day of the year).
  const Bytes& personalization_date() const noexcept { return personalization_date_; }
  const std::optional<PlatformKeys>& platform_keys() const noexcept { return platform_keys_; }
  std::uint8_t life_cycle() const noexcept { return life_cycle_; }

  // Key sets by KVN (ascending; the default set is the lowest KVN).
  const std::map<std::uint8_t, StoredKeySet>& key_sets() const noexcept { return key_sets_; }
  // The key set `kvn`, or for 00 the default one; nullptr if none.
  const StoredKeySet* find_key_set(std::uint8_t kvn) const;

  // Increments the counter of key set `kvn` (00 = default) durably; nullopt for an unknown set or a
  // counter already at FFFFFF (it never wraps).
  std::optional<std::uint32_t> next_sequence_counter(std::uint8_t kvn);
  // Adds `keys` (replaced_kvn nullopt) or replaces the whole set `replaced_kvn` by it (its KVN may
  // differ); the new set's counter starts at 0. Throws Error(invalid_argument/not_found/state_error)
  // when the change would break the rules (callers check first and answer with status words).
  void put_key_set(const gp::StaticKeySet& keys, std::optional<std::uint8_t> replaced_kvn);
  // Replaces the keys of the existing set keys.kvn by `keys` (same KVN, same key length) and keeps its
  // sequence counter: a PUT KEY that replaces some keys of a set is not a whole-set replacement, and
  // resetting the counter while Key-ENC and Key-MAC stay would let recorded sessions be replayed.
  // Throws Error(not_found/invalid_argument) like put_key_set.
  void replace_keys(const gp::StaticKeySet& keys);
  // Deletes the key set `kvn`; refuses the last one (Error(state_error)).
  void delete_key_set(std::uint8_t kvn);
  // Sets the card life cycle state; refuses transitions card_life_cycle forbids (Error(state_error)).
  void set_life_cycle(std::uint8_t state);

  // STORE DATA objects: name ("dgi/9F45", "tlv/5F20", ...) -> value. A call stores (replacing) all
  // of `objects` in one transaction.
  void store_personalization(const std::vector<std::pair<std::string, Bytes>>& objects);
  const std::map<std::string, Bytes, std::less<>>& personalization() const noexcept { return personalization_; }

  nvm::NvmStore& store() noexcept { return store_; }

  // The images and the broadcast staging area (objects under "img/", see image_store.hpp).
  ImageStore& images() noexcept { return images_; }
  const ImageStore& images() const noexcept { return images_; }

 private:
  void load();

  nvm::NvmStore& store_;
  Bytes se_id_, kdd_, isd_aid_, platform_id_, atr_, personalization_date_;
  std::uint8_t scp03_i_ = 0;
  bool allow_downgrade_ = false;
  std::optional<PlatformKeys> platform_keys_;
  std::uint8_t life_cycle_ = 0;
  std::map<std::uint8_t, StoredKeySet> key_sets_;
  std::map<std::string, Bytes, std::less<>> personalization_;
  ImageStore images_;
};

}  // namespace sefleet::card

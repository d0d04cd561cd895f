#include "card/state/card_state.hpp"

#include <ctime>
#include <set>

#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/scp03_types.hpp"

namespace sefleet::card {
namespace {

// Object names (docs/card-state.md). Everything the card state owns lives under "isd/", so other
// components may keep their own objects in the same store.
constexpr std::string_view kPrefix = "isd/";
constexpr std::string_view kFormat = "isd/format";
constexpr std::string_view kSeId = "isd/se_id";
constexpr std::string_view kKdd = "isd/kdd";
constexpr std::string_view kIsdAid = "isd/isd_aid";
constexpr std::string_view kPlatformId = "isd/platform_id";
constexpr std::string_view kScp03I = "isd/scp03_i";
constexpr std::string_view kAllowDowngrade = "isd/allow_downgrade";
constexpr std::string_view kAtr = "isd/atr";
constexpr std::string_view kPersoDate = "isd/perso_date";
constexpr std::string_view kLifeCycle = "isd/life_cycle";
constexpr std::string_view kPlatformKeys = "isd/platform_keys";
constexpr std::string_view kKeySetPrefix = "isd/keyset/";
constexpr std::string_view kCounterPrefix = "isd/counter/";
constexpr std::string_view kPersoPrefix = "isd/perso/";
constexpr std::uint8_t kFormatVersion = 1;

std::string kvn_name(std::string_view prefix, std::uint8_t kvn) {
  return std::string(prefix) + to_hex(Bytes{kvn});
}

Bytes encode_key_set(const gp::StaticKeySet& keys) {
  // Transient copy of key material inside the store's record; the store keeps plain Bytes anyway.
  Bytes out{static_cast<std::uint8_t>(keys.key_size())};
  append(out, keys.enc.view());
  append(out, keys.mac.view());
  append(out, keys.dek.view());
  return out;
}

Bytes encode_counter(std::uint32_t counter) {
  Bytes out;
  put_be24(out, counter);
  return out;
}

Bytes encode_platform_keys(const PlatformKeys& keys) {
  Bytes out{keys.version, static_cast<std::uint8_t>(keys.kos.size())};
  append(out, keys.kos.view());
  append(out, static_cast<std::uint8_t>(keys.kmac.size()));
  append(out, keys.kmac.view());
  return out;
}

Bytes personalization_date_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  const int year_digit = (utc.tm_year + 1900) % 10;
  const int day = utc.tm_yday + 1;  // 1..366
  return Bytes{static_cast<std::uint8_t>((year_digit << 4) | (day / 100)),
               static_cast<std::uint8_t>((((day / 10) % 10) << 4) | (day % 10))};
}

[[noreturn]] void corrupt(const nvm::NvmStore& store, std::string_view object, const std::string& problem) {
  throw Error(Errc::integrity_error,
              "card state in " + store.name() + ": object '" + std::string(object) + "' " + problem);
}

Bytes required(const nvm::NvmStore& store, std::string_view name, std::size_t min_size, std::size_t max_size) {
  auto value = store.get(name);
  if (!value) corrupt(store, name, "is missing");
  if (value->size() < min_size || value->size() > max_size) {
    corrupt(store, name,
            "has " + std::to_string(value->size()) + " bytes, expected " + std::to_string(min_size) +
                (min_size == max_size ? "" : ".." + std::to_string(max_size)));
  }
  return *value;
}

// "isd/keyset/3A" -> 0x3A, or nullopt when the suffix is not two upper-case hex digits of 01..7F.
std::optional<std::uint8_t> parse_kvn_suffix(std::string_view name, std::string_view prefix) {
  const std::string_view suffix = name.substr(prefix.size());
  if (suffix.size() != 2) return std::nullopt;
  Bytes value;
  try {
    value = from_hex(suffix);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (value.size() != 1 || value[0] == 0 || value[0] > 0x7F || to_hex(value) != suffix) return std::nullopt;
  return value[0];
}

void validate_profile(const CardProfile& profile) {
  auto bad = [](const std::string& what) { throw Error(Errc::invalid_argument, "personalize: " + what); };
  if (profile.se_id.size() < 8 || profile.se_id.size() > 16) bad("se_id must be 8..16 bytes");
  if (profile.kdd.size() != gp::kKddSize) bad("kdd must be 10 bytes");
  if (profile.isd_aid.size() < 5 || profile.isd_aid.size() > 16) bad("isd_aid must be 5..16 bytes");
  if (profile.platform_id.size() != 8) bad("platform_id must be 8 bytes");
  if (!gp::is_valid_i_parameter(profile.scp03_i)) bad("scp03.i is not a supported SCP03 i parameter");
  profile.scp03.validate();
  if (profile.scp03.kvn == 0 || profile.scp03.kvn > 0x7F) bad("scp03.kvn must be 01..7F");
  if (profile.atr.size() < 2 || profile.atr.size() > 33) bad("atr must be 2..33 bytes");
  const auto& pk = profile.platform_keys;
  if (!pk.kos.empty() || !pk.kmac.empty()) {
    if (!crypto::is_aes_key_size(pk.kos.size()) || !crypto::is_aes_key_size(pk.kmac.size())) {
      bad("platform_keys kos and kmac must both be AES keys (16, 24 or 32 bytes)");
    }
  }
}

}  // namespace

void CardState::personalize(nvm::NvmStore& store, const CardProfile& profile) {
  if (is_personalized(store)) {
    throw Error(Errc::state_error, "personalize: " + store.name() + " already holds card state");
  }
  validate_profile(profile);
  nvm::run_transaction(store, [&] {
    store.write(kFormat, Bytes{kFormatVersion});
    store.write(kSeId, profile.se_id);
    store.write(kKdd, profile.kdd);
    store.write(kIsdAid, profile.isd_aid);
    store.write(kPlatformId, profile.platform_id);
    store.write(kScp03I, Bytes{profile.scp03_i});
    store.write(kAllowDowngrade, Bytes{static_cast<std::uint8_t>(profile.allow_downgrade ? 1 : 0)});
    store.write(kAtr, profile.atr);
    store.write(kPersoDate, personalization_date_now());
    store.write(kLifeCycle, Bytes{gp::card_life_cycle::kOpReady});
    if (!profile.platform_keys.kos.empty()) store.write(kPlatformKeys, encode_platform_keys(profile.platform_keys));
    store.write(kvn_name(kKeySetPrefix, profile.scp03.kvn), encode_key_set(profile.scp03));
    store.write(kvn_name(kCounterPrefix, profile.scp03.kvn), encode_counter(0));
  });
}

bool CardState::is_personalized(const nvm::NvmStore& store) {
  for (const auto& [name, value] : store.committed()) {
    if (name.starts_with(kPrefix)) return true;
  }
  return false;
}

CardState::CardState(nvm::NvmStore& store) : store_(store), images_(store) {
  load();
}

void CardState::load() {
  const nvm::NvmStore& store = store_;
  if (!is_personalized(store)) {
    throw Error(Errc::state_error, "card state: " + store.name() + " was never personalized (run `sefleet card init`)");
  }
  const Bytes format = required(store, kFormat, 1, 1);
  if (format[0] != kFormatVersion) corrupt(store, kFormat, "names unknown format " + std::to_string(format[0]));
  se_id_ = required(store, kSeId, 8, 16);
  kdd_ = required(store, kKdd, gp::kKddSize, gp::kKddSize);
  isd_aid_ = required(store, kIsdAid, 5, 16);
  platform_id_ = required(store, kPlatformId, 8, 8);
  scp03_i_ = required(store, kScp03I, 1, 1)[0];
  if (!gp::is_valid_i_parameter(scp03_i_)) corrupt(store, kScp03I, "is not a valid SCP03 i parameter");
  const Bytes downgrade = required(store, kAllowDowngrade, 1, 1);
  if (downgrade[0] > 1) corrupt(store, kAllowDowngrade, "is neither 00 nor 01");
  allow_downgrade_ = downgrade[0] == 1;
  atr_ = required(store, kAtr, 2, 33);
  personalization_date_ = required(store, kPersoDate, 2, 2);
  life_cycle_ = required(store, kLifeCycle, 1, 1)[0];
  if (!gp::card_life_cycle::is_valid(life_cycle_)) corrupt(store, kLifeCycle, "is not a card life cycle state");

  platform_keys_.reset();
  if (const auto pk = store.get(kPlatformKeys)) {
    const Bytes& v = *pk;
    const std::size_t kos_size = v.size() >= 2 ? v[1] : 0;
    const std::size_t kmac_at = 2 + kos_size;
    if (v.size() < 3 || !crypto::is_aes_key_size(kos_size) || v.size() <= kmac_at ||
        !crypto::is_aes_key_size(v[kmac_at]) || v.size() != kmac_at + 1 + v[kmac_at]) {
      corrupt(store, kPlatformKeys, "is not version || len || kos || len || kmac with AES key sizes");
    }
    PlatformKeys keys;
    keys.version = v[0];
    keys.kos = SecretBytes(ByteView(v).subspan(2, kos_size));
    keys.kmac = SecretBytes(ByteView(v).subspan(kmac_at + 1, v[kmac_at]));
    platform_keys_ = std::move(keys);
  }

  key_sets_.clear();
  personalization_.clear();
  std::set<std::uint8_t> counters;
  static const std::set<std::string_view> kSingles{kFormat,      kSeId,           kKdd, kIsdAid,    kPlatformId,
                                                   kScp03I,      kAllowDowngrade, kAtr, kPersoDate, kLifeCycle,
                                                   kPlatformKeys};
  for (const auto& [name, value] : store.committed()) {
    if (!name.starts_with(kPrefix) || kSingles.count(name) != 0) continue;
    if (name.starts_with(kKeySetPrefix)) {
      const auto kvn = parse_kvn_suffix(name, kKeySetPrefix);
      if (!kvn) corrupt(store, name, "does not name a KVN 01..7F");
      const std::size_t size = value.empty() ? 0 : value[0];
      if (!crypto::is_aes_key_size(size) || value.size() != 1 + 3 * size) {
        corrupt(store, name, "is not an AES key size byte followed by ENC, MAC and DEK");
      }
      const ByteView keys(value);
      key_sets_[*kvn].keys =
          gp::StaticKeySet(*kvn, SecretBytes(keys.subspan(1, size)), SecretBytes(keys.subspan(1 + size, size)),
                           SecretBytes(keys.subspan(1 + 2 * size, size)));
    } else if (name.starts_with(kCounterPrefix)) {
      const auto kvn = parse_kvn_suffix(name, kCounterPrefix);
      if (!kvn) corrupt(store, name, "does not name a KVN 01..7F");
      if (value.size() != 3) corrupt(store, name, "is not a 3-byte sequence counter");
      counters.insert(*kvn);
    } else if (name.starts_with(kPersoPrefix) && name.size() > kPersoPrefix.size()) {
      personalization_.emplace(name.substr(kPersoPrefix.size()), value);
    } else {
      corrupt(store, name, "is not a card state object");
    }
  }
  if (key_sets_.empty()) corrupt(store, kKeySetPrefix, "holds no key set");
  for (auto& [kvn, set] : key_sets_) {
    const std::string counter_name = kvn_name(kCounterPrefix, kvn);
    if (counters.erase(kvn) == 0) corrupt(store, counter_name, "is missing for its key set");
    set.sequence_counter = static_cast<std::uint32_t>(read_be(*store.get(counter_name)));
  }
  if (!counters.empty()) corrupt(store, kvn_name(kCounterPrefix, *counters.begin()), "has no key set");
}

const StoredKeySet* CardState::find_key_set(std::uint8_t kvn) const {
  if (kvn == 0) return key_sets_.empty() ? nullptr : &key_sets_.begin()->second;
  const auto it = key_sets_.find(kvn);
  return it == key_sets_.end() ? nullptr : &it->second;
}

std::optional<std::uint32_t> CardState::next_sequence_counter(std::uint8_t kvn) {
  const StoredKeySet* found = find_key_set(kvn);
  if (found == nullptr || found->sequence_counter >= gp::kMaxSequenceCounter) return std::nullopt;
  const std::uint8_t real_kvn = found->keys.kvn;
  const std::uint32_t next = found->sequence_counter + 1;
  nvm::run_transaction(store_, [&] { store_.write(kvn_name(kCounterPrefix, real_kvn), encode_counter(next)); });
  key_sets_[real_kvn].sequence_counter = next;  // only once durable
  return next;
}

void CardState::put_key_set(const gp::StaticKeySet& keys, std::optional<std::uint8_t> replaced_kvn) {
  keys.validate();
  if (keys.kvn == 0 || keys.kvn > 0x7F) throw Error(Errc::invalid_argument, "key set: KVN must be 01..7F");
  if (replaced_kvn && key_sets_.count(*replaced_kvn) == 0) {
    throw Error(Errc::not_found, "key set: no key set " + to_hex(Bytes{*replaced_kvn}) + " to replace");
  }
  const bool clashes = key_sets_.count(keys.kvn) != 0 && (!replaced_kvn || *replaced_kvn != keys.kvn);
  if (clashes) throw Error(Errc::state_error, "key set: KVN " + to_hex(Bytes{keys.kvn}) + " already exists");
  if (!replaced_kvn && key_sets_.size() >= kMaxKeySets)
    throw Error(Errc::state_error, "key set: no room for another set");
  nvm::run_transaction(store_, [&] {
    if (replaced_kvn && *replaced_kvn != keys.kvn) {
      store_.erase(kvn_name(kKeySetPrefix, *replaced_kvn));
      store_.erase(kvn_name(kCounterPrefix, *replaced_kvn));
    }
    store_.write(kvn_name(kKeySetPrefix, keys.kvn), encode_key_set(keys));
    store_.write(kvn_name(kCounterPrefix, keys.kvn), encode_counter(0));
  });
  if (replaced_kvn) key_sets_.erase(*replaced_kvn);
  key_sets_[keys.kvn] = StoredKeySet{keys, 0};
}

void CardState::replace_keys(const gp::StaticKeySet& keys) {
  keys.validate();
  const auto it = key_sets_.find(keys.kvn);
  if (it == key_sets_.end()) throw Error(Errc::not_found, "key set: no key set " + to_hex(Bytes{keys.kvn}));
  if (it->second.keys.key_size() != keys.key_size()) {
    throw Error(Errc::invalid_argument, "key set: replaced keys keep their length");
  }
  nvm::run_transaction(store_, [&] { store_.write(kvn_name(kKeySetPrefix, keys.kvn), encode_key_set(keys)); });
  it->second.keys = keys;  // only once durable; the counter stays
}

void CardState::delete_key_set(std::uint8_t kvn) {
  if (key_sets_.count(kvn) == 0) throw Error(Errc::not_found, "key set: no key set " + to_hex(Bytes{kvn}));
  if (key_sets_.size() == 1) throw Error(Errc::state_error, "key set: the last key set cannot be deleted");
  nvm::run_transaction(store_, [&] {
    store_.erase(kvn_name(kKeySetPrefix, kvn));
    store_.erase(kvn_name(kCounterPrefix, kvn));
  });
  key_sets_.erase(kvn);
}

void CardState::set_life_cycle(std::uint8_t state) {
  if (!gp::card_life_cycle::is_allowed_transition(life_cycle_, state)) {
    throw Error(Errc::state_error, "life cycle: " + gp::card_life_cycle::name(life_cycle_) + " -> " +
                                       gp::card_life_cycle::name(state) + " is not allowed");
  }
  nvm::run_transaction(store_, [&] { store_.write(kLifeCycle, Bytes{state}); });
  life_cycle_ = state;
}

void CardState::store_personalization(const std::vector<std::pair<std::string, Bytes>>& objects) {
  for (const auto& [name, value] : objects) {
    if (name.empty()) throw Error(Errc::invalid_argument, "personalization: empty object name");
  }
  nvm::run_transaction(store_, [&] {
    for (const auto& [name, value] : objects) store_.write(std::string(kPersoPrefix) + name, value);
  });
  for (const auto& [name, value] : objects) personalization_[name] = value;
}

}  // namespace sefleet::card

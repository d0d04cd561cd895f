// Helpers of the broadcast channel tests: a virtual SE on RAM media, campaigns built as the design
// system / HSM would (profile 3 and 4), the PAUT of one attempt, and the whole terminal flow
// PAUT[0..2] ‖ PSE ‖ PAUT[3] with the SE's answers verified as the server would.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/state/card_state.hpp"
#include "card/virtual_card.hpp"
#include "crypto/hash.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/image_envelope.hpp"
#include "gp/broadcast/image_manifest.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/broadcast/pse.hpp"
#include "isd_test_support.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::test {

namespace bc = gp::broadcast;

// A personalized card's medium (RAM), so a test can reopen it, copy it, or tear it.
inline nvm::MemoryDevice::Medium personalized_medium(const CardProfile& profile = test_profile()) {
  auto medium = std::make_shared<Bytes>();
  {
    nvm::MemoryDevice device(medium);
    nvm::NvmStore::format(device);
  }
  nvm::NvmStore store(std::make_unique<nvm::MemoryDevice>(medium));
  CardState::personalize(store, profile);
  return medium;
}

inline nvm::MemoryDevice::Medium copy_medium(const nvm::MemoryDevice::Medium& medium) {
  return std::make_shared<Bytes>(*medium);
}

inline VirtualCard open_card(const nvm::MemoryDevice::Medium& medium, const VirtualCardOptions& options = {}) {
  VirtualCard card = VirtualCard::open(std::make_unique<nvm::MemoryDevice>(medium), options);
  card.endpoint().power_on();
  return card;
}

inline bc::PlatformId platform_of(const CardProfile& profile) {
  bc::PlatformId id{};
  std::copy_n(profile.platform_id.begin(), id.size(), id.begin());
  return id;
}

struct CampaignSpec {
  bc::Profile profile = bc::Profile::campaign_key;
  std::uint32_t version = 2;
  bc::ImageType type = bc::ImageType::os;
  std::optional<bc::PlatformId> platform;  // default: the test card's
  std::size_t body_size = 600;
  std::size_t chunk_size = bc::kMaxShortChunk;
  bool extended = false;
  std::uint8_t seed = 1;  // varies campaign id, keys, body
  // Kos/Kmac the design system uses (default: the test card's).
  std::optional<SecretBytes> kos;
  std::optional<SecretBytes> kmac;
};

// Everything the design system / HSM produce for one campaign.
struct Campaign {
  CampaignSpec spec;
  bc::CampaignId id{};
  Bytes datasend;
  Bytes stream;  // what WRITE BLOCKs carry: DATASEND (p3) or its envelope (p4)
  bc::BroadcastKeys keys;
  bc::BroadcastContextStart start;
  Bytes c2;
  Bytes c8;
  std::vector<Bytes> pse;  // WRITE BLOCKs then CHANGE MODE back

  std::array<std::uint8_t, 32> sha256() const { return crypto::sha256(datasend); }
};

inline Campaign make_campaign(const CampaignSpec& spec) {
  const CardProfile card = test_profile();
  Campaign c;
  c.spec = spec;
  for (std::size_t i = 0; i < c.id.size(); ++i) c.id[i] = static_cast<std::uint8_t>(spec.seed * 31 + i);
  bc::ImageManifest manifest;
  manifest.type = spec.type;
  manifest.platform_id = spec.platform.value_or(platform_of(card));
  manifest.version = spec.version;
  manifest.name = "image v" + std::to_string(spec.version);
  Bytes body(spec.body_size);
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<std::uint8_t>(i * 7 + spec.seed);
  c.datasend = bc::encode_datasend(manifest, body);
  const SecretBytes kos = spec.kos.value_or(card.platform_keys.kos);
  const SecretBytes kmac = spec.kmac.value_or(card.platform_keys.kmac);
  c.keys.enc = key_of(static_cast<std::uint8_t>(0x60 + spec.seed));
  c.keys.mac = key_of(static_cast<std::uint8_t>(0x90 + spec.seed));
  c.start.counter = gp::scp03_counter(0x1000u * spec.seed);
  for (std::size_t i = 0; i < c.start.chaining_value.size(); ++i)
    c.start.chaining_value[i] = static_cast<std::uint8_t>(0xA0 + i);
  if (spec.profile == bc::Profile::campaign_key) {
    c.stream = c.datasend;
    c.c2 = bc::wrap_broadcast_keys(kos.view(), c.keys);
    c.c8 = bc::wrap_integrity_code(kos.view(), bc::integrity_code(c.keys.mac.view(), c.datasend));
  } else {
    c.stream = bc::seal_envelope(kos.view(), c.datasend, crypto::system_random());
    const SecretBytes joined = bc::join_broadcast_keys(c.keys);
    c.c2.assign(joined.view().begin(), joined.view().end());
    c.c8 = bc::integrity_code(kmac.view(), c.datasend);
  }
  c.pse = bc::build_pse(c.keys, c.start, c.stream, spec.chunk_size, spec.extended);
  return c;
}

inline std::uint32_t read_sequence_counter(transport::CardEndpoint& card) {
  EXPECT_EQ(select_isd(card).sw, 0x9000);
  const auto r = send(card, iso7816::CommandApdu(0x80, 0xCA, 0x00, 0xC1, {}, 256));
  EXPECT_EQ(r.sw, 0x9000);
  EXPECT_EQ(r.data.size(), 5u);
  return r.data.size() == 5 ? static_cast<std::uint32_t>(read_be(ByteView(r.data).subspan(2))) : 0;
}

// The PAUT of one attempt on `card` (reads its sequence counter first, as the server would).
inline bc::Paut make_paut(transport::CardEndpoint& card, const Campaign& c,
                          bc::Action action = bc::Action::verify_and_activate,
                          const gp::StaticKeySet& keys = test_profile().scp03, std::uint8_t host_seed = 0x11) {
  bc::PautInput input;
  input.sequence_counter = read_sequence_counter(card);
  input.host_challenge = Bytes(8, host_seed);
  input.change_mode.profile = c.spec.profile;
  input.change_mode.campaign_id = c.id;
  input.change_mode.broadcast_keys = SecretBytes(c.c2);
  input.change_mode.counter = c.start.counter;
  input.change_mode.chaining_value = c.start.chaining_value;
  input.change_mode.key_version = test_profile().platform_keys.version;
  input.change_mode.total_length = static_cast<std::uint32_t>(c.stream.size());
  input.authorize.campaign_id = c.id;
  input.authorize.integrity_code = c.c8;
  input.authorize.action = action;
  return bc::build_paut(keys, input);
}

inline iso7816::ResponseApdu send_raw(transport::CardEndpoint& card, ByteView raw) {
  return iso7816::ResponseApdu::parse(card.transmit(raw));
}

// What the terminal saw: the status words in order and the two answers the server checks.
struct FlowResult {
  std::vector<std::uint16_t> sws;
  iso7816::ResponseApdu initialize_update;
  std::optional<iso7816::ResponseApdu> authorize;
  std::uint16_t last_sw() const { return sws.empty() ? 0 : sws.back(); }
  // "9000 9000 6982" for failure messages.
  std::string trace() const {
    std::string out;
    for (const std::uint16_t sw : sws)
      out += to_hex(Bytes{static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)}) + " ";
    return out;
  }
};

// Sends PAUT[0..2] ‖ pse ‖ PAUT[3], stopping at the first unexpected status word (AUTHORIZE ACTION may
// answer 9000 or 6300).
inline FlowResult run_flow(transport::CardEndpoint& card, const bc::Paut& paut, const std::vector<Bytes>& pse) {
  FlowResult out;
  EXPECT_EQ(select_isd(card).sw, 0x9000);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto r = send(card, paut.commands[i]);
    if (i == 0) out.initialize_update = r;
    out.sws.push_back(r.sw);
    if (r.sw != 0x9000) return out;
  }
  for (const Bytes& command : pse) {
    const auto r = send_raw(card, command);
    out.sws.push_back(r.sw);
    if (r.sw != 0x9000) return out;
  }
  const auto r = send(card, paut.commands[3]);
  out.sws.push_back(r.sw);
  out.authorize = r;
  return out;
}

// Verifies the answers as the server does and returns the R-MAC-verified status object.
inline bc::ImageStatus verified_status(const bc::Paut& paut, const FlowResult& flow,
                                       const gp::StaticKeySet& keys = test_profile().scp03) {
  const bc::PautVerdict verdict = bc::verify_paut_answers(keys, paut.check, flow.initialize_update, flow.authorize);
  EXPECT_TRUE(verdict.card_authenticated);
  EXPECT_TRUE(verdict.status.has_value());
  return verdict.status.value_or(bc::ImageStatus{});
}

// GET DATA DF70, parsed: active image versions by type and the staging state (0 = none).
struct Inventory {
  std::map<std::uint8_t, std::uint32_t> versions;
  std::map<std::uint8_t, Bytes> digests;
  std::uint8_t staging_state = 0;
  std::uint32_t staged_received = 0;
};

inline Inventory inventory(transport::CardEndpoint& card) {
  Inventory out;
  EXPECT_EQ(select_isd(card).sw, 0x9000);
  const auto r = send(card, iso7816::CommandApdu(0x80, 0xCA, 0xDF, 0x70, {}, 256));
  EXPECT_EQ(r.sw, 0x9000);
  if (r.sw != 0x9000) return out;
  const iso7816::Tlv top = iso7816::parse_tlv(r.data);
  EXPECT_EQ(top.tag(), 0xDF70u);
  for (const iso7816::Tlv& object : iso7816::parse_tlv_sequence(top.value())) {
    std::map<iso7816::Tag, Bytes> fields;
    for (const iso7816::Tlv& field : object.children()) fields[field.tag()] = field.value();
    if (object.tag() == 0xE2) {
      out.versions[fields.at(0x82).at(0)] = static_cast<std::uint32_t>(read_be(fields.at(0x84)));
      out.digests[fields.at(0x82).at(0)] = fields.at(0xCC);
    } else if (object.tag() == 0xE3) {
      out.staging_state = fields.at(0x88).at(0);
      out.staged_received = static_cast<std::uint32_t>(read_be(fields.at(0x87)));
    } else {
      ADD_FAILURE() << "unexpected DF70 object " << iso7816::tag_hex(object.tag());
    }
  }
  return out;
}

inline std::uint32_t active_os_version(transport::CardEndpoint& card) {
  const Inventory inv = inventory(card);
  const auto it = inv.versions.find(0x01);
  return it == inv.versions.end() ? 0 : it->second;
}

}  // namespace sefleet::card::test

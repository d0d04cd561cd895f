// The card side for host-toolkit session tests: the real SCP03 card role (gp::Scp03Card over an
// InMemoryKeyRegistry) in front of a small card-manager application that implements just what the
// host commands need (SELECT, GET DATA with key information, GET STATUS with 6310 paging, PUT KEY
// with the DEK and KCV checks and 6A80 for adding a version that exists, SET STATUS along the allowed
// transitions), behind a link that behaves like a T=0 reader when asked (every response with data
// comes as 61xx and must be fetched with GET RESPONSE). Switches imitate older cards: GET DATA in the
// interindustry class only, no GET STATUS P1=10.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/scp03_card.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::host::testing {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;

inline StaticKeySet test_keys(std::uint8_t kvn, std::uint8_t seed, std::size_t size = 16) {
  Bytes enc(size), mac(size), dek(size);
  for (std::size_t k = 0; k < size; ++k) {
    enc[k] = static_cast<std::uint8_t>(seed + k);
    mac[k] = static_cast<std::uint8_t>(seed + 0x40 + k);
    dek[k] = static_cast<std::uint8_t>(seed + 0x80 + k);
  }
  return StaticKeySet(kvn, SecretBytes(enc), SecretBytes(mac), SecretBytes(dek));
}

class TestCard {
 public:
  explicit TestCard(std::uint8_t i = 0x70) : random_(Bytes{0x7E, 0x57}) {
    registry.put(test_keys(0x30, 0x10));
    Scp03CardConfig config;
    config.i = i;
    config.key_diversification_data = from_hex("00112233445566778899");
    card = std::make_unique<Scp03Card>(registry, config, random_);
    for (int k = 0; k < 5; ++k) {
      Bytes aid = from_hex("A0000000620301010C00");
      aid.back() = static_cast<std::uint8_t>(k + 1);
      apps.push_back(aid);
    }
  }

  // One APDU in, one out: the link a transport would give.
  ResponseApdu link(const CommandApdu& command) {
    wire_log.push_back(command);
    if (command.ins == 0xC0 && (command.cla & 0x80) == 0) return get_response(command);
    pending_.clear();
    ResponseApdu response = command.ins == 0xA4 && (command.cla & 0x80) == 0
                                ? select(command)
                                : ResponseApdu::parse(card->process(
                                      command.encode(), [this](const CommandApdu& c) { return application(c); }));
    if (t0 && !response.data.empty()) {
      pending_ = std::move(response.data);
      final_sw_ = response.sw;
      return ResponseApdu(static_cast<std::uint16_t>(0x6100 | std::min<std::size_t>(pending_.size(), 256) % 256));
    }
    return response;
  }

  InMemoryKeyRegistry registry;
  std::unique_ptr<Scp03Card> card;
  std::uint8_t dek_kvn = 0x30;  // the key set whose DEK protects PUT KEY (the one the host authenticated with)
  std::uint8_t card_life_cycle = 0x0F;
  std::vector<Bytes> apps;
  std::size_t page_size = 2;  // GET STATUS entries per response, to exercise 6310
  bool t0 = false;
  bool corrupt_kcv = false;
  bool interindustry_get_data_only = false;  // GET DATA with CLA 80 outside a session: 6E00
  bool load_files_and_modules = true;        // false: GET STATUS P1=10 gives 6A86
  std::vector<CommandApdu> wire_log;

 private:
  ResponseApdu get_response(const CommandApdu& command) {
    if (pending_.empty()) return ResponseApdu(iso7816::sw::kConditionsNotSatisfied);
    const std::size_t n = std::min(pending_.size(), command.ne.value_or(256));
    Bytes chunk(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(n));
    if (pending_.empty()) return ResponseApdu(std::move(chunk), final_sw_);
    return ResponseApdu(std::move(chunk),
                        static_cast<std::uint16_t>(0x6100 | (std::min<std::size_t>(pending_.size(), 256) % 256)));
  }

  ResponseApdu select(const CommandApdu& command) {
    card->terminate();  // selecting ends the secure channel, as on a real card
    const Bytes isd = isd_aid();
    if (!command.data.empty() && command.data != isd) return ResponseApdu(iso7816::sw::kFileNotFound);
    Bytes fci{0x6F, static_cast<std::uint8_t>(2 + isd.size() + 2), 0x84, static_cast<std::uint8_t>(isd.size())};
    append(fci, isd);
    append(fci, Bytes{0xA5, 0x00});
    return ResponseApdu(fci, 0x9000);
  }

  bool authenticated() const { return card->state() == Scp03Card::State::open; }

  ResponseApdu application(const CommandApdu& c) {
    switch (c.ins) {
      case 0xCA:
        return get_data(c);
      case 0xF2:
        return get_status(c);
      case 0xD8:
        return put_key(c);
      case 0xF0:
        if (!authenticated()) return ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied);
        if (c.p1 != 0x80 || !c.data.empty()) return ResponseApdu(iso7816::sw::kIncorrectP1P2);
        if (!card_life_cycle::is_allowed_transition(card_life_cycle, c.p2)) {
          return ResponseApdu(iso7816::sw::kConditionsNotSatisfied);
        }
        card_life_cycle = c.p2;
        return ResponseApdu(0x9000);
      default:
        return ResponseApdu(iso7816::sw::kInsNotSupported);
    }
  }

  ResponseApdu get_data(const CommandApdu& c) {
    const std::uint16_t tag = static_cast<std::uint16_t>((c.p1 << 8) | c.p2);
    if (interindustry_get_data_only && (c.cla & 0x80) != 0 && !authenticated()) {
      return ResponseApdu(iso7816::sw::kClaNotSupported);
    }
    if (tag == 0x00E0) {  // C0 04 id kvn 88 10: three AES-128 keys per version present
      Bytes templates;
      for (int kvn = 1; kvn <= 0x7F; ++kvn) {
        if (registry.find(static_cast<std::uint8_t>(kvn)) == nullptr) continue;
        for (std::uint8_t id = 1; id <= 3; ++id)
          append(templates, Bytes{0xC0, 0x04, id, static_cast<std::uint8_t>(kvn), 0x88, 0x10});
      }
      Bytes out{0xE0, static_cast<std::uint8_t>(templates.size())};
      append(out, templates);
      return ResponseApdu(out, 0x9000);
    }
    if (tag == 0x0066) {
      return ResponseApdu(from_hex("663F733D06072A864886FC6B01600C060A2A864886FC6B02020301630906072A864886FC6B03"
                                   "640B06092A864886FC6B040370660C060A2B060104012A026E0103"),
                          0x9000);
    }
    if (tag == 0x00C1) {
      Bytes out{0xC1, 0x03};
      put_be24(out, registry.sequence_counter(0x30));
      return ResponseApdu(out, 0x9000);
    }
    if (tag == 0x0045) return ResponseApdu(from_hex("45080102030405060708"), 0x9000);
    // A long answer, to make the host fetch it with GET RESPONSE in T=0 mode.
    if (tag == 0xFF00) return ResponseApdu(Bytes(600, 0x5A), 0x9000);
    // Insists on Le = 16 with 6C10, as cards do for fixed-size data.
    if (tag == 0xFF01) return c.ne == 16 ? ResponseApdu(Bytes(16, 0xA5), 0x9000) : ResponseApdu(0x6C10);
    return ResponseApdu(iso7816::sw::kReferencedDataNotFound);
  }

  ResponseApdu get_status(const CommandApdu& c) {
    if (!authenticated()) return ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied);
    if ((c.p2 & 0x02) == 0) return ResponseApdu(iso7816::sw::kIncorrectP1P2);
    if (c.p1 == 0x80) {
      Bytes isd = from_hex("E3134F08A0000001510000009F70010FC5039EFE80");
      isd[15] = card_life_cycle;
      return ResponseApdu(isd, 0x9000);
    }
    if (c.p1 == 0x10 && !load_files_and_modules) return ResponseApdu(iso7816::sw::kIncorrectP1P2);
    if (c.p1 != 0x40) return ResponseApdu(iso7816::sw::kReferencedDataNotFound);
    if ((c.p2 & 0x01) == 0) cursor_ = 0;
    Bytes out;
    std::size_t n = 0;
    for (; cursor_ < apps.size() && n < page_size; ++cursor_, ++n) {
      const Bytes& aid = apps[cursor_];
      Bytes entry{0x4F, static_cast<std::uint8_t>(aid.size())};
      append(entry, aid);
      append(entry, from_hex("9F700107C503000000"));
      out.push_back(0xE3);
      out.push_back(static_cast<std::uint8_t>(entry.size()));
      append(out, entry);
    }
    return ResponseApdu(out, cursor_ < apps.size() ? 0x6310 : 0x9000);
  }

  ResponseApdu put_key(const CommandApdu& c) {
    if (!authenticated()) return ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied);
    if (c.p2 != 0x81 || c.data.size() != 1 + 3 * 23) return ResponseApdu(iso7816::sw::kWrongData);
    const StaticKeySet* current = registry.find(dek_kvn);
    if (current == nullptr) return ResponseApdu(iso7816::sw::kReferencedDataNotFound);
    crypto::Aes aes(current->dek.view());
    std::vector<SecretBytes> keys;
    Bytes answer{c.data[0]};
    for (std::size_t k = 0; k < 3; ++k) {
      const ByteView field = ByteView(c.data).subspan(1 + 23 * k, 23);
      if (field[0] != 0x88 || field[1] != 0x11 || field[2] != 0x10 || field[19] != 0x03) {
        return ResponseApdu(iso7816::sw::kWrongData);
      }
      Bytes plain = aes.cbc_decrypt(Bytes(16, 0), field.subspan(3, 16));
      const Bytes kcv = key_check_value(plain);
      if (!std::equal(kcv.begin(), kcv.end(), field.begin() + 20))
        return ResponseApdu(iso7816::sw::kSecurityStatusNotSatisfied);
      if (corrupt_kcv) plain[0] ^= 1;
      append(answer, key_check_value(plain));
      keys.push_back(SecretBytes::take(plain));
    }
    if (c.p1 != 0 && registry.find(c.p1) == nullptr) return ResponseApdu(iso7816::sw::kReferencedDataNotFound);
    if (c.p1 == 0 && registry.find(c.data[0]) != nullptr) return ResponseApdu(iso7816::sw::kWrongData);
    registry.put(StaticKeySet(c.data[0], keys[0], keys[1], keys[2]));
    return ResponseApdu(answer, 0x9000);
  }

  crypto::DeterministicRandom random_;
  Bytes pending_;
  std::uint16_t final_sw_ = 0x9000;
  std::size_t cursor_ = 0;
};

}  // namespace sefleet::gp::host::testing

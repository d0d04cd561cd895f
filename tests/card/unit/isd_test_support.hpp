// Helpers shared by the ISD and card state tests: a test profile, APDU exchange with a card endpoint,
// an SCP03 host session (gp::Scp03Host), and PUT KEY data built as a host would.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>

#include "card/state/card_profile.hpp"
#include "core/hex.hpp"
#include "core/secret.hpp"
#include "crypto/aes.hpp"
#include "gp/scp03_host.hpp"
#include "gp/static_keys.hpp"
#include "iso7816/apdu.hpp"
#include "transport/card_endpoint.hpp"

namespace sefleet::card::test {

inline SecretBytes key_of(std::uint8_t first, std::size_t size = 16) {
  SecretBytes key(size);
  for (std::size_t i = 0; i < size; ++i) key.data()[i] = static_cast<std::uint8_t>(first + i);
  return key;
}

inline gp::StaticKeySet key_set(std::uint8_t kvn, std::uint8_t seed, std::size_t size = 16) {
  return gp::StaticKeySet(kvn, key_of(seed, size), key_of(static_cast<std::uint8_t>(seed + 0x40), size),
                          key_of(static_cast<std::uint8_t>(seed + 0x80), size));
}

inline CardProfile test_profile() {
  CardProfile profile;
  profile.se_id = from_hex("0102030405060708090A0B0C");
  profile.kdd = from_hex("00112233445566778899");
  profile.isd_aid = from_hex("A000000151000000");
  profile.platform_id = from_hex("5346000000000001");
  profile.scp03_i = 0x70;
  profile.scp03 = key_set(0x30, 0x40);
  profile.platform_keys.version = 1;
  profile.platform_keys.kos = key_of(0x10);
  profile.platform_keys.kmac = key_of(0x20);
  profile.allow_downgrade = false;
  profile.atr = default_atr();
  return profile;
}

inline iso7816::ResponseApdu send(transport::CardEndpoint& card, const iso7816::CommandApdu& command) {
  return iso7816::ResponseApdu::parse(card.transmit(command.encode()));
}

inline iso7816::ResponseApdu select_isd(transport::CardEndpoint& card, std::uint8_t channel = 0) {
  return send(card, iso7816::CommandApdu(iso7816::cla_for_channel(0x00, channel, false), 0xA4, 0x04, 0x00,
                                         from_hex("A000000151000000"), 256));
}

// An open SCP03 session with the ISD on `channel` (ISD selected first).
class HostSession {
 public:
  HostSession(transport::CardEndpoint& card, const gp::StaticKeySet& keys, std::uint8_t level, std::uint8_t channel = 0,
              std::uint8_t kvn = 0)
      : card_(card), host_(keys, options(level, channel, kvn)) {}

  // Selects the ISD and authenticates; false (with the failing step's SW) when the card refuses.
  bool open() {
    if (select_isd(card_, host_.options().channel).sw != 0x9000) return false;
    const auto iu = send(card_, host_.initialize_update());
    last_sw_ = iu.sw;
    if (iu.sw != 0x9000) return false;
    const auto ea = send(card_, host_.external_authenticate(iu));
    last_sw_ = ea.sw;
    if (ea.sw != 0x9000) return false;
    host_.complete(ea);
    return true;
  }
  // Sends a plain GP command (CLA 80 on the session's channel) protected by the session.
  iso7816::ResponseApdu send_plain(iso7816::CommandApdu plain) {
    plain.cla = iso7816::cla_for_channel(plain.cla, host_.options().channel, false);
    return host_.unwrap(send(card_, host_.wrap(plain)));
  }
  gp::Scp03Host& host() noexcept { return host_; }
  std::uint16_t last_sw() const noexcept { return last_sw_; }

 private:
  static gp::Scp03HostOptions options(std::uint8_t level, std::uint8_t channel, std::uint8_t kvn) {
    gp::Scp03HostOptions o;
    o.security_level = level;
    o.channel = channel;
    o.kvn = kvn;
    return o;
  }
  transport::CardEndpoint& card_;
  gp::Scp03Host host_;
  std::uint16_t last_sw_ = 0;
};

// One AES key block of PUT KEY (Amd D Table 7-10): 88 LL KL E(DEK, key || pad) 03 KCV.
inline Bytes put_key_block(ByteView dek, ByteView key) {
  Bytes plain(key.begin(), key.end());
  plain.resize((key.size() + 15) / 16 * 16, 0x5A);
  crypto::Aes aes(dek);
  const std::array<std::uint8_t, 16> iv{};
  const Bytes cipher = aes.cbc_encrypt(iv, plain);
  Bytes out{0x88, static_cast<std::uint8_t>(1 + cipher.size()), static_cast<std::uint8_t>(key.size())};
  append(out, cipher);
  out.push_back(0x03);
  append(out, gp::key_check_value(key));
  return out;
}

// PUT KEY data: new KVN, then ENC, MAC, DEK of `keys` encrypted under `dek`.
inline Bytes put_key_data(const gp::StaticKeySet& keys, ByteView dek) {
  Bytes data{keys.kvn};
  append(data, put_key_block(dek, keys.enc.view()));
  append(data, put_key_block(dek, keys.mac.view()));
  append(data, put_key_block(dek, keys.dek.view()));
  return data;
}

}  // namespace sefleet::card::test

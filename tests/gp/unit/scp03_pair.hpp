// A host and a card role wired back to back in-process, for round-trip and negative tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>

#include "core/bytes.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::gp::testing {

inline StaticKeySet make_keys(std::size_t size, std::uint8_t kvn = 0x30, std::uint8_t seed = 0x40) {
  Bytes enc(size), mac(size), dek(size);
  for (std::size_t i = 0; i < size; ++i) {
    enc[i] = static_cast<std::uint8_t>(seed + i);
    mac[i] = static_cast<std::uint8_t>(seed + 0x20 + i);
    dek[i] = static_cast<std::uint8_t>(seed + 0x40 + i);
  }
  return StaticKeySet(kvn, SecretBytes(enc), SecretBytes(mac), SecretBytes(dek));
}

// Session keys (S-ENC, S-MAC, S-RMAC) drawn from a deterministic random source seeded with `seed`.
inline SessionKeys random_session_keys(std::uint8_t seed) {
  crypto::DeterministicRandom random(Bytes{seed});
  return SessionKeys{SecretBytes(random.bytes(16)), SecretBytes(random.bytes(16)), SecretBytes(random.bytes(16))};
}

struct PairConfig {
  Scp03Mode mode = Scp03Mode::s8;
  std::size_t key_size = 16;
  std::uint8_t level = 0x33;
  bool pseudo_random = true;
  std::uint8_t channel = 0;
};

inline std::uint8_t i_for(const PairConfig& c) {
  std::uint8_t i = iparam::kRMac | iparam::kREnc;
  if (c.pseudo_random) i |= iparam::kPseudoRandomChallenge;
  if (c.mode == Scp03Mode::s16) i |= iparam::kS16;
  return i;
}

// The application behind the card: records what it was given and answers with `next_response`.
struct RecordingApplication {
  iso7816::CommandApdu last;
  int calls = 0;
  iso7816::ResponseApdu next_response{iso7816::ResponseApdu(0x9000)};
  Scp03Card::Application function() {
    return [this](const iso7816::CommandApdu& cmd) {
      last = cmd;
      ++calls;
      return next_response;
    };
  }
};

class Scp03Pair {
 public:
  explicit Scp03Pair(PairConfig config = {}) : config_(config), random_(Bytes{0x5E, 0xF1, 0xEE, 0x70}) {
    registry.put(make_keys(config.key_size));
    Scp03CardConfig card_config;
    card_config.i = i_for(config);
    card = std::make_unique<Scp03Card>(registry, card_config, random_);
    Scp03HostOptions options;
    options.mode = config.mode;
    options.security_level = config.level;
    options.channel = config.channel;
    host = std::make_unique<Scp03Host>(make_keys(config.key_size), options, random_);
  }

  // Sends through the wire encoding, as a transport would.
  iso7816::ResponseApdu send(const iso7816::CommandApdu& cmd) {
    return iso7816::ResponseApdu::parse(card->process(cmd.encode(), app.function()));
  }
  iso7816::ResponseApdu send_raw(ByteView raw) {
    return iso7816::ResponseApdu::parse(card->process(raw, app.function()));
  }

  void open() {
    const auto iu = send(host->initialize_update());
    ASSERT_EQ(iu.sw, 0x9000);
    const auto ea = send(host->external_authenticate(iu));
    ASSERT_EQ(ea.sw, 0x9000) << card->last_refusal();
    host->complete(ea);
    ASSERT_EQ(card->state(), Scp03Card::State::open);
  }

  // Host wrap, card process, host unwrap.
  iso7816::ResponseApdu exchange(const iso7816::CommandApdu& plain) { return host->unwrap(send(host->wrap(plain))); }

  PairConfig config_;
  crypto::DeterministicRandom random_;
  InMemoryKeyRegistry registry;
  RecordingApplication app;
  std::unique_ptr<Scp03Card> card;
  std::unique_ptr<Scp03Host> host;
};

}  // namespace sefleet::gp::testing

// Test applets and a card harness for the runtime tests: one configurable applet class (echo, big
// responses, refusals, throws, transient memory, NVM transactions) and a Runtime with an ISD-like
// default applet, two applets sharing an AID prefix, a multi-selectable one and one using SCP03.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::test {

// Instructions the test applet understands (proprietary class 80 or interindustry 00).
namespace ins {
inline constexpr std::uint8_t kEcho = 0x01;            // answers the command data
inline constexpr std::uint8_t kBigResponse = 0x02;     // answers P1P2 bytes (pattern)
inline constexpr std::uint8_t kThrowSw = 0x03;         // throws StatusWordError(P1P2)
inline constexpr std::uint8_t kThrowOther = 0x04;      // throws std::runtime_error
inline constexpr std::uint8_t kWriteTransient = 0x05;  // P1 0: CLEAR_ON_RESET, 1: CLEAR_ON_DESELECT
inline constexpr std::uint8_t kReadTransient = 0x06;
inline constexpr std::uint8_t kOpenTransaction = 0x07;  // begins an NVM transaction, writes, returns
inline constexpr std::uint8_t kSecurityLevel = 0x08;    // answers ctx.security_level()
inline constexpr std::uint8_t kChannel = 0x09;          // answers ctx.channel()
inline constexpr std::uint8_t kGetData = 0xCA;          // answers 4 bytes of data
inline constexpr std::uint8_t kSelect = 0xA4;
}  // namespace ins

inline Bytes pattern(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(i * 7 + (i >> 8));
  return out;
}

struct TestAppletOptions {
  bool multi_selectable = false;
  bool uses_secure_channel = false;
  bool accept_select = true;
  bool throw_in_select = false;
};

class TestApplet final : public Applet {
 public:
  using Options = TestAppletOptions;
  explicit TestApplet(std::string name, Options options = {}) : name_(std::move(name)), options_(options) {}

  bool select(AppletContext& ctx) override {
    ++selects;
    last_channel = ctx.channel();
    if (options_.throw_in_select) throw std::runtime_error("select failure for the test");
    return options_.accept_select;
  }
  void deselect(AppletContext& ctx) override {
    ++deselects;
    last_channel = ctx.channel();
  }
  bool uses_secure_channel() const override { return options_.uses_secure_channel; }
  bool multi_selectable() const override { return options_.multi_selectable; }

  iso7816::ResponseApdu process(const iso7816::CommandApdu& command, AppletContext& ctx) override {
    ++commands;
    last_command = command;
    last_channel = ctx.channel();
    const std::uint16_t p1p2 = static_cast<std::uint16_t>((command.p1 << 8) | command.p2);
    switch (command.ins) {
      case ins::kSelect:  // SELECT by DF name: FCI 6F { 84 AID } plus the applet name
        if ((command.cla & 0x80) != 0 || command.p1 != 0x04)
          return iso7816::ResponseApdu(iso7816::sw::kInsNotSupported);
        return iso7816::ResponseApdu(concat({Bytes{0x6F, static_cast<std::uint8_t>(ctx.aid().size() + 2), 0x84,
                                                   static_cast<std::uint8_t>(ctx.aid().size())},
                                             ctx.aid(), bytes_of(name_)}),
                                     0x9000);
      case ins::kEcho:
        return iso7816::ResponseApdu(command.data, 0x9000);
      case ins::kBigResponse:
        return iso7816::ResponseApdu(pattern(p1p2), 0x9000);
      case ins::kThrowSw:
        throw StatusWordError(p1p2, "test refusal");
      case ins::kThrowOther:
        throw std::runtime_error("test failure");
      case ins::kWriteTransient:
        ctx.transient(scope_of(command.p1), "t") = command.data;
        return iso7816::ResponseApdu(0x9000);
      case ins::kReadTransient:
        return iso7816::ResponseApdu(ctx.transient(scope_of(command.p1), "t"), 0x9000);
      case ins::kOpenTransaction:
        if (ctx.store() == nullptr) return iso7816::ResponseApdu(0x6985);
        ctx.store()->begin();
        ctx.store()->write("left-open", command.data);
        return iso7816::ResponseApdu(0x9000);
      case ins::kSecurityLevel:
        return iso7816::ResponseApdu(Bytes{ctx.security_level()}, 0x9000);
      case ins::kChannel:
        return iso7816::ResponseApdu(Bytes{ctx.channel()}, 0x9000);
      case ins::kGetData:
        return iso7816::ResponseApdu(Bytes{0x66, 0x02, 0x01, 0x02}, 0x9000);
      default:
        return iso7816::ResponseApdu(iso7816::sw::kInsNotSupported);
    }
  }

  int selects = 0;
  int deselects = 0;
  int commands = 0;
  int last_channel = -1;
  iso7816::CommandApdu last_command;

 private:
  static TransientScope scope_of(std::uint8_t p1) {
    return p1 == 0 ? TransientScope::clear_on_reset : TransientScope::clear_on_deselect;
  }
  std::string name_;
  Options options_;
};

// bytes [from, to) of pattern(size)
inline Bytes pattern_part(std::size_t size, std::size_t from, std::size_t to) {
  const Bytes all = pattern(size);
  return Bytes(all.begin() + static_cast<std::ptrdiff_t>(from), all.begin() + static_cast<std::ptrdiff_t>(to));
}

inline Bytes aid(const char* hex) {
  return from_hex(hex);
}
inline const char* const kIsdAid = "A000000151000000";
inline const char* const kApp1Aid = "A0000000010101";
inline const char* const kApp2Aid = "A0000000010102";
inline const char* const kMultiAid = "A0000000020201";
inline const char* const kSecureAid = "A0000000030301";
inline const char* const kRefusingAid = "A0000000040401";
inline const char* const kThrowingAid = "A0000000040402";
inline const char* const kLockedAid = "A0000000050501";

inline gp::StaticKeySet test_keys() {
  Bytes enc(16), mac(16), dek(16);
  for (std::size_t i = 0; i < 16; ++i) {
    enc[i] = static_cast<std::uint8_t>(0x40 + i);
    mac[i] = static_cast<std::uint8_t>(0x60 + i);
    dek[i] = static_cast<std::uint8_t>(0x80 + i);
  }
  return gp::StaticKeySet(0x30, SecretBytes(enc), SecretBytes(mac), SecretBytes(dek));
}

// A powered card with the applets above registered; the ISD is multi-selectable and default selected.
class Card {
 public:
  explicit Card(std::size_t channels = 4, bool with_store = false)
      : random_(Bytes{0x01, 0x02, 0x03}),
        isd("isd", {.multi_selectable = true}),
        app1("app1"),
        app2("app2"),
        multi("multi", {.multi_selectable = true}),
        secure("secure", {.multi_selectable = true, .uses_secure_channel = true}),
        refusing("refusing", {.accept_select = false}),
        throwing("throwing", {.throw_in_select = true}),
        locked("locked") {
    keys.put(test_keys());
    if (with_store) {
      auto device = std::make_unique<nvm::MemoryDevice>();
      nvm::NvmStore::format(*device);
      store = std::make_unique<nvm::NvmStore>(std::move(device));
    }
    RuntimeConfig config;
    config.atr = from_hex("3B8080010101");
    config.keys = &keys;
    config.random = &random_;
    config.store = store.get();
    config.logical_channels = channels;
    config.selection_gate = [this](const RegistryEntry& entry) -> std::uint16_t {
      ++gate_calls;
      return gate_verdict(entry);
    };
    runtime = std::make_unique<Runtime>(std::move(config));
    add(kIsdAid, isd, RegistryEntry::Kind::issuer_security_domain, privilege::kSecurityDomain | privilege::kCardReset);
    add(kApp1Aid, app1);
    add(kApp2Aid, app2);
    add(kMultiAid, multi);
    add(kSecureAid, secure);
    add(kRefusingAid, refusing);
    add(kThrowingAid, throwing);
    add(kLockedAid, locked, RegistryEntry::Kind::application, 0x00,
        app_life_cycle::kSelectable | app_life_cycle::kLockedBit);
    runtime->power_on();
  }

  void add(const char* hex, Applet& applet, RegistryEntry::Kind kind = RegistryEntry::Kind::application,
           std::uint8_t privileges = 0x00, std::uint8_t life_cycle = app_life_cycle::kSelectable) {
    RegistryEntry entry;
    entry.kind = kind;
    entry.aid = from_hex(hex);
    entry.life_cycle = life_cycle;
    entry.privileges = Bytes{privileges, 0x00, 0x00};
    entry.applet = &applet;
    runtime->registry().add(std::move(entry));
  }

  iso7816::ResponseApdu send(ByteView raw) { return iso7816::ResponseApdu::parse(runtime->transmit(raw)); }
  iso7816::ResponseApdu send(const std::string& hex) { return send(from_hex(hex)); }
  iso7816::ResponseApdu send(const iso7816::CommandApdu& command) { return send(command.encode()); }

  // SELECT by DF name on `channel`, with Le 00.
  iso7816::ResponseApdu select(const char* aid_hex, std::uint8_t channel = 0, std::uint8_t p2 = 0x00) {
    return send(
        iso7816::CommandApdu(iso7816::cla_for_channel(0x00, channel, false), 0xA4, 0x04, p2, from_hex(aid_hex), 256));
  }
  std::uint8_t open_channel(std::uint8_t from = 0) {
    const auto rsp = send(iso7816::CommandApdu(iso7816::cla_for_channel(0x00, from, false), 0x70, 0x00, 0x00, {}, 1));
    EXPECT_EQ(rsp.sw, 0x9000);
    EXPECT_EQ(rsp.data.size(), 1u);
    return rsp.data.empty() ? 0xFF : rsp.data[0];
  }
  iso7816::ResponseApdu close_channel(std::uint8_t channel, std::uint8_t from = 0) {
    return send(iso7816::CommandApdu(iso7816::cla_for_channel(0x00, from, false), 0x70, 0x80, channel));
  }
  iso7816::ResponseApdu command(std::uint8_t channel, std::uint8_t instruction, std::uint8_t p1 = 0,
                                std::uint8_t p2 = 0, Bytes data = {}, std::optional<std::size_t> ne = 256) {
    return send(
        iso7816::CommandApdu(iso7816::cla_for_channel(0x80, channel, false), instruction, p1, p2, std::move(data), ne));
  }
  std::string selected(std::uint8_t channel) const {
    const auto aid = runtime->selected_aid(channel);
    return aid ? to_hex(*aid) : std::string("none");
  }

  // Opens a real SCP03 session (level 33) with the secure applet selected on `channel`.
  std::unique_ptr<gp::Scp03Host> open_session(std::uint8_t channel) {
    gp::Scp03HostOptions options;
    options.channel = channel;
    options.security_level = 0x33;
    options.invoking_aids = {from_hex(kSecureAid)};
    auto host = std::make_unique<gp::Scp03Host>(test_keys(), options, random_);
    const auto iu = send(host->initialize_update());
    EXPECT_EQ(iu.sw, 0x9000);
    const auto ea = send(host->external_authenticate(iu));
    EXPECT_EQ(ea.sw, 0x9000);
    host->complete(ea);
    return host;
  }
  // A wrapped command on the host's channel; returns the unwrapped response.
  iso7816::ResponseApdu secure_command(gp::Scp03Host& host, std::uint8_t instruction, Bytes data = {}) {
    const iso7816::CommandApdu plain(iso7816::cla_for_channel(0x80, host.options().channel, false), instruction, 0, 0,
                                     std::move(data), 256);
    return host.unwrap(send(host.wrap(plain)));
  }

  std::function<std::uint16_t(const RegistryEntry&)> gate_verdict = [](const RegistryEntry&) -> std::uint16_t {
    return 0x9000;
  };
  int gate_calls = 0;

  crypto::DeterministicRandom random_;
  gp::InMemoryKeyRegistry keys;
  std::unique_ptr<nvm::NvmStore> store;
  TestApplet isd, app1, app2, multi, secure, refusing, throwing, locked;
  std::unique_ptr<Runtime> runtime;
};

}  // namespace sefleet::card::test

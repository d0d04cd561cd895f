// Fuzzes the card runtime with sequences of operations on one card: raw APDUs, resets, power cycles,
// after-response calls, and real SCP03 sessions opened by a host (so that wrapped traffic, session
// aborts and logical-channel isolation are reached, not only the refusal paths). The card has a
// default ISD-like applet using SCP03, a plain applet, a multi-selectable one, and an NVM store.
//
// Input: records of [kind(1)] [length(2, big-endian)] [payload(length)], until the input ends.
//   kind % 8: 0 transmit payload | 1 reset | 2 power off | 3 power on | 4 after_response
//             5 open an SCP03 session (level payload[0]) on channel payload[1] % 4 | 6 send payload as a
//             plain APDU wrapped by that session | 7 transmit payload twice
// Invariants (abort otherwise): transmit() never throws and always answers SW1 SW2; a powered-off
// card answers exactly 6F00; no NVM transaction stays open after a command.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/runtime.hpp"
#include "core/bytes.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_host.hpp"

namespace {

using namespace sefleet;
using namespace sefleet::card;
using iso7816::CommandApdu;
using iso7816::ResponseApdu;

void check(bool condition) {
  if (!condition) std::abort();
}

gp::StaticKeySet keys() {
  Bytes key(16);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(0x40 + i);
  return gp::StaticKeySet(0x30, SecretBytes(key), SecretBytes(key), SecretBytes(key));
}

class FuzzApplet final : public Applet {
 public:
  FuzzApplet(bool multi, bool secure) : multi_(multi), secure_(secure) {}
  bool multi_selectable() const override { return multi_; }
  bool uses_secure_channel() const override { return secure_; }
  bool select(AppletContext& ctx) override { return ctx.transient(TransientScope::clear_on_reset, "refuse").empty(); }
  ResponseApdu process(const CommandApdu& command, AppletContext& ctx) override {
    const std::size_t p1p2 = static_cast<std::size_t>((command.p1 << 8) | command.p2);
    switch (command.ins) {
      case 0xA4:
        return ResponseApdu(Bytes(ctx.aid().begin(), ctx.aid().end()), 0x9000);
      case 0x01:
        return ResponseApdu(command.data, 0x9000);
      case 0x02:
        return ResponseApdu(Bytes(p1p2 % 5000, 0x5A), 0x9000);
      case 0x03:
        throw StatusWordError(static_cast<std::uint16_t>(p1p2));
      case 0x04:
        throw std::runtime_error("fuzz applet failure");
      case 0x05:
        ctx.transient(command.p1 & 1 ? TransientScope::clear_on_deselect : TransientScope::clear_on_reset, "t") =
            command.data;
        return ResponseApdu(0x9000);
      case 0x06:
        return ResponseApdu(ctx.transient(TransientScope::clear_on_deselect, "t"), 0x9000);
      case 0x07:
        if (ctx.store() != nullptr) {
          ctx.store()->begin();
          ctx.store()->write("k", command.data);
          if (command.p1 == 1) ctx.store()->commit();
        }
        return ResponseApdu(0x9000);
      case 0x08:
        ctx.transient(TransientScope::clear_on_reset, "refuse") = Bytes{1};  // next select() refuses
        return ResponseApdu(0x9000);
      case 0x09:
        return ResponseApdu(Bytes{ctx.channel(), ctx.security_level()}, 0x9000);
      default:
        return ResponseApdu(0x6D00);
    }
  }

 private:
  bool multi_;
  bool secure_;
};

struct Card {
  Card() {
    registry.put(keys());
    auto device = std::make_unique<card::nvm::MemoryDevice>();
    card::nvm::NvmStore::format(*device);
    store = std::make_unique<card::nvm::NvmStore>(std::move(device));
    RuntimeConfig config;
    config.atr = Bytes{0x3B, 0x00};
    config.keys = &registry;
    config.random = &random;
    config.store = store.get();
    config.logical_channels = 4;
    config.selection_gate = [](const RegistryEntry& entry) -> std::uint16_t {
      return entry.aid.back() == 0x66 ? 0x6A82 : 0x9000;  // one entry the "life cycle" refuses
    };
    runtime = std::make_unique<Runtime>(std::move(config));
    add({0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}, isd, RegistryEntry::Kind::issuer_security_domain, 0x84);
    add({0xA0, 0x00, 0x00, 0x00, 0x01, 0x01}, plain, RegistryEntry::Kind::application, 0);
    add({0xA0, 0x00, 0x00, 0x00, 0x01, 0x02}, multi, RegistryEntry::Kind::application, 0);
    add({0xA0, 0x00, 0x00, 0x00, 0x01, 0x66}, plain_gated, RegistryEntry::Kind::application, 0);
    runtime->power_on();
  }
  void add(Bytes aid, Applet& applet, RegistryEntry::Kind kind, std::uint8_t privileges) {
    RegistryEntry entry;
    entry.kind = kind;
    entry.aid = std::move(aid);
    entry.privileges = Bytes{privileges, 0, 0};
    entry.applet = &applet;
    runtime->registry().add(std::move(entry));
  }
  Bytes transmit(ByteView apdu) {
    Bytes rsp;
    try {
      rsp = runtime->transmit(apdu);
    } catch (...) {
      std::abort();  // nothing may escape transmit()
    }
    check(rsp.size() >= 2);
    check(!store->in_transaction());
    if (!runtime->powered()) check(rsp == Bytes({0x6F, 0x00}));
    return rsp;
  }

  crypto::DeterministicRandom random{Bytes{0x0F}};
  gp::InMemoryKeyRegistry registry;
  std::unique_ptr<card::nvm::NvmStore> store;
  FuzzApplet isd{true, true};
  FuzzApplet plain{false, false};
  FuzzApplet multi{true, false};
  FuzzApplet plain_gated{false, false};
  std::unique_ptr<Runtime> runtime;
};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the runtime logs every applet exception
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Card card;
  std::unique_ptr<gp::Scp03Host> host;
  std::size_t pos = 0;
  while (pos + 3 <= size) {
    const std::uint8_t kind = data[pos] & 0x07;
    const std::size_t length =
        std::min<std::size_t>(static_cast<std::size_t>((data[pos + 1] << 8) | data[pos + 2]), size - pos - 3);
    const ByteView payload(data + pos + 3, length);
    pos += 3 + length;
    switch (kind) {
      case 0:
        card.transmit(payload);
        break;
      case 1:
        card.runtime->reset();
        break;
      case 2:
        card.runtime->power_off();
        break;
      case 3:
        card.runtime->power_on();
        break;
      case 4:
        card.runtime->after_response();
        break;
      case 5: {
        static const std::uint8_t levels[] = {0x00, 0x01, 0x03, 0x11, 0x13, 0x33};
        gp::Scp03HostOptions options;
        options.security_level = levels[(payload.empty() ? 0 : payload[0]) % 6];
        options.channel = static_cast<std::uint8_t>(payload.size() > 1 ? payload[1] % 4 : 0);
        options.verify_pseudo_random_challenge = false;
        host = std::make_unique<gp::Scp03Host>(keys(), options, card.random);
        try {
          const auto iu = ResponseApdu::parse(card.transmit(host->initialize_update().encode()));
          const auto ea = ResponseApdu::parse(card.transmit(host->external_authenticate(iu).encode()));
          host->complete(ea);
        } catch (const Error&) {  // the card refused (no secure applet there, channel closed ...)
          host.reset();
        }
        break;
      }
      case 6: {
        if (!host || host->state() != gp::Scp03Host::State::open) break;
        const auto plain = CommandApdu::try_parse(payload);
        if (!plain) break;
        try {
          CommandApdu command = *plain;
          command.cla = iso7816::cla_for_channel(command.cla & 0x80, host->options().channel, false);
          const auto rsp = ResponseApdu::parse(card.transmit(host->wrap(command).encode()));
          host->unwrap(rsp);
        } catch (const Error&) {  // host-side refusal (too long to wrap, bad R-MAC after an abort ...)
          host.reset();
        }
        break;
      }
      case 7:
        card.transmit(payload);
        card.transmit(payload);
        break;
      default:
        break;
    }
  }
  return 0;
}

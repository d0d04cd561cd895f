// A vehicle key applet in a runtime over an in-memory store, and a minimal phone built from the
// shared protocol code, for the dk_* card tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "card/applets/digital_key/vehicle_key_applet.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "card/runtime/runtime.hpp"
#include "crypto/p256.hpp"
#include "crypto/random.hpp"
#include "iso7816/apdu.hpp"
#include "protocols/digital_key/dk_protocol.hpp"

namespace sefleet::card::dk_test {

namespace pdk = protocols::dk;

struct DkCard {
  std::unique_ptr<nvm::NvmStore> store;
  crypto::DeterministicRandom random{bytes_of("dk test card")};
  VirtualClock clock;
  std::unique_ptr<Runtime> runtime;
  VehicleKeyApplet* applet = nullptr;
  Bytes vehicle_id = Bytes(16, 0x56);
  Bytes device_id = Bytes(16, 0x44);
  crypto::P256PrivateKey vehicle_key = crypto::P256PrivateKey::from_scalar(Bytes(32, 0x11));
  crypto::P256PrivateKey device_key = crypto::P256PrivateKey::from_scalar(Bytes(32, 0x22));

  explicit DkCard(bool defer = true, std::size_t commit_capacity = kDefaultCommitCapacity) {
    auto device = std::make_unique<nvm::MemoryDevice>("dk-test");
    nvm::NvmStore::format(*device);
    store = std::make_unique<nvm::NvmStore>(std::move(device));
    RuntimeConfig config;
    config.random = &random;
    config.store = store.get();
    config.clock = &clock;
    config.defer_after_response = defer;
    config.commit_capacity = commit_capacity;
    runtime = std::make_unique<Runtime>(std::move(config));
    VehicleKeyConfig applet_config;
    applet_config.vehicle_id = vehicle_id;
    applet_config.vehicle_private_key = device_key_scalar(vehicle_key);
    applet_config.devices.push_back({device_id, device_key.public_uncompressed(), 1});
    auto instance = std::make_unique<VehicleKeyApplet>(std::move(applet_config));
    applet = instance.get();
    RegistryEntry entry;
    entry.kind = RegistryEntry::Kind::application;
    entry.aid = Bytes(pdk::kVehicleKeyAid.begin(), pdk::kVehicleKeyAid.end());
    runtime->install_applet(std::move(entry), std::move(instance));
    runtime->power_on();
  }

  static SecretBytes device_key_scalar(const crypto::P256PrivateKey& key) { return key.scalar(); }

  // Sends a command and runs the deferred work after it (as a host would by being idle).
  iso7816::ResponseApdu send(const iso7816::CommandApdu& command) {
    const Bytes raw = runtime->transmit(command.encode());
    runtime->after_response();
    return iso7816::ResponseApdu::parse(raw);
  }

  std::optional<Bytes> persistent(std::string_view name) const {
    const Bytes aid(pdk::kVehicleKeyAid.begin(), pdk::kVehicleKeyAid.end());
    return store->get(PersistentMemory::namespace_prefix(aid) + std::string(name));
  }
};

// The phone side of one transaction, step by step, with hooks to misbehave.
struct TestPhone {
  DkCard& card;
  pdk::HostDkCrypto crypto;
  crypto::DeterministicRandom random{bytes_of("dk test phone")};
  std::optional<crypto::P256PrivateKey> ephemeral;
  pdk::TransactionContext context;
  std::optional<pdk::SecureChannel> channel;
  Bytes vehicle_epk;

  explicit TestPhone(DkCard& c) : card(c) {}

  iso7816::ResponseApdu select() {
    return card.send({0x00, 0xA4, 0x04, 0x00, Bytes(pdk::kVehicleKeyAid.begin(), pdk::kVehicleKeyAid.end()), 256});
  }
  iso7816::ResponseApdu auth0(std::optional<Bytes> device_id = std::nullopt) {
    ephemeral.emplace(crypto::P256PrivateKey::generate(random));
    context = {};
    context.vehicle_id = card.vehicle_id;
    context.device_id = device_id.value_or(card.device_id);
    context.transaction_id = random.bytes(16);
    context.device_epk_x = ephemeral->public_key().x();
    pdk::Auth0Command command{pdk::kProtocolVersion1, ephemeral->public_uncompressed(), context.transaction_id,
                              context.device_id};
    auto response = card.send({0x80, 0x80, 0x00, 0x01, pdk::encode_auth0(command), 256});
    if (response.ok()) {
      vehicle_epk = pdk::decode_auth0_response(response.data);
      context.vehicle_epk_x = Bytes(vehicle_epk.begin() + 1, vehicle_epk.begin() + 33);
    }
    return response;
  }
  Bytes device_signature(const crypto::P256PrivateKey& key) {
    return crypto::ecdsa_p256_sign(key, pdk::device_auth_data(context));
  }
  iso7816::ResponseApdu auth1_with(ByteView signature) {
    return card.send({0x80, 0x81, 0x00, 0x00, pdk::encode_auth1(signature), 256});
  }
  // AUTH1 signed with the enrolled key; opens the phone's side of the channel and checks the answer.
  iso7816::ResponseApdu auth1() {
    auto response = auth1_with(device_signature(card.device_key));
    if (response.ok()) {
      const auto point = crypto::P256PublicKey::from_uncompressed(vehicle_epk);
      const SecretBytes z = crypto::ecdh_p256(*ephemeral, point);
      const SecretBytes kdh = pdk::derive_kdh(crypto, z.view(), context.transaction_id);
      channel.emplace(pdk::derive_session_keys(crypto, kdh.view(), context));
      const auto plain = pdk::decode_auth1_plain(channel->unwrap_response(crypto, response.data, response.sw));
      EXPECT_TRUE(crypto::ecdsa_p256_verify(card.vehicle_key.public_key(), pdk::vehicle_auth_data(context),
                                            plain.vehicle_signature));
    }
    return response;
  }
  iso7816::CommandApdu exchange_command(pdk::DoorCommand door) {
    return {0x84,
            0xC9,
            0x00,
            0x00,
            channel->wrap_command(crypto, 0x84, 0xC9, 0x00, 0x00, pdk::encode_exchange_request(door)),
            256};
  }
  iso7816::ResponseApdu control_flow() { return card.send({0x80, 0x3C, 0x01, 0x00}); }
};

}  // namespace sefleet::card::dk_test

// Fuzzes the whole virtual SE (runtime + ISD + card state + NVM store on a RAM medium) with APDU
// sequences. Input: byte 0 chooses the mode; then records of [length][bytes]:
//   byte0 bit 0 = 0: every record is sent raw (SELECT, channels, GET RESPONSE, unauthenticated ISD
//                    commands, garbage);
//   byte0 bit 0 = 1: an SCP03 session is opened first at level (bits 1-2: 01, 03, 13, 33) and each
//                    record that parses as an APDU is wrapped by the host before it is sent, so the
//                    fuzzer reaches PUT KEY, STORE DATA, SET STATUS, DELETE and GET STATUS inside a
//                    session; records that do not parse are sent raw (the session must then abort).
//   a record of length 0xFF is a card reset instead.
// Invariants: no crash or sanitizer report, every response carries a status word, and the state left
// on the medium always reopens (a command never leaves the card unable to start).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/state/card_profile.hpp"
#include "card/state/card_state.hpp"
#include "card/virtual_card.hpp"
#include "core/bytes.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/apdu.hpp"

namespace {

using namespace sefleet;

constexpr const char* kProfile = R"({
  "se_id": "5345464C45455430303031", "kdd": "0001020304050607080A",
  "scp03": {"kvn": "30", "i": "70", "enc": "404142434445464748494A4B4C4D4E4F",
            "mac": "404142434445464748494A4B4C4D4E4F", "dek": "404142434445464748494A4B4C4D4E4F"}})";

void check(bool condition) {
  if (!condition) std::abort();
}

// The personalized state, made once; each input starts from a private copy of it.
const Bytes& personalized_medium() {
  static const Bytes medium = [] {
    auto device = std::make_unique<card::nvm::MemoryDevice>();
    auto shared = device->medium();
    card::nvm::NvmStore::format(*device);
    card::nvm::NvmStore store(std::move(device));
    card::CardState::personalize(store, card::CardProfile::from_json(kProfile));
    return *shared;
  }();
  return medium;
}

Bytes send(transport::CardEndpoint& card, ByteView command) {
  Bytes response = card.transmit(command);
  check(response.size() >= 2);
  card.after_response();
  return response;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto medium = std::make_shared<Bytes>(personalized_medium());
  crypto::DeterministicRandom random(from_hex("00112233445566778899AABBCCDDEEFF"));
  card::VirtualCardOptions options;
  options.random = &random;
  {
    auto card = card::VirtualCard::open(std::make_unique<card::nvm::MemoryDevice>(medium), options);
    auto& endpoint = card.endpoint();
    endpoint.power_on();

    std::optional<gp::Scp03Host> host;
    if ((data[0] & 1) != 0) {
      static const std::uint8_t levels[] = {0x01, 0x03, 0x13, 0x33};
      gp::Scp03HostOptions host_options;
      host_options.kvn = 0x30;
      host_options.security_level = levels[(data[0] >> 1) & 3];
      const Bytes key = from_hex("404142434445464748494A4B4C4D4E4F");
      host.emplace(gp::StaticKeySet(0x30, SecretBytes(key), SecretBytes(key), SecretBytes(key)), host_options, random);
      const auto iu = iso7816::ResponseApdu::parse(send(endpoint, host->initialize_update().encode()));
      check(iu.ok());
      const auto ea = iso7816::ResponseApdu::parse(send(endpoint, host->external_authenticate(iu).encode()));
      check(ea.ok());
      host->complete(ea);
    }

    std::size_t at = 1;
    while (at < size) {
      const std::size_t length = data[at++];
      if (length == 0xFF) {
        endpoint.reset();
        host.reset();
        continue;
      }
      const ByteView record(data + at, std::min(length, size - at));
      at += record.size();
      auto plain = iso7816::CommandApdu::try_parse(record);
      if (host && host->state() == gp::Scp03Host::State::open && plain) {
        Bytes wire;
        try {
          wire = host->wrap(*plain).encode();
        } catch (const Error&) {
          wire.assign(record.begin(), record.end());  // too long to wrap: send it raw
        }
        const Bytes response = send(endpoint, wire);
        try {
          (void)host->unwrap(iso7816::ResponseApdu::parse(response));
        } catch (const Error&) {
          host.reset();  // the card refused or aborted: the host's session is over too
        }
      } else {
        (void)send(endpoint, record);
      }
    }
    endpoint.power_off();
  }
  // Whatever the commands did, the card must start again on the state they left.
  auto reopened = card::VirtualCard::open(std::make_unique<card::nvm::MemoryDevice>(medium), options);
  reopened.endpoint().power_on();
  check(send(reopened.endpoint(), from_hex("00A4040008A00000015100000000")).size() >= 2);
  return 0;
}

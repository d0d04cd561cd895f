// Fuzzes the Java Card load path: the `.sfjc` reader, and INSTALL [for load] + LOAD blocks into a
// whole VirtualCard on a RAM medium (ISD, VM link check, the atomic store). Input: byte 0 chooses:
//   bit 0 = 0: the rest is a load file for decode_load_file;
//   bit 0 = 1: LOAD. Byte 1 is the block size (1..239; 0 = 239). Bit 1 of byte 0 set: the rest is a
//              load file, sent as C4 <length> <file> (INSTALL [for load] names its package AID when
//              it decodes); clear: the rest is the raw LOAD data (the C4 header is fuzzed too).
// Invariants: the reader only ever throws LoadError and what it accepts encodes back to the same
// bytes; the card answers every block with a status word of the LOAD table (never 6F00); a package
// is on the card exactly when the last block answered 9000, and otherwise nothing of the VM's is
// stored; the medium always reopens.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/loadfile/load_file.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/state/card_profile.hpp"
#include "card/state/card_state.hpp"
#include "card/virtual_card.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "gp/host/load.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/apdu.hpp"

namespace {

using namespace sefleet;

constexpr const char* kProfile = R"({
  "se_id": "5345464C45455430303031", "kdd": "0001020304050607080A",
  "scp03": {"kvn": "30", "i": "70", "enc": "404142434445464748494A4B4C4D4E4F",
            "mac": "404142434445464748494A4B4C4D4E4F", "dek": "404142434445464748494A4B4C4D4E4F"}})";
const Bytes kDefaultAid = from_hex("F053464A4301");

void check(bool condition) {
  if (!condition) std::abort();
}

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

void fuzz_reader(ByteView file) {
  try {
    const card::javacard::LoadFile decoded = card::javacard::decode_load_file(file);
    const Bytes again = card::javacard::encode_load_file(decoded);
    check(std::ranges::equal(again, file));
  } catch (const card::javacard::LoadError&) {
  }
}

bool vm_objects(const card::nvm::NvmStore& store) {
  return std::ranges::any_of(store.committed(), [](const auto& object) { return object.first.starts_with("jc/"); });
}

std::uint16_t send(transport::CardEndpoint& card, gp::Scp03Host& host, const iso7816::CommandApdu& command) {
  const auto response = iso7816::ResponseApdu::parse(card.transmit(host.wrap(command).encode()));
  card.after_response();
  return response.sw;
}

void fuzz_load(ByteView input, std::size_t block_size, bool as_load_file) {
  Bytes data(input.begin(), input.end());
  Bytes aid = kDefaultAid;
  if (as_load_file) {
    try {
      aid = card::javacard::decode_load_file(input).package_aid;
    } catch (const card::javacard::LoadError&) {
    }
    data = gp::host::load_file_data_block(input);
  }
  if (data.empty()) return;
  auto medium = std::make_shared<Bytes>(personalized_medium());
  crypto::DeterministicRandom random(from_hex("00112233445566778899AABBCCDDEEFF"));
  card::VirtualCardOptions options;
  options.random = &random;
  {
    auto card = card::VirtualCard::open(std::make_unique<card::nvm::MemoryDevice>(medium), options);
    auto& endpoint = card.endpoint();
    endpoint.power_on();
    gp::Scp03HostOptions host_options;
    host_options.kvn = 0x30;
    host_options.security_level = 0x01;
    const Bytes key = from_hex("404142434445464748494A4B4C4D4E4F");
    gp::Scp03Host host(gp::StaticKeySet(0x30, SecretBytes(key), SecretBytes(key), SecretBytes(key)), host_options,
                       random);
    const auto isd = iso7816::ResponseApdu::parse(endpoint.transmit(from_hex("00A4040008A00000015100000000")));
    check(isd.ok());
    const auto iu = iso7816::ResponseApdu::parse(endpoint.transmit(host.initialize_update().encode()));
    check(iu.ok());
    const auto ea = iso7816::ResponseApdu::parse(endpoint.transmit(host.external_authenticate(iu).encode()));
    check(ea.ok());
    host.complete(ea);

    gp::host::InstallForLoadRequest request;
    request.load_file_aid = aid;
    check(send(endpoint, host, gp::host::make_install_for_load(request)) == 0x9000);
    std::uint16_t sw = 0x9000;
    bool last = false;
    for (std::size_t at = 0, number = 0; at < data.size() && sw == 0x9000; at += block_size, ++number) {
      const std::size_t size = std::min(block_size, data.size() - at);
      last = at + size == data.size();
      const iso7816::CommandApdu block(
          0x80, 0xE8, last ? 0x80 : 0x00, static_cast<std::uint8_t>(number & 0xFF),
          Bytes(data.begin() + static_cast<std::ptrdiff_t>(at), data.begin() + static_cast<std::ptrdiff_t>(at + size)),
          256);
      sw = send(endpoint, host, block);
      check(sw == 0x9000 || sw == 0x6A80 || sw == 0x6A84 || sw == 0x6985);
    }
    const bool loaded = last && sw == 0x9000;
    check(card.java_card().find_package(aid).has_value() == loaded);
    check(card.java_card().packages().size() == (loaded ? 1u : 0u));
    if (!loaded) check(!vm_objects(card.store()));
    endpoint.power_off();
  }
  auto reopened = card::VirtualCard::open(std::make_unique<card::nvm::MemoryDevice>(medium), options);
  check(reopened.java_card().packages().size() <= 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const ByteView input(data, size);
  if ((data[0] & 1) == 0) {
    fuzz_reader(input.subspan(1));
    return 0;
  }
  if (size < 2) return 0;
  const std::size_t block_size =
      data[1] == 0 ? gp::host::kMaxLoadBlockSize : std::min<std::size_t>(data[1], gp::host::kMaxLoadBlockSize);
  fuzz_load(input.subspan(2), block_size, (data[0] & 2) != 0);
  return 0;
}

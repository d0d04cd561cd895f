// INSTALL [for load] (GPCS v2.3.1 §11.5.2.3.1, P1 02) and LOAD (§11.6) of Java Card load files
// (`.sfjc`, docs/formats.md). INSTALL [for load] opens a load sequence bound to the logical channel
// and the SCP03 session it arrives in; the LOAD blocks of that session follow, numbered from 00 (the
// number wraps from FF to 00); the Load File Data Block `C4 <BER length> <load file>` is kept in RAM
// until the last block (P1 80), which decodes the load file and has the VM check it and store it as
// ONE NVM transaction (JavaCardVm::load): a power loss leaves the package completely or not at all.
// Any refusal ends the sequence. Status words: docs/isd.md "INSTALL [for load] and LOAD".
#include <algorithm>
#include <string>

#include "card/isd/isd_command.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/loadfile/load_file.hpp"
#include "card/runtime/applet_registry.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kLastBlock = 0x80;
constexpr std::uint8_t kTagLoadFileDataBlock = 0xC4;
constexpr std::uint8_t kTagDapBlock = 0xE2;
constexpr std::uint8_t kTagSystemParameters = 0xEF;
constexpr std::size_t kSha256Size = 32;
// C4 + a BER length of at most 4 bytes (83 xx xx xx): kMaxLoadFileSize needs 3 length bytes.
constexpr std::size_t kMaxHeaderSize = 5;

bool is_load_file_aid(ByteView aid) {
  return aid.size() >= 5 && aid.size() <= 16;
}

struct ForLoadData {
  Bytes load_file;
  Bytes security_domain;
  Bytes hash;
  Bytes parameters;
  Bytes token;
};

ForLoadData parse_for_load(ByteView data) {
  std::size_t at = 0;
  auto field = [&](const char* name) {
    if (at >= data.size()) {
      throw StatusWordError(sw::kWrongData, std::string("INSTALL [for load]: missing ") + name + " length");
    }
    const std::size_t length = data[at++];
    if (data.size() - at < length) {
      throw StatusWordError(sw::kWrongData, std::string("INSTALL [for load]: ") + name + " overruns the data");
    }
    Bytes value(data.begin() + static_cast<std::ptrdiff_t>(at),
                data.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
    return value;
  };
  ForLoadData out;
  out.load_file = field("load file AID");
  out.security_domain = field("security domain AID");
  out.hash = field("load file data block hash");
  out.parameters = field("load parameters");
  out.token = field("load token");
  if (at != data.size()) throw StatusWordError(sw::kWrongData, "INSTALL [for load]: bytes after the load token field");
  return out;
}

// Load parameters (GPCS Table 11-49): empty, or system parameters EF { C6/C7/C8 memory quotas, ... }.
// The values are hints for a card with fixed memory areas; this card's limit is the VM's capacity,
// checked when the package is stored, so they are checked for form only.
void check_load_parameters(ByteView parameters) {
  if (parameters.empty()) return;
  const auto objects = iso7816::try_parse_tlv_sequence(parameters);
  if (!objects ||
      std::ranges::any_of(*objects, [](const iso7816::Tlv& tlv) { return tlv.tag() != kTagSystemParameters; })) {
    throw StatusWordError(sw::kWrongData, "INSTALL [for load]: load parameters must be EF (system parameters) objects");
  }
}

// The Load File Data Block header once enough bytes arrived: its size (tag and length bytes) and
// the load file size it announces; 0 while the length bytes are still incomplete.
std::size_t parse_header(ByteView data, std::size_t& declared) {
  if (data.empty()) return 0;
  if (data[0] == kTagDapBlock) {
    throw StatusWordError(sw::kWrongData,
                          "LOAD: DAP blocks (E2) are not supported: no security domain of this card verifies DAPs");
  }
  if (data[0] != kTagLoadFileDataBlock)
    throw StatusWordError(sw::kWrongData, "LOAD: the data must start with the C4 load file data block");
  if (data.size() < 2) return 0;
  const std::uint8_t first = data[1];
  if (first < 0x80) {
    declared = first;
    return 2;
  }
  const std::size_t length_bytes = first & 0x7F;
  if (length_bytes < 1 || length_bytes > 3)
    throw StatusWordError(sw::kWrongData, "LOAD: C4 length is not a BER length of 1 to 3 bytes");
  if (data.size() < 2 + length_bytes) return 0;
  declared = read_be(data.subspan(2, length_bytes));
  return 2 + length_bytes;
}

// The registry entry of a loaded Java package: an executable load file, LOADED, associated with the
// ISD, with its applets as modules and its version (GET STATUS P1 20 / 10).
RegistryEntry load_file_entry(const javacard::PackageInfo& package, ByteView isd_aid) {
  RegistryEntry entry;
  entry.kind = RegistryEntry::Kind::load_file;
  entry.aid = package.aid;
  entry.life_cycle = app_life_cycle::kLoaded;
  entry.associated_sd_aid = Bytes(isd_aid.begin(), isd_aid.end());
  entry.version = Bytes{package.major_version, package.minor_version};
  for (const auto& applet : package.applets) entry.module_aids.push_back(applet.aid);
  return entry;
}

// An applet AID of `load_file` that another load file on the card already declares as a module.
const Bytes* module_in_use(const IsdCall& call, const javacard::LoadFile& load_file) {
  for (const auto& applet : load_file.applets) {
    for (const RegistryEntry& entry : call.ctx.registry().entries()) {
      if (entry.is_load_file() && std::ranges::find(entry.module_aids, applet.aid) != entry.module_aids.end()) {
        return &applet.aid;
      }
    }
  }
  return nullptr;
}

PendingLoad& channel_load(const IsdCall& call) {
  return (*call.loads)[call.ctx.channel()];
}

void store_load_file(const IsdCall& call, PendingLoad& pending) {
  const ByteView block(pending.data);
  const ByteView value = block.subspan(pending.header);
  if (!pending.hash.empty()) {
    const crypto::Digest256 digest = crypto::sha256(value);
    if (!std::equal(digest.begin(), digest.end(), pending.hash.begin(), pending.hash.end())) {
      throw StatusWordError(sw::kWrongData, "LOAD: the load file does not match the hash of INSTALL [for load]");
    }
  }
  javacard::LoadFile load_file;
  try {
    load_file = javacard::decode_load_file(value);
  } catch (const javacard::LoadError& e) {
    throw StatusWordError(sw::kWrongData, std::string("LOAD: ") + e.what());
  }
  if (load_file.package_aid != pending.load_file_aid) {
    throw StatusWordError(sw::kWrongData, "LOAD: the package AID " + to_hex(load_file.package_aid) +
                                              " is not the load file AID of INSTALL [for load]");
  }
  if (call.ctx.registry().find(load_file.package_aid) != nullptr) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "LOAD: the load file AID is already in the registry");
  }
  if (const Bytes* aid = module_in_use(call, load_file)) {
    throw StatusWordError(sw::kConditionsNotSatisfied,
                          "LOAD: applet AID " + to_hex(*aid) + " is a module of another load file");
  }
  try {
    call.vm->load(load_file);  // check + store + <clinit>: one NVM transaction
  } catch (const javacard::LoadError& e) {
    throw StatusWordError(sw::kWrongData, std::string("LOAD: ") + e.what());
  } catch (const Error& e) {
    if (e.code() == Errc::state_error)
      throw StatusWordError(sw::kConditionsNotSatisfied, std::string("LOAD: ") + e.what());
    throw;
  }
  const auto package = call.vm->find_package(load_file.package_aid);
  if (!package) throw Error(Errc::state_error, "LOAD: the VM does not list the package it just stored");
  call.ctx.registry().add(load_file_entry(*package, call.state.isd_aid()));
}

}  // namespace

void drop_ended_loads(PendingLoads& loads) noexcept {
  std::erase_if(loads, [](const auto& channel_load) { return !channel_load.second.active(); });
}

void register_java_load_files(AppletRegistry& registry, const javacard::JavaCardVm& vm, ByteView isd_aid) {
  for (const auto& package : vm.packages()) registry.add(load_file_entry(package, isd_aid));
}

iso7816::ResponseApdu install_for_load(const IsdCall& call) {
  if (call.vm == nullptr || call.loads == nullptr) {
    throw StatusWordError(sw::kIncorrectP1P2, "INSTALL [for load]: this card loads no code");
  }
  const ForLoadData data = parse_for_load(call.command.data);
  if (!is_load_file_aid(data.load_file))
    throw StatusWordError(sw::kWrongData, "INSTALL [for load]: the load file AID is 5..16 bytes");
  if (!data.security_domain.empty()) {
    if (!is_load_file_aid(data.security_domain)) {
      throw StatusWordError(sw::kWrongData, "INSTALL [for load]: the security domain AID is 5..16 bytes");
    }
    if (!std::ranges::equal(data.security_domain, call.state.isd_aid())) {
      throw StatusWordError(sw::kReferencedDataNotFound, "INSTALL [for load]: no such security domain (only the ISD)");
    }
  }
  if (!data.hash.empty() && data.hash.size() != kSha256Size) {
    throw StatusWordError(sw::kWrongData,
                          "INSTALL [for load]: the load file data block hash must be a SHA-256 (32 bytes)");
  }
  check_load_parameters(data.parameters);
  if (!data.token.empty())
    throw StatusWordError(sw::kWrongData, "INSTALL [for load]: tokens (delegated management) are not supported");
  if (call.ctx.registry().find(data.load_file) != nullptr) {
    throw StatusWordError(sw::kConditionsNotSatisfied,
                          "INSTALL [for load]: the load file AID is already in the registry");
  }
  const gp::Scp03Card* channel = call.ctx.secure_channel();
  if (channel == nullptr)
    throw StatusWordError(sw::kSecurityStatusNotSatisfied, "INSTALL [for load]: no secure channel");
  PendingLoad& pending = channel_load(call);
  pending = PendingLoad{};
  pending.session = channel->session_ticket();
  pending.load_file_aid = data.load_file;
  pending.hash = data.hash;
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);
}

iso7816::ResponseApdu load(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  require_content_management(call);
  if (call.vm == nullptr || call.loads == nullptr)
    throw StatusWordError(sw::kInsNotSupported, "LOAD: this card loads no code");
  PendingLoad& pending = channel_load(call);
  if (!pending.active()) {
    pending = PendingLoad{};
    throw StatusWordError(sw::kConditionsNotSatisfied, "LOAD without INSTALL [for load] in this session");
  }
  try {
    const auto& cmd = call.command;
    if (cmd.p1 != 0x00 && cmd.p1 != kLastBlock)
      throw StatusWordError(sw::kIncorrectP1P2, "LOAD: P1 is 00 (more blocks) or 80 (last)");
    if (cmd.p2 != static_cast<std::uint8_t>(pending.blocks & 0xFF)) {
      throw StatusWordError(sw::kIncorrectP1P2, "LOAD: block " + to_hex(Bytes{cmd.p2}) + " out of sequence");
    }
    if (cmd.data.empty()) throw StatusWordError(sw::kWrongLength, "LOAD: no data");
    if (pending.data.size() + cmd.data.size() > kMaxHeaderSize + javacard::kMaxLoadFileSize) {
      throw StatusWordError(sw::kNotEnoughMemory, "LOAD: more data than a load file may have");
    }
    append(pending.data, cmd.data);
    ++pending.blocks;
    if (pending.header == 0) {
      pending.header = parse_header(pending.data, pending.declared);
      if (pending.header != 0 && pending.declared > javacard::kMaxLoadFileSize) {
        throw StatusWordError(sw::kNotEnoughMemory, "LOAD: the load file is larger than this card accepts");
      }
    }
    if (pending.header != 0 && pending.data.size() > pending.header + pending.declared) {
      throw StatusWordError(sw::kWrongData, "LOAD: data after the C4 load file data block");
    }
    if (cmd.p1 != kLastBlock) return iso7816::ResponseApdu(sw::kOk);
    if (pending.header == 0 || pending.data.size() != pending.header + pending.declared) {
      throw StatusWordError(sw::kWrongData, "LOAD: the last block ends before the C4 load file data block does");
    }
    store_load_file(call, pending);
  } catch (...) {
    pending = PendingLoad{};  // any refusal (or power loss) ends the sequence
    throw;
  }
  pending = PendingLoad{};
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);  // GPCS §11.6.3.1: no load receipt
}

}  // namespace sefleet::card::isd

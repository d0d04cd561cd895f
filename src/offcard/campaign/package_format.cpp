#include "offcard/campaign/package_format.hpp"

#include <algorithm>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/broadcast/image_envelope.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;

// Encoded size of the largest command in these data sets: a WRITE BLOCK of 65 280 plain bytes padded
// to 65 296, plus an 8-byte C-MAC, in an extended APDU (4 header + 3 Lc bytes). Fits the u16 prefix.
constexpr std::size_t kMaxCommandSize = 4 + 3 + 65296 + 8;
static_assert(kMaxCommandSize <= 0xFFFF);

std::string hex2(std::uint8_t byte) {
  return to_hex(ByteView(&byte, 1));
}

template <std::size_t N>
std::array<std::uint8_t, N> to_array(ByteView view) {
  std::array<std::uint8_t, N> out{};
  std::copy(view.begin(), view.end(), out.begin());
  return out;
}

// Runs `parse` over what `serialize` produced: a writer never emits a file its reader refuses.
template <typename Parse>
Bytes checked_output(Bytes file, const char* kind, Parse parse) {
  try {
    parse(file);
  } catch (const Error& error) {
    throw Error(Errc::invalid_argument, std::string("refusing to write an invalid ") + kind + " file: " + error.what());
  }
  return file;
}

// --- campaign terms ----------------------------------------------------------------------------------

void write_terms(FieldWriter& out, const CampaignTerms& terms) {
  out.fixed(terms.campaign_id);
  out.u8(static_cast<std::uint8_t>(terms.profile));
  out.u8(terms.platform_key_version);
  out.u32(terms.total_length);
  out.fixed(terms.start.counter);
  out.fixed(terms.start.chaining_value);
  out.bytes8(terms.wrapped_broadcast_keys, "wrapped broadcast keys");
  out.bytes8(terms.integrity_code, "integrity code");
}

bool is_wrapped_key_set_size(std::size_t size) {
  return size == 40 || size == 56 || size == 72;
}

CampaignTerms read_terms(FieldReader& in) {
  CampaignTerms terms;
  terms.campaign_id = to_array<16>(in.fixed(16, "campaign id"));
  const std::uint8_t profile = in.u8("profile");
  if (profile != 0x03 && profile != 0x04) in.refuse("profile", "byte " + hex2(profile) + " is neither 03 nor 04");
  terms.profile = static_cast<bc::Profile>(profile);
  terms.platform_key_version = in.u8("platform key version");
  terms.total_length = in.u32("total length");
  if (terms.total_length == 0) in.refuse("total length", "is 0 (a campaign carries at least one byte)");
  terms.start.counter = to_array<16>(in.fixed(16, "broadcast counter C3"));
  terms.start.chaining_value = to_array<16>(in.fixed(16, "broadcast chaining value C4"));
  const ByteView keys = in.bytes8("wrapped broadcast keys");
  // Profile 3: AES-KW(Kos, BK) from the design system. Profile 4: empty until the HSM has generated BK,
  // then AES-KW(HSM KEK, BK); both wraps of 32/48/64 bytes of keys are 40/56/72 bytes.
  const bool keys_ok =
      profile == 0x03 ? is_wrapped_key_set_size(keys.size()) : keys.empty() || is_wrapped_key_set_size(keys.size());
  if (!keys_ok) {
    in.refuse("wrapped broadcast keys", std::to_string(keys.size()) + " bytes do not fit profile " + hex2(profile) +
                                            (profile == 0x03 ? " (40, 56 or 72)" : " (0, 40, 56 or 72)"));
  }
  terms.wrapped_broadcast_keys.assign(keys.begin(), keys.end());
  const ByteView code = in.bytes8("integrity code");
  const std::size_t code_size = profile == 0x03 ? bc::kWrappedIntegrityCodeSize : bc::kIntegrityCodeSize;
  if (code.size() != code_size) {
    in.refuse("integrity code",
              std::to_string(code.size()) + " bytes, profile " + hex2(profile) + " needs " + std::to_string(code_size));
  }
  terms.integrity_code.assign(code.begin(), code.end());
  return terms;
}

// --- command APDUs -----------------------------------------------------------------------------------

iso7816::CommandApdu parse_command(FieldReader& in, const std::string& what, ByteView raw) {
  std::string reason;
  const auto apdu = iso7816::CommandApdu::try_parse(raw, &reason);
  if (!apdu) in.refuse(what, "not a command APDU: " + reason);
  return *apdu;
}

iso7816::CommandApdu read_command(FieldReader& in, const std::string& what) {
  return parse_command(in, what, in.bytes16(what));
}

void expect_header(FieldReader& in, const std::string& what, const iso7816::CommandApdu& apdu, std::uint8_t cla,
                   std::uint8_t ins) {
  if (apdu.cla != cla || apdu.ins != ins) {
    in.refuse(what, "header " + hex2(apdu.cla) + " " + hex2(apdu.ins) + ", expected " + hex2(cla) + " " + hex2(ins));
  }
}

void write_pse_commands(FieldWriter& out, const std::vector<Bytes>& commands) {
  out.u32(static_cast<std::uint32_t>(std::min<std::size_t>(commands.size(), 0xFFFFFFFF)));
  for (const Bytes& command : commands) out.bytes16(command, "PSE command");
}

// WRITE BLOCK 0..N-1 (CLA 84, INS 7D, P1‖P2 = index, ciphertext + S8 C-MAC), then CHANGE MODE back
// (84 7C 00 00, C-MAC only): the structure §7 defines, checked without any key.
std::vector<Bytes> read_pse_commands(FieldReader& in) {
  const std::uint32_t count = in.u32("PSE command count");
  if (count < 2 || count > bc::kMaxBlocks + 1) {
    in.refuse("PSE command count", std::to_string(count) + " is outside 2..65537 (blocks plus the final CHANGE MODE)");
  }
  // Each command takes at least 2 + 4 bytes: refuse an impossible count before reserving anything.
  if (count > in.remaining() / 6) {
    in.refuse("PSE command count", std::to_string(count) + " commands cannot fit in the " +
                                       std::to_string(in.remaining()) + " bytes left (truncated field)");
  }
  std::vector<Bytes> commands;
  commands.reserve(count);
  for (std::uint32_t index = 0; index < count; ++index) {
    const std::string what = "PSE command " + std::to_string(index);
    const ByteView raw = in.bytes16(what);
    const iso7816::CommandApdu apdu = parse_command(in, what, raw);
    if (index + 1 < count) {
      expect_header(in, what, apdu, 0x84, bc::kInsWriteBlock);
      const std::uint32_t block = (std::uint32_t{apdu.p1} << 8) | apdu.p2;
      if (block != index) in.refuse(what, "WRITE BLOCK number " + std::to_string(block) + " out of order");
      if (apdu.data.size() < 24 || (apdu.data.size() - 8) % 16 != 0 || apdu.ne) {
        in.refuse(what, "WRITE BLOCK data of " + std::to_string(apdu.data.size()) +
                            " bytes is not ciphertext (a multiple of 16) plus an 8-byte C-MAC, without Le");
      }
    } else {
      if (apdu.cla != 0x84 || apdu.ins != bc::kInsChangeMode || apdu.p1 != bc::kChangeModeToDiversified ||
          apdu.p2 != 0x00 || apdu.data.size() != 8 || apdu.ne) {
        in.refuse(what, "the last command must be CHANGE MODE back, 84 7C 00 00 with an 8-byte C-MAC only; got " +
                            to_hex(raw.first(std::min<std::size_t>(raw.size(), 4)), ' '));
      }
    }
    commands.emplace_back(raw.begin(), raw.end());  // kept byte for byte: terminals send exactly these
  }
  return commands;
}

// --- campaign package --------------------------------------------------------------------------------

void write_package_body(FieldWriter& out, const CampaignPackage& package) {
  write_terms(out, package.terms);
  const bc::ImageManifest& manifest = package.image.manifest;
  out.u8(static_cast<std::uint8_t>(manifest.type));
  out.fixed(manifest.platform_id);
  out.u32(manifest.version);
  out.bytes8(bytes_of(manifest.name), "image name");
  out.u32(static_cast<std::uint32_t>(std::min<std::size_t>(package.image.datasend_size, 0xFFFFFFFF)));
  out.fixed(package.image.datasend_sha256);
  out.u32(static_cast<std::uint32_t>(std::min<std::size_t>(package.chunk_size, 0xFFFFFFFF)));
  out.u8(package.extended ? 1 : 0);
  if (package.terms.profile == bc::Profile::campaign_key) {
    write_pse_commands(out, package.pse);
  } else {
    if (!package.pse.empty()) throw Error(Errc::invalid_argument, "campaign package: profile 4 carries no PSE");
    out.u32(0);
  }
  out.bytes32(package.envelope, "envelope");
}

CampaignPackage read_package_body(FieldReader& in) {
  CampaignPackage package;
  package.terms = read_terms(in);
  bc::ImageManifest& manifest = package.image.manifest;
  const std::uint8_t type = in.u8("image type");
  if (type < 0x01 || type > 0x04) in.refuse("image type", "byte " + hex2(type) + " is not 01..04");
  manifest.type = static_cast<bc::ImageType>(type);
  manifest.platform_id = to_array<bc::kPlatformIdSize>(in.fixed(bc::kPlatformIdSize, "platform id"));
  manifest.version = in.u32("image version");
  const ByteView name = in.bytes8("image name");
  manifest.name.assign(name.begin(), name.end());
  if (name.size() > bc::kMaxImageNameSize || !bc::is_valid_image_name(manifest.name)) {
    in.refuse("image name", "not 0..64 bytes of UTF-8 without control characters");
  }
  package.image.datasend_size = in.u32("DATASEND size");
  const std::size_t manifest_size = bc::encode_manifest(manifest, 0).size();
  if (package.image.datasend_size < manifest_size) {
    in.refuse("DATASEND size", std::to_string(package.image.datasend_size) + " bytes, less than its own " +
                                   std::to_string(manifest_size) + "-byte manifest");
  }
  package.image.datasend_sha256 = to_array<32>(in.fixed(32, "DATASEND SHA-256"));
  const std::uint32_t chunk = in.u32("chunk size");
  const std::uint8_t extended = in.u8("extended");
  if (extended > 1) in.refuse("extended", "byte " + hex2(extended) + " is neither 00 nor 01");
  package.extended = extended == 1;
  const std::size_t limit = package.extended ? bc::kMaxExtendedChunk : bc::kMaxShortChunk;
  if (chunk == 0 || chunk > limit) {
    in.refuse("chunk size", std::to_string(chunk) + " is outside 1.." + std::to_string(limit) + " for " +
                                (package.extended ? "extended" : "short") + " APDUs");
  }
  package.chunk_size = chunk;
  const std::size_t blocks = bc::pse_block_count(package.terms.total_length, chunk);
  if (blocks > bc::kMaxBlocks) {
    in.refuse("chunk size", std::to_string(package.terms.total_length) + " bytes need " + std::to_string(blocks) +
                                " blocks of " + std::to_string(chunk) + ", more than 65536");
  }

  if (package.terms.profile == bc::Profile::campaign_key) {
    if (package.terms.total_length != package.image.datasend_size) {
      in.refuse("total length", std::to_string(package.terms.total_length) + " differs from the DATASEND size " +
                                    std::to_string(package.image.datasend_size) + " (profile 3 streams DATASEND)");
    }
    package.pse = read_pse_commands(in);
    if (package.pse.size() != blocks + 1) {
      in.refuse("PSE command count", std::to_string(package.pse.size()) + " commands, but " +
                                         std::to_string(package.terms.total_length) + " bytes in blocks of " +
                                         std::to_string(chunk) + " make " + std::to_string(blocks + 1));
    }
    const ByteView envelope = in.bytes32("envelope");
    if (!envelope.empty()) in.refuse("envelope", "present in a profile 3 package");
  } else {
    const std::uint32_t count = in.u32("PSE command count");
    if (count != 0)
      in.refuse("PSE command count", std::to_string(count) + " in a profile 4 package (the HSM builds the PSE)");
    const ByteView envelope = in.bytes32("envelope");
    const std::size_t expected = bc::envelope_size(package.image.datasend_size);
    if (envelope.size() != expected || envelope.size() != package.terms.total_length) {
      in.refuse("envelope", std::to_string(envelope.size()) + " bytes, expected " + std::to_string(expected) +
                                " for a " + std::to_string(package.image.datasend_size) +
                                "-byte DATASEND and equal to the total length " +
                                std::to_string(package.terms.total_length));
    }
    package.envelope.assign(envelope.begin(), envelope.end());
  }
  return package;
}

// --- PAUT --------------------------------------------------------------------------------------------

void write_paut_body(FieldWriter& out, const PautFile& file) {
  out.bytes8(file.se_id, "SE id");
  for (const iso7816::CommandApdu& command : file.paut.commands) out.bytes16(command.encode(), "PAUT command");
  const bc::PautCheck& check = file.paut.check;
  out.u8(check.kvn);
  out.u8(check.i);
  out.u8(check.security_level);
  out.u32(check.sequence_counter);
  out.bytes8(check.host_challenge, "host challenge");
  out.bytes8(check.card_challenge, "card challenge");
  out.fixed(check.authorize_counter);
  out.fixed(check.authorize_chaining_value);
  out.fixed(check.campaign_id);
}

PautFile read_paut_body(FieldReader& in) {
  PautFile file;
  const ByteView se_id = in.bytes8("SE id");
  if (se_id.size() < kMinSeIdSize || se_id.size() > kMaxSeIdSize) {
    in.refuse("SE id", std::to_string(se_id.size()) + " bytes, outside 1..64");
  }
  file.se_id.assign(se_id.begin(), se_id.end());
  static constexpr const char* kNames[4] = {"PAUT[0] INITIALIZE UPDATE", "PAUT[1] EXTERNAL AUTHENTICATE",
                                            "PAUT[2] CHANGE MODE", "PAUT[3] AUTHORIZE ACTION"};
  for (std::size_t index = 0; index < 4; ++index) file.paut.commands[index] = read_command(in, kNames[index]);
  bc::PautCheck& check = file.paut.check;
  check.kvn = in.u8("kvn");
  check.i = in.u8("i");
  if (!gp::is_valid_i_parameter(check.i)) in.refuse("i", "byte " + hex2(check.i) + " is not a valid i");
  // A random card challenge (online SCP03): the SE answered PAUT[0] before PAUT[1..3] were computed.
  const bool pseudo_random = (check.i & gp::iparam::kPseudoRandomChallenge) != 0;
  check.security_level = in.u8("security level");
  if (check.security_level != 0x13 && check.security_level != 0x33) {
    in.refuse("security level", "byte " + hex2(check.security_level) + " is neither 13 nor 33");
  }
  check.sequence_counter = in.u32("sequence counter");
  if (pseudo_random && (check.sequence_counter == 0 || check.sequence_counter > gp::kMaxSequenceCounter)) {
    in.refuse("sequence counter", std::to_string(check.sequence_counter) + " is outside 1..FFFFFF");
  }
  if (!pseudo_random && check.sequence_counter != 0) {
    in.refuse("sequence counter", std::to_string(check.sequence_counter) + " with a random card challenge (i " +
                                      hex2(check.i) + "), which reports none: expected 0");
  }
  const std::size_t challenge = gp::half_block_size(gp::mode_of(check.i));
  const ByteView host = in.bytes8("host challenge");
  const ByteView card = in.bytes8("card challenge");
  if (host.size() != challenge)
    in.refuse("host challenge",
              std::to_string(host.size()) + " bytes, i " + hex2(check.i) + " needs " + std::to_string(challenge));
  if (card.size() != challenge)
    in.refuse("card challenge",
              std::to_string(card.size()) + " bytes, i " + hex2(check.i) + " needs " + std::to_string(challenge));
  check.host_challenge.assign(host.begin(), host.end());
  check.card_challenge.assign(card.begin(), card.end());
  check.authorize_counter = to_array<16>(in.fixed(16, "AUTHORIZE ACTION counter"));
  check.authorize_chaining_value = to_array<16>(in.fixed(16, "AUTHORIZE ACTION chaining value"));
  check.campaign_id = to_array<16>(in.fixed(16, "campaign id"));

  // The commands must be the ones the check describes.
  const auto& commands = file.paut.commands;
  expect_header(in, kNames[0], commands[0], 0x80, gp::kInsInitializeUpdate);
  if (commands[0].p1 != check.kvn || commands[0].data != check.host_challenge) {
    in.refuse(kNames[0], "key version or host challenge differs from the PAUT check");
  }
  expect_header(in, kNames[1], commands[1], 0x84, gp::kInsExternalAuthenticate);
  if (commands[1].p1 != check.security_level) in.refuse(kNames[1], "security level differs from the PAUT check");
  expect_header(in, kNames[2], commands[2], 0x84, bc::kInsChangeMode);
  if (commands[2].p1 != bc::kChangeModeToBroadcast || commands[2].p2 != 0x00) {
    in.refuse(kNames[2], "P1 P2 " + hex2(commands[2].p1) + " " + hex2(commands[2].p2) + ", expected 01 00");
  }
  expect_header(in, kNames[3], commands[3], 0x84, bc::kInsAuthorizeAction);
  if (commands[3].p1 != 0x00 || commands[3].p2 != 0x00) in.refuse(kNames[3], "P1 P2 must be 00 00");
  return file;
}

}  // namespace

// --- public ------------------------------------------------------------------------------------------

Bytes serialize_campaign_terms(const CampaignTerms& terms) {
  FieldWriter out;
  write_terms(out, terms);
  return checked_output(seal_file(FileKind::campaign_terms, out.take()), "campaign terms",
                        [](ByteView file) { parse_campaign_terms(file); });
}

CampaignTerms parse_campaign_terms(ByteView file) {
  FieldReader in(open_file(file, FileKind::campaign_terms), "campaign terms file");
  CampaignTerms terms = read_terms(in);
  in.finish();
  return terms;
}

Bytes serialize_campaign_package(const CampaignPackage& package) {
  FieldWriter out;
  write_package_body(out, package);
  return checked_output(seal_file(FileKind::campaign_package, out.take()), "campaign package",
                        [](ByteView file) { parse_campaign_package(file); });
}

CampaignPackage parse_campaign_package(ByteView file) {
  FieldReader in(open_file(file, FileKind::campaign_package), "campaign package file");
  CampaignPackage package = read_package_body(in);
  in.finish();
  return package;
}

Bytes serialize_pse_file(const PseFile& pse) {
  FieldWriter out;
  out.fixed(pse.campaign_id);
  write_pse_commands(out, pse.commands);
  return checked_output(seal_file(FileKind::pse, out.take()), "PSE", [](ByteView file) { parse_pse_file(file); });
}

PseFile parse_pse_file(ByteView file) {
  FieldReader in(open_file(file, FileKind::pse), "PSE file");
  PseFile pse;
  pse.campaign_id = to_array<16>(in.fixed(16, "campaign id"));
  pse.commands = read_pse_commands(in);
  in.finish();
  return pse;
}

Bytes serialize_paut_file(const PautFile& paut) {
  FieldWriter out;
  write_paut_body(out, paut);
  return checked_output(seal_file(FileKind::paut, out.take()), "PAUT", [](ByteView file) { parse_paut_file(file); });
}

PautFile parse_paut_file(ByteView file) {
  FieldReader in(open_file(file, FileKind::paut), "PAUT file");
  PautFile paut = read_paut_body(in);
  in.finish();
  return paut;
}

void save_campaign_package(const std::filesystem::path& path, const CampaignPackage& package) {
  write_file_atomically(path, serialize_campaign_package(package));
}
CampaignPackage load_campaign_package(const std::filesystem::path& path) {
  return parse_campaign_package(read_campaign_file(path));
}
void save_pse_file(const std::filesystem::path& path, const PseFile& pse) {
  write_file_atomically(path, serialize_pse_file(pse));
}
PseFile load_pse_file(const std::filesystem::path& path) {
  return parse_pse_file(read_campaign_file(path));
}
void save_paut_file(const std::filesystem::path& path, const PautFile& paut) {
  write_file_atomically(path, serialize_paut_file(paut));
}
PautFile load_paut_file(const std::filesystem::path& path) {
  return parse_paut_file(read_campaign_file(path));
}
void save_campaign_terms(const std::filesystem::path& path, const CampaignTerms& terms) {
  write_file_atomically(path, serialize_campaign_terms(terms));
}
CampaignTerms load_campaign_terms(const std::filesystem::path& path) {
  return parse_campaign_terms(read_campaign_file(path));
}

}  // namespace sefleet::offcard

// The campaign files (offcard/campaign/package_format.hpp, docs/formats.md): round trips of the four
// kinds through bytes and files, and every refusal: truncation at every length, every byte altered,
// wrong magic/version/kind, trailing bytes, fields out of range, hostile length fields.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "campaign_design_fixture.hpp"
#include "core/hex.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/paut.hpp"
#include "offcard/campaign/file_container.hpp"
#include "offcard/campaign/package_format.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::offcard::testing {
namespace {

namespace bc = gp::broadcast;

CampaignPackage small_package(bc::Profile profile, std::size_t body = 40, std::size_t chunk = 32) {
  auto store = platform_keystore();
  return design_campaign(*store, make_design(profile, body, chunk));
}

PautFile small_paut(const CampaignTerms& terms, std::uint8_t i = 0x70) {
  crypto::DeterministicRandom random(bytes_of("paut keys"));
  const gp::StaticKeySet keys(0x30, SecretBytes(random.bytes(16)), SecretBytes(random.bytes(16)),
                              SecretBytes(random.bytes(16)));
  bc::PautInput input;
  input.sequence_counter = 41;
  input.i = i;
  input.host_challenge = random.bytes(gp::half_block_size(gp::mode_of(i)));
  if ((i & gp::iparam::kPseudoRandomChallenge) == 0) {
    // A random card challenge (online SCP03): the SE's answer gave it, with no counter.
    input.card_challenge = random.bytes(gp::half_block_size(gp::mode_of(i)));
    input.sequence_counter = 0;
  }
  input.change_mode.profile = terms.profile;
  input.change_mode.campaign_id = terms.campaign_id;
  input.change_mode.broadcast_keys = SecretBytes(terms.wrapped_broadcast_keys);
  input.change_mode.counter = terms.start.counter;
  std::copy(terms.start.chaining_value.begin(), terms.start.chaining_value.end(),
            input.change_mode.chaining_value.begin());
  input.change_mode.key_version = terms.platform_key_version;
  input.change_mode.total_length = terms.total_length;
  input.authorize.campaign_id = terms.campaign_id;
  input.authorize.integrity_code = terms.integrity_code;
  return PautFile{from_hex("0102030405060708"), bc::build_paut(keys, input)};
}

void expect_same_paut(const PautFile& a, const PautFile& b) {
  EXPECT_EQ(a.se_id, b.se_id);
  for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(a.paut.commands[k].encode(), b.paut.commands[k].encode());
  const bc::PautCheck& x = a.paut.check;
  const bc::PautCheck& y = b.paut.check;
  EXPECT_EQ(x.kvn, y.kvn);
  EXPECT_EQ(x.i, y.i);
  EXPECT_EQ(x.security_level, y.security_level);
  EXPECT_EQ(x.sequence_counter, y.sequence_counter);
  EXPECT_EQ(x.host_challenge, y.host_challenge);
  EXPECT_EQ(x.card_challenge, y.card_challenge);
  EXPECT_EQ(x.authorize_counter, y.authorize_counter);
  EXPECT_EQ(x.authorize_chaining_value, y.authorize_chaining_value);
  EXPECT_EQ(x.campaign_id, y.campaign_id);
}

void expect_same_terms(const CampaignTerms& a, const CampaignTerms& b) {
  EXPECT_EQ(a.campaign_id, b.campaign_id);
  EXPECT_EQ(a.profile, b.profile);
  EXPECT_EQ(a.platform_key_version, b.platform_key_version);
  EXPECT_EQ(a.total_length, b.total_length);
  EXPECT_EQ(a.start.counter, b.start.counter);
  EXPECT_EQ(a.start.chaining_value, b.start.chaining_value);
  EXPECT_EQ(a.wrapped_broadcast_keys, b.wrapped_broadcast_keys);
  EXPECT_EQ(a.integrity_code, b.integrity_code);
}

void expect_same_package(const CampaignPackage& a, const CampaignPackage& b) {
  expect_same_terms(a.terms, b.terms);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.chunk_size, b.chunk_size);
  EXPECT_EQ(a.extended, b.extended);
  EXPECT_EQ(a.pse, b.pse);
  EXPECT_EQ(a.envelope, b.envelope);
}

// The body of a framed file, changed by `mutate`, framed again with a valid trailer: how a field that
// is out of range but correctly checksummed reaches the field checks.
Bytes reframe(ByteView file, FileKind kind, const std::function<void(Bytes&)>& mutate) {
  Bytes body(file.begin() + kFileHeaderSize, file.end() - kFileTrailerSize);
  mutate(body);
  return seal_file(kind, body);
}

// The example of docs/formats.md ("Example"), built independently (Python) from the tables there.
TEST(CampaignFiles, TheDocumentedExampleReadsAndWritesBack) {
  const Bytes example = from_hex(
      "5346434601040000004800112233445566778899AABBCCDDEEFF040100000070202122232425262728292A2B2C2D2E2F"
      "303132333435363738393A3B3C3D3E3F0010A0A1A2A3A4A5A6A7A8A9AAABACADAEAF5FD1B7F307C891CD57CC28D24D"
      "CDE91E80CF668DCC041F67D63D89DDE6AF3459");
  const CampaignTerms terms = parse_campaign_terms(example);
  EXPECT_EQ(to_hex(terms.campaign_id), "00112233445566778899AABBCCDDEEFF");
  EXPECT_EQ(terms.profile, bc::Profile::platform_key);
  EXPECT_EQ(terms.platform_key_version, 1);
  EXPECT_EQ(terms.total_length, 112u);
  EXPECT_EQ(to_hex(terms.start.counter), "202122232425262728292A2B2C2D2E2F");
  EXPECT_EQ(to_hex(terms.start.chaining_value), "303132333435363738393A3B3C3D3E3F");
  EXPECT_TRUE(terms.wrapped_broadcast_keys.empty());
  EXPECT_EQ(to_hex(terms.integrity_code), "A0A1A2A3A4A5A6A7A8A9AAABACADAEAF");
  EXPECT_EQ(serialize_campaign_terms(terms), example);
}

TEST(CampaignFiles, PackagesOfBothProfilesRoundTrip) {
  for (const bc::Profile profile : {bc::Profile::campaign_key, bc::Profile::platform_key}) {
    for (const bool extended : {false, true}) {
      auto store = platform_keystore();
      const CampaignPackage package =
          design_campaign(*store, make_design(profile, 3000, extended ? 1200 : 200, extended));
      const Bytes file = serialize_campaign_package(package);
      EXPECT_EQ(peek_file_kind(file), FileKind::campaign_package);
      expect_same_package(parse_campaign_package(file), package);
      EXPECT_EQ(serialize_campaign_package(parse_campaign_package(file)), file) << "the encoding is canonical";
    }
  }
}

TEST(CampaignFiles, PseTermsAndPautRoundTrip) {
  const CampaignPackage package = small_package(bc::Profile::campaign_key);
  const PseFile pse{package.terms.campaign_id, package.pse};
  const PseFile pse_back = parse_pse_file(serialize_pse_file(pse));
  EXPECT_EQ(pse_back.campaign_id, pse.campaign_id);
  EXPECT_EQ(pse_back.commands, pse.commands) << "terminals get the exact bytes";

  for (const bc::Profile profile : {bc::Profile::campaign_key, bc::Profile::platform_key}) {
    const CampaignTerms terms = small_package(profile).terms;
    expect_same_terms(parse_campaign_terms(serialize_campaign_terms(terms)), terms);
  }
  // Profile-4 terms after the HSM's preparation carry AES-KW(KEK, BK): 40/56/72 bytes.
  CampaignTerms prepared = small_package(bc::Profile::platform_key).terms;
  prepared.wrapped_broadcast_keys = Bytes(56, 0x77);
  expect_same_terms(parse_campaign_terms(serialize_campaign_terms(prepared)), prepared);

  for (const std::uint8_t i : {std::uint8_t{0x70}, std::uint8_t{0x71}, std::uint8_t{0x60}, std::uint8_t{0x61}}) {
    const PautFile paut = small_paut(package.terms, i);
    expect_same_paut(parse_paut_file(serialize_paut_file(paut)), paut);
  }
}

TEST(CampaignFiles, FilesRoundTripAndWritesReplaceAtomically) {
  sefleet::test::TempDir dir;
  const CampaignPackage package = small_package(bc::Profile::campaign_key);
  const auto path = dir.path() / "campaign.sfcf";
  save_campaign_package(path, package);
  expect_same_package(load_campaign_package(path), package);
  const CampaignPackage other = small_package(bc::Profile::platform_key);
  save_campaign_package(path, other);  // replaces
  expect_same_package(load_campaign_package(path), other);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u) << "no temporary file left behind";

  save_pse_file(dir.path() / "pse", PseFile{package.terms.campaign_id, package.pse});
  EXPECT_EQ(load_pse_file(dir.path() / "pse").commands, package.pse);
  save_campaign_terms(dir.path() / "terms", package.terms);
  expect_same_terms(load_campaign_terms(dir.path() / "terms"), package.terms);
  const PautFile paut = small_paut(package.terms);
  save_paut_file(dir.path() / "paut", paut);
  expect_same_paut(load_paut_file(dir.path() / "paut"), paut);

  expect_error(Errc::io_error, "missing", [&] { load_pse_file(dir.path() / "missing"); });
  expect_error(Errc::io_error, "", [&] {
    save_pse_file(dir.path() / "no-dir" / "pse", PseFile{package.terms.campaign_id, package.pse});
  });
  // A file of the wrong kind on disk.
  expect_error(Errc::parse_error, "this is a PSE file, expected a PAUT file",
               [&] { load_paut_file(dir.path() / "pse"); });
}

// Every prefix of a valid file is refused, as truncated, never read as something else.
TEST(CampaignFiles, EveryTruncationIsRefused) {
  const CampaignPackage package = small_package(bc::Profile::campaign_key);
  const std::vector<std::pair<Bytes, std::function<void(ByteView)>>> files = {
      {serialize_campaign_terms(package.terms), [](ByteView f) { parse_campaign_terms(f); }},
      {serialize_pse_file(PseFile{package.terms.campaign_id, package.pse}), [](ByteView f) { parse_pse_file(f); }},
      {serialize_paut_file(small_paut(package.terms)), [](ByteView f) { parse_paut_file(f); }},
      {serialize_campaign_package(package), [](ByteView f) { parse_campaign_package(f); }},
  };
  for (const auto& [file, parse] : files) {
    for (std::size_t length = 0; length < file.size(); ++length) {
      expect_error(Errc::parse_error, "truncated", [&, &p = parse, &f = file] { p(ByteView(f).first(length)); });
    }
  }
}

// Every single altered byte is refused: the magic, version, kind and length by name, anything else by
// the SHA-256 trailer.
TEST(CampaignFiles, EveryAlteredByteIsRefused) {
  const CampaignPackage package = small_package(bc::Profile::platform_key, 20, 16);
  const CampaignPackage p3 = small_package(bc::Profile::campaign_key, 20, 32);
  const Bytes files[] = {serialize_campaign_terms(package.terms), serialize_campaign_package(package),
                         serialize_paut_file(small_paut(p3.terms)),
                         serialize_pse_file(PseFile{p3.terms.campaign_id, p3.pse})};
  for (const Bytes& original : files) {
    const FileKind kind = peek_file_kind(original);
    for (std::size_t index = 0; index < original.size(); ++index) {
      for (const std::uint8_t flip : {std::uint8_t{0x01}, std::uint8_t{0x80}}) {
        Bytes altered = original;
        altered[index] ^= flip;
        try {
          switch (kind) {
            case FileKind::campaign_terms:
              parse_campaign_terms(altered);
              break;
            case FileKind::campaign_package:
              parse_campaign_package(altered);
              break;
            case FileKind::pse:
              parse_pse_file(altered);
              break;
            default:
              parse_paut_file(altered);
          }
          ADD_FAILURE() << file_kind_text(kind) << ": byte " << index << " ^ " << int{flip} << " accepted";
        } catch (const Error& error) {
          const std::string what = error.what();
          if (index < 4) {
            EXPECT_NE(what.find("not a sefleet campaign file"), std::string::npos) << what;
          } else if (index == 4) {
            EXPECT_NE(what.find("unknown format version"), std::string::npos) << what;
          } else if (index == 5) {
            // Another known kind still fails the digest, which covers the header.
            EXPECT_TRUE(what.find("unknown kind") != std::string::npos ||
                        what.find("SHA-256 trailer mismatch") != std::string::npos)
                << what;
          } else if (index < kFileHeaderSize) {
            EXPECT_TRUE(what.find("truncated") != std::string::npos || what.find("trailing") != std::string::npos)
                << what;
          } else {
            EXPECT_EQ(error.code(), Errc::integrity_error) << what;
            EXPECT_NE(what.find("SHA-256 trailer mismatch"), std::string::npos) << what;
          }
        }
      }
    }
  }
}

TEST(CampaignFiles, RefusesWrongFramesByName) {
  const CampaignPackage package = small_package(bc::Profile::campaign_key);
  const Bytes terms = serialize_campaign_terms(package.terms);

  Bytes trailing = terms;
  trailing.push_back(0x00);
  expect_error(Errc::parse_error, "1 trailing bytes", [&] { parse_campaign_terms(trailing); });

  Bytes version = terms;
  version[4] = 0x02;
  expect_error(Errc::parse_error, "unknown format version 02", [&] { parse_campaign_terms(version); });

  expect_error(Errc::parse_error, "this is a campaign terms file, expected a campaign package file",
               [&] { parse_campaign_package(terms); });
  expect_error(Errc::parse_error, "expected a PSE file", [&] { parse_pse_file(terms); });

  Bytes kind = terms;
  kind[5] = 0x09;
  expect_error(Errc::parse_error, "unknown kind 09", [&] { parse_campaign_terms(kind); });

  expect_error(Errc::parse_error, "not a sefleet campaign file", [&] { parse_campaign_terms(Bytes(64, 0x00)); });
  expect_error(Errc::parse_error, "truncated", [&] { parse_campaign_terms(Bytes{}); });

  // A length field of FFFFFFFF is a truncated file, not an allocation.
  Bytes huge = terms;
  huge[6] = huge[7] = huge[8] = huge[9] = 0xFF;
  expect_error(Errc::parse_error, "truncated", [&] { parse_campaign_terms(huge); });
}

TEST(CampaignFiles, RefusesTermsFieldsOutOfRange) {
  const CampaignTerms p3 = small_package(bc::Profile::campaign_key).terms;
  const Bytes file = serialize_campaign_terms(p3);
  const auto bad = [&](const std::string& needle, const std::function<void(Bytes&)>& mutate) {
    const Bytes altered = reframe(file, FileKind::campaign_terms, mutate);
    expect_error(Errc::parse_error, needle, [&] { parse_campaign_terms(altered); });
  };
  // Body layout: id 0..15, profile 16, key version 17, total length 18..21, C3 22..37, C4 38..53,
  // wrapped keys length 54, then the keys, code length, code.
  bad("profile: byte 05 is neither 03 nor 04", [](Bytes& b) { b[16] = 0x05; });
  bad("total length: is 0", [](Bytes& b) { b[18] = b[19] = b[20] = b[21] = 0; });
  bad("wrapped broadcast keys: 0 bytes do not fit profile 03", [](Bytes& b) {
    b.erase(b.begin() + 55, b.begin() + 55 + 40);
    b[54] = 0;
  });
  bad("integrity code: 24 bytes, profile 04 needs 16", [](Bytes& b) { b[16] = 0x04; });
  bad("integrity code: needs 200 bytes", [](Bytes& b) { b[55 + 40] = 200; });
  bad("unexpected bytes after the last field", [](Bytes& b) { b.push_back(0); });
  bad("campaign id: needs 16 bytes", [](Bytes& b) { b.resize(3); });
}

TEST(CampaignFiles, RefusesPackageFieldsOutOfRange) {
  const CampaignPackage p3 = small_package(bc::Profile::campaign_key, 40, 32);
  const Bytes file = serialize_campaign_package(p3);
  // After the terms (54 + 1 + 40 + 1 + 24 = 120 bytes): type 120, platform 121..128, version
  // 129..132, name length 133, name "wallet-applet" (13) 134..146, DATASEND size 147..150, SHA-256
  // 151..182, chunk size 183..186, extended 187, PSE count 188..191, commands.
  const std::size_t t = 120;
  const auto bad = [&](const std::string& needle, const std::function<void(Bytes&)>& mutate) {
    const Bytes altered = reframe(file, FileKind::campaign_package, mutate);
    expect_error(Errc::parse_error, needle, [&] { parse_campaign_package(altered); });
  };
  bad("image type: byte 07 is not 01..04", [&](Bytes& b) { b[t] = 0x07; });
  bad("image name: not 0..64 bytes", [&](Bytes& b) { b[t + 14] = 0x01; });
  bad("chunk size: 0 is outside 1..239", [&](Bytes& b) { b[t + 63] = b[t + 64] = b[t + 65] = b[t + 66] = 0; });
  bad("chunk size: 240 is outside 1..239", [&](Bytes& b) { b[t + 66] = 240; });
  bad("extended: byte 02", [&](Bytes& b) { b[t + 67] = 2; });
  bad("DATASEND size: 1 bytes, less than its own", [&](Bytes& b) {
    b[t + 27] = b[t + 28] = b[t + 29] = 0;
    b[t + 30] = 1;
  });
  bad("differs from the DATASEND size " + std::to_string(p3.image.datasend_size ^ 1),
      [&](Bytes& b) { b[t + 30] ^= 0x01; });
  bad("PSE command count: 4 commands, but", [&](Bytes& b) { b[t + 66] = 16; });  // 73 bytes / 16 -> 6 commands
  bad("PSE command count: 4294967295 is outside 2..65537",
      [&](Bytes& b) { b[t + 68] = b[t + 69] = b[t + 70] = b[t + 71] = 0xFF; });
  bad("PSE command count: 60000 commands cannot fit", [&](Bytes& b) {
    b[t + 70] = 0xEA;
    b[t + 71] = 0x60;
  });
  // The first command: u16 length at t+72, the APDU from t+74 (84 7D 00 00 Lc ...).
  bad("PSE command 0: header 80 7D, expected 84 7D", [&](Bytes& b) { b[t + 74] = 0x80; });
  bad("PSE command 0: WRITE BLOCK number 1 out of order", [&](Bytes& b) { b[t + 77] = 0x01; });
  bad("PSE command 0: not a command APDU", [&](Bytes& b) { b[t + 78] ^= 0x01; });  // Lc disagrees
  bad("PSE command 0: needs 65535 bytes", [&](Bytes& b) { b[t + 72] = b[t + 73] = 0xFF; });

  // Profile 4: the envelope must match the DATASEND size and the total length.
  const CampaignPackage p4 = small_package(bc::Profile::platform_key, 40, 32);
  const Bytes file4 = serialize_campaign_package(p4);
  const std::size_t t4 = 54 + 1 + 0 + 1 + 16;
  const auto bad4 = [&](const std::string& needle, const std::function<void(Bytes&)>& mutate) {
    const Bytes altered = reframe(file4, FileKind::campaign_package, mutate);
    expect_error(Errc::parse_error, needle, [&] { parse_campaign_package(altered); });
  };
  const std::size_t envelope_at = t4 + 72;  // u32 length, then the envelope
  ASSERT_EQ(p4.envelope.size(), 112u);      // a 91-byte DATASEND, padded to 96, plus the IV
  bad4("envelope: 96 bytes, expected 112", [&](Bytes& b) {
    b[envelope_at + 3] = 96;
    b.resize(envelope_at + 4 + 96);
  });
  bad4("PSE command count: 2 in a profile 4 package", [&](Bytes& b) { b[t4 + 71] = 2; });
}

TEST(CampaignFiles, RefusesPseFilesThatAreNotAPse) {
  const CampaignPackage package = small_package(bc::Profile::campaign_key);
  const PseFile pse{package.terms.campaign_id, package.pse};
  const Bytes file = serialize_pse_file(pse);
  const auto bad = [&](const std::string& needle, const std::function<void(Bytes&)>& mutate) {
    const Bytes altered = reframe(file, FileKind::pse, mutate);
    expect_error(Errc::parse_error, needle, [&] { parse_pse_file(altered); });
  };
  bad("PSE command count: 1 is outside 2..65537", [](Bytes& b) { b[19] = 1; });
  // Dropping the final CHANGE MODE leaves a WRITE BLOCK last.
  const PseFile no_final{pse.campaign_id, std::vector<Bytes>(pse.commands.begin(), pse.commands.end() - 1)};
  expect_error(Errc::invalid_argument, "the last command must be CHANGE MODE back",
               [&] { serialize_pse_file(no_final); });
  PseFile reordered = pse;
  std::swap(reordered.commands[0], reordered.commands[1]);
  expect_error(Errc::invalid_argument, "PSE command 0: WRITE BLOCK number 1 out of order",
               [&] { serialize_pse_file(reordered); });
  PseFile garbage = pse;
  garbage.commands[1] = Bytes{0x84, 0x7D};
  expect_error(Errc::invalid_argument, "PSE command 1: not a command APDU", [&] { serialize_pse_file(garbage); });
}

TEST(CampaignFiles, RefusesPautFilesThatDisagreeWithTheirCheck) {
  const CampaignTerms terms = small_package(bc::Profile::campaign_key).terms;
  const PautFile paut = small_paut(terms);
  const auto bad = [&](const std::string& needle, const std::function<void(PautFile&)>& mutate) {
    PautFile altered = paut;
    mutate(altered);
    expect_error(Errc::invalid_argument, needle, [&] { serialize_paut_file(altered); });
  };
  bad("SE id: 0 bytes, outside 1..64", [](PautFile& p) { p.se_id.clear(); });
  bad("SE id: 65 bytes", [](PautFile& p) { p.se_id.assign(65, 1); });
  bad("i: byte 80", [](PautFile& p) { p.paut.check.i = 0x80; });
  bad("sequence counter: 42 with a random card challenge", [](PautFile& p) { p.paut.check.i = 0x60; });
  bad("security level: byte 03", [](PautFile& p) { p.paut.check.security_level = 0x03; });
  bad("sequence counter: 16777216 is outside", [](PautFile& p) { p.paut.check.sequence_counter = 0x1000000; });
  bad("host challenge: 16 bytes", [](PautFile& p) { p.paut.check.host_challenge.resize(16); });
  bad("INITIALIZE UPDATE: key version or host challenge", [](PautFile& p) { p.paut.check.kvn ^= 1; });
  bad("EXTERNAL AUTHENTICATE: security level differs", [](PautFile& p) { p.paut.check.security_level = 0x13; });
  bad("PAUT[2] CHANGE MODE: header 84 7E", [](PautFile& p) { std::swap(p.paut.commands[2], p.paut.commands[3]); });
}

TEST(CampaignFiles, WritersRefuseInconsistentPackages) {
  CampaignPackage p3 = small_package(bc::Profile::campaign_key);
  p3.pse.pop_back();
  expect_error(Errc::invalid_argument, "refusing to write an invalid campaign package file",
               [&] { serialize_campaign_package(p3); });
  CampaignPackage p4 = small_package(bc::Profile::platform_key);
  p4.envelope.push_back(0);
  expect_error(Errc::invalid_argument, "envelope", [&] { serialize_campaign_package(p4); });
  p4 = small_package(bc::Profile::platform_key);
  p4.pse.push_back(Bytes{0x84});
  expect_error(Errc::invalid_argument, "profile 4 carries no PSE", [&] { serialize_campaign_package(p4); });
}

}  // namespace
}  // namespace sefleet::offcard::testing

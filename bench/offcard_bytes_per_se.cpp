// Bytes per SE, broadcast against per-SE encryption, from the real packages (no formula for the sizes):
//  - broadcast: the design system builds the campaign (profile 3, extended WRITE BLOCKs of 65,280 plain
//    bytes); the PSE file the server serves (serialize_pse_file, as the campaign service stores it) and
//    its command APDUs are the same bytes for every SE; the HSM issues one PAUT per SE (four commands,
//    counted as encoded);
//  - per SE (per_se_baseline.hpp): the image as SCP03-wrapped WRITE BLOCKs of the same size in one SE's
//    own session (C-MAC + C-DECRYPTION at level 33), what a server would send to each SE.
// Both are counted for one SE; the table for N SEs adds the PSE once (a terminal, an HTTP cache or a
// CDN serves it to the others) and N PAUTs, against N wrapped copies.
//   bench_offcard_bytes_per_se [--sizes 65536,1048576,16777216] [--ses 1,1000,100000] [--json]
// bench/scripts/bytes_per_se.sh runs it.
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"
#include "gp/broadcast/paut.hpp"
#include "gp/broadcast/pse.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/secure_messaging.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/hsm_role.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/campaign/per_se_baseline.hpp"
#include "offcard/keystore/software_keystore.hpp"

namespace {

using namespace sefleet;
namespace bc = gp::broadcast;

struct Counts {
  std::size_t image = 0;
  std::size_t pse_file = 0;      // the file GET /v1/campaigns/{id}/pse serves
  std::size_t pse_commands = 0;  // the PSE's command APDUs, as the terminal sends them to an SE
  std::size_t pse_apdus = 0;
  std::size_t paut = 0;    // one SE's four PAUT commands
  std::size_t per_se = 0;  // one SE's wrapped copy of the image
  std::size_t per_se_apdus = 0;
};

std::vector<std::size_t> list(const std::string& text) {
  std::vector<std::size_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoul(item));
  return out;
}

offcard::SeAuthorizationRequest request() {
  offcard::SeAuthorizationRequest r;
  r.se_id = Bytes{'S', 'E', 'F', 'L', 0, 0, 0, 1};
  r.kdd = Bytes{0x5E, 0xF1, 0, 0, 0, 0, 0, 0, 0, 1};
  r.kvn = 0x30;
  r.i = 0x70;
  r.sequence_counter = 7;
  return r;
}

Counts count(std::size_t size, offcard::SoftwareKeystore& design_keys, offcard::SoftwareKeystore& hsm) {
  crypto::DeterministicRandom random(Bytes{0x01});
  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::os;
  design.manifest.version = 2;
  design.manifest.name = "os-2";
  design.body = random.bytes(size);
  design.profile = bc::Profile::campaign_key;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = bc::kMaxExtendedChunk;
  design.extended = true;
  const offcard::CampaignPackage package = offcard::design_campaign(design_keys, design);

  Counts c;
  c.image = size;
  c.pse_file = offcard::serialize_pse_file(offcard::PseFile{package.terms.campaign_id, package.pse}).size();
  for (const auto& command : package.pse) c.pse_commands += command.size();
  c.pse_apdus = package.pse.size();
  const offcard::SeAuthorizationRequest se = request();
  const bc::Paut paut = offcard::PautIssuer(hsm, offcard::KeyRef::current("master"), package.terms).issue(se);
  for (const auto& command : paut.commands) c.paut += command.encode().size();

  // The per-SE copy: that SE's session, opened as EXTERNAL AUTHENTICATE leaves it.
  const gp::StaticKeySet keys = hsm.derive_kdf3(offcard::KeyRef::current("master"), se.kdd, se.kvn);
  const Bytes host_challenge = random.bytes(8);
  const Bytes card_challenge =
      gp::pseudo_random_card_challenge(keys.enc.view(), gp::Scp03Mode::s8, se.sequence_counter + 1, gp::isd_aid());
  const gp::SessionKeys session = gp::derive_session_keys(keys, host_challenge, card_challenge);
  const Bytes cryptogram = gp::host_cryptogram(session.s_mac.view(), gp::Scp03Mode::s8, host_challenge, card_challenge);
  gp::SecureMessaging engine(session, gp::Scp03Mode::s8, 0x33);
  engine.begin(engine.external_authenticate_mac(0x84, 0x33, cryptogram));
  const Bytes datasend = bc::encode_datasend(design.manifest, design.body);
  const auto copy = offcard::per_se_write_blocks(engine, datasend, bc::kMaxExtendedChunk, true);
  for (const auto& command : copy) c.per_se += command.size();
  c.per_se_apdus = copy.size();
  return c;
}

std::string grouped(double value) {
  std::string digits = std::to_string(static_cast<unsigned long long>(value + 0.5));
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::size_t> sizes{64 * 1024, 1024 * 1024, 16 * 1024 * 1024};
  std::vector<std::size_t> fleets{1, 1000, 100000};
  bool json = false;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string flag = argv[i];
      if (flag == "--json") {
        json = true;
      } else if ((flag == "--sizes" || flag == "--ses") && i + 1 < argc) {
        (flag == "--sizes" ? sizes : fleets) = list(argv[++i]);
      } else {
        std::cerr << "usage: bench_offcard_bytes_per_se [--sizes B,B,...] [--ses N,N,...] [--json]\n";
        return 2;
      }
    }
  } catch (const std::logic_error&) {
    std::cerr << "bench_offcard_bytes_per_se: --sizes and --ses take comma-separated numbers\n";
    return 2;
  }
  auto design_keys = offcard::SoftwareKeystore::in_memory();
  design_keys->import_key("kos", SecretBytes(Bytes(16, 0x05)), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  design_keys->import_key("kmac", SecretBytes(Bytes(16, 0x0A)), offcard::KeyUsage::mac);
  auto hsm = offcard::SoftwareKeystore::in_memory();
  hsm->import_key("master", SecretBytes(Bytes(16, 0x4D)), offcard::KeyUsage::mac);

  nlohmann::json out = nlohmann::json::array();
  for (const std::size_t size : sizes) {
    const Counts c = count(size, *design_keys, *hsm);
    nlohmann::json row{{"image", c.image},
                       {"pse_file", c.pse_file},
                       {"pse_commands_bytes", c.pse_commands},
                       {"pse_apdus", c.pse_apdus},
                       {"paut_bytes", c.paut},
                       {"per_se_copy_bytes", c.per_se},
                       {"per_se_apdus", c.per_se_apdus}};
    if (!json) {
      std::cout << "image " << grouped(static_cast<double>(size)) << " B: PSE file " << grouped(c.pse_file) << " B ("
                << c.pse_apdus << " APDUs, " << grouped(c.pse_commands) << " B as sent to an SE), PAUT " << c.paut
                << " B per SE; per-SE copy " << grouped(c.per_se) << " B (" << c.per_se_apdus << " APDUs) per SE\n";
    }
    for (const std::size_t n : fleets) {
      // Broadcast: the PSE leaves the server once (the terminals' HTTP cache or a CDN serves the rest).
      const double broadcast = static_cast<double>(c.pse_file) + static_cast<double>(n * c.paut);
      const double per_se = static_cast<double>(n) * static_cast<double>(c.per_se);
      row["fleets"].push_back({{"ses", n}, {"broadcast_bytes", broadcast}, {"per_se_bytes", per_se}});
      if (!json) {
        std::cout << "  N = " << std::setw(7) << grouped(static_cast<double>(n)) << ": server egress broadcast "
                  << grouped(broadcast) << " B (" << grouped(broadcast / static_cast<double>(n)) << " B/SE), per SE "
                  << grouped(per_se) << " B (" << grouped(c.per_se) << " B/SE); per-SE / broadcast " << std::fixed
                  << std::setprecision(1) << per_se / broadcast << "\n";
      }
    }
    out.push_back(row);
  }
  if (json) std::cout << out.dump(2) << "\n";
  return 0;
}

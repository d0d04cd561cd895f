// sefleet campaign: the design system as an operator runs it (broadcast-channel.md §3, §6, §7).
//   build: image body + manifest fields + profile + key references in the platform keystore →
//          a campaign package file (SFCF, docs/formats.md) and a readable summary;
//   show:  the summary of an existing package file.
// Kos/Kmac are named by label (and optionally version) and never leave the keystore.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "file_input.hpp"
#include "gp/broadcast/pse.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/key_ref.hpp"
#include "offcard/keystore/keystore_spec.hpp"

namespace sefleet::cli {
namespace {

namespace bc = gp::broadcast;

struct BuildOptions {
  std::string keystore;
  std::optional<std::string> passphrase_file;
  std::string body;
  std::string type;
  std::string platform;
  std::string version;
  std::string name;
  int profile = 3;
  std::string kos;
  std::optional<std::string> kmac;
  unsigned platform_key_version = 1;
  std::size_t bk_size = 16;
  std::size_t chunk_size = bc::kMaxShortChunk;
  bool extended = false;
  std::string out;
  bool force = false;
  bool json = false;
};

// "label" or "label@vN" (offcard/keystore/key_ref.hpp); a malformed one is a usage error.
offcard::KeyRef key_ref_option(const std::string& text, const std::string& option) {
  try {
    return offcard::parse_key_ref(text);
  } catch (const Error& e) {
    throw CLI::ValidationError(option, e.what());
  }
}

bc::ImageType parse_image_type(const std::string& text) {
  if (text == "os") return bc::ImageType::os;
  if (text == "application") return bc::ImageType::application;
  if (text == "data") return bc::ImageType::data;
  if (text == "keys") return bc::ImageType::keys;
  throw CLI::ValidationError("--type", "'" + text + "': use os, application, data or keys");
}

bc::PlatformId parse_platform(const std::string& text) {
  Bytes bytes;
  try {
    bytes = from_hex(text);
  } catch (const Error&) {
    throw CLI::ValidationError("--platform", "'" + text + "' is not hex (8 bytes, 16 hex digits)");
  }
  if (bytes.size() != bc::kPlatformIdSize) {
    throw CLI::ValidationError("--platform",
                               "the platform id is 8 bytes (16 hex digits), got " + std::to_string(bytes.size()));
  }
  bc::PlatformId id{};
  std::copy(bytes.begin(), bytes.end(), id.begin());
  return id;
}

// Decimal, 0x-hex, or dotted "major.minor" (major << 16 | minor), as operators write versions.
std::uint32_t parse_image_version(const std::string& text) {
  const auto number = [&](const std::string& part, int base, std::uint64_t max) {
    const std::string digits = base == 16 ? "0123456789abcdefABCDEF" : "0123456789";
    if (part.empty() || part.size() > 10 || part.find_first_not_of(digits) != std::string::npos) {
      throw CLI::ValidationError("--version", "'" + text + "': use a number, 0xHEX or MAJOR.MINOR");
    }
    const std::uint64_t value = std::stoull(part, nullptr, base);
    if (value > max) throw CLI::ValidationError("--version", "'" + text + "' is out of range");
    return value;
  };
  if (const std::size_t dot = text.find('.'); dot != std::string::npos) {
    return static_cast<std::uint32_t>(number(text.substr(0, dot), 10, 0xFFFF) << 16 |
                                      number(text.substr(dot + 1), 10, 0xFFFF));
  }
  if (text.starts_with("0x") || text.starts_with("0X"))
    return static_cast<std::uint32_t>(number(text.substr(2), 16, 0xFFFFFFFF));
  return static_cast<std::uint32_t>(number(text, 10, 0xFFFFFFFF));
}

nlohmann::json package_json(const offcard::CampaignPackage& package, const std::string& file) {
  const auto& m = package.image.manifest;
  return {{"file", file},
          {"campaign_id", to_hex(package.terms.campaign_id)},
          {"profile", static_cast<int>(package.terms.profile)},
          {"platform_key_version", package.terms.platform_key_version},
          {"image",
           {{"type", offcard::image_type_text(m.type)},
            {"version", m.version},
            {"name", m.name},
            {"platform", to_hex(m.platform_id)}}},
          {"datasend_size", package.image.datasend_size},
          {"datasend_sha256", to_hex(package.image.datasend_sha256)},
          {"total_length", package.terms.total_length},
          {"chunk_size", package.chunk_size},
          {"extended", package.extended},
          {"pse_commands", package.pse.size()},
          {"envelope_size", package.envelope.size()}};
}

void run_build(const BuildOptions& options) {
  if (options.profile != 3 && options.profile != 4) {
    throw CLI::ValidationError("--profile", "use 3 (campaign key) or 4 (platform key)");
  }
  offcard::CampaignDesign design;
  design.manifest.type = parse_image_type(options.type);
  design.manifest.platform_id = parse_platform(options.platform);
  design.manifest.version = parse_image_version(options.version);
  design.manifest.name = options.name;
  design.profile = options.profile == 3 ? bc::Profile::campaign_key : bc::Profile::platform_key;
  design.kos = key_ref_option(options.kos, "--kos");
  if (design.profile == bc::Profile::platform_key) {
    if (!options.kmac) throw CLI::ValidationError("--kmac", "profile 4 needs --kmac (the platform MAC key's label)");
    design.kmac = key_ref_option(*options.kmac, "--kmac");
  } else if (options.kmac) {
    throw CLI::ValidationError("--kmac", "profile 3 uses no Kmac (the integrity code is under BK-MAC)");
  }
  if (options.platform_key_version == 0 || options.platform_key_version > 0xFF) {
    throw CLI::ValidationError("--platform-key-version", "must be 1..255 (the KVN of Kos/Kmac on the SEs)");
  }
  design.platform_key_version = static_cast<std::uint8_t>(options.platform_key_version);
  design.broadcast_key_size = options.bk_size;
  design.chunk_size = options.chunk_size;
  design.extended = options.extended;
  if (!options.force && std::filesystem::exists(options.out)) {
    throw Error(Errc::state_error, options.out + " exists; add --force to replace it");
  }
  design.body = read_whole_file(options.body, "the image body file");

  auto store = offcard::open_keystore_spec(
      offcard::parse_keystore_spec(options.keystore),
      options.passphrase_file ? std::optional<std::filesystem::path>(*options.passphrase_file) : std::nullopt);
  const offcard::CampaignPackage package = offcard::design_campaign(*store, design);
  offcard::save_campaign_package(options.out, package);
  if (options.json) {
    std::cout << package_json(package, options.out).dump(2) << "\n";
  } else {
    std::cout << "wrote " << options.out << "\n" << offcard::describe(package);
  }
}

void setup_campaign(CLI::App& root) {
  auto* campaign = add_command(root, "campaign", "Design system: build a campaign package, show one");
  campaign->require_subcommand(1);

  auto b = std::make_shared<BuildOptions>();
  auto* build = add_command(*campaign, "build", "Build a campaign package from an image body and the platform keys");
  build
      ->add_option("--keystore", b->keystore,
                   "Platform keystore: software:PATH or pkcs11:MODULE?token=LABEL&pin-file=FILE")
      ->required();
  build->add_option("--passphrase-file", b->passphrase_file,
                    "Software keystore passphrase file (mode 0600); default $SEFLEET_PASSPHRASE");
  build->add_option("--body", b->body, "Image body file")->required();
  build->add_option("--type", b->type, "Image type: os, application, data, keys")->required();
  build->add_option("--platform", b->platform, "Platform id, 8 bytes hex")->required();
  build->add_option("--version", b->version, "Image version: N, 0xHEX or MAJOR.MINOR")->required();
  build->add_option("--name", b->name, "Image name (UTF-8, at most 64 bytes)")->required();
  build->add_option("--profile", b->profile, "3 = campaign key (BK wrapped under Kos), 4 = platform key");
  build->add_option("--kos", b->kos, "Kos label[@vN]: wrap usage (profile 3) or encrypt usage (profile 4)")->required();
  build->add_option("--kmac", b->kmac, "Kmac label[@vN], mac usage (profile 4 only)");
  build->add_option("--platform-key-version", b->platform_key_version, "KVN of Kos/Kmac on the SEs (1..255)");
  build->add_option("--bk-size", b->bk_size, "Profile 3: BK-ENC/BK-MAC size in bytes")
      ->check(CLI::IsMember({16, 24, 32}));
  build->add_option("--chunk-size", b->chunk_size, "Plain bytes per WRITE BLOCK (1..239, or 1..65280 extended)");
  build->add_flag("--extended", b->extended, "Use extended-length APDUs for the WRITE BLOCKs");
  build->add_option("-o,--out", b->out, "Campaign package file to write")->required();
  build->add_flag("--force", b->force, "Replace an existing output file");
  build->add_flag("--json", b->json, "Print the summary as JSON");
  build->footer(
      "Example (profile 3):\n"
      "  SEFLEET_PASSPHRASE=... sefleet campaign build --keystore software:platform.sfks --body app.bin \\\n"
      "    --type application --platform 504C4154464F524D --version 2.1 --name wallet --kos kos -o wallet.sfcp");
  build->callback([b] { run_build(*b); });

  auto file = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* show = add_command(*campaign, "show", "Print the summary of a campaign package file");
  show->add_option("file", *file, "Campaign package file")->required();
  show->add_flag("--json", *json, "Print JSON");
  show->callback([file, json] {
    const offcard::CampaignPackage package = offcard::load_campaign_package(*file);
    if (*json) {
      std::cout << package_json(package, *file).dump(2) << "\n";
    } else {
      std::cout << offcard::describe(package);
    }
  });
}

const RegisterCommand campaign_registration{"campaign", setup_campaign};

}  // namespace
}  // namespace sefleet::cli

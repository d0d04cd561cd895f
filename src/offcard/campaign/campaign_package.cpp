#include "offcard/campaign/campaign_package.hpp"

#include <sstream>

#include "core/hex.hpp"
#include "gp/broadcast/pse.hpp"

namespace sefleet::offcard {

std::string profile_text(gp::broadcast::Profile profile) {
  switch (profile) {
    case gp::broadcast::Profile::campaign_key:
      return "campaign_key (3)";
    case gp::broadcast::Profile::platform_key:
      return "platform_key (4)";
  }
  return "unknown (" + std::to_string(static_cast<unsigned>(profile)) + ")";
}

std::string image_type_text(gp::broadcast::ImageType type) {
  switch (type) {
    case gp::broadcast::ImageType::os:
      return "os";
    case gp::broadcast::ImageType::application:
      return "application";
    case gp::broadcast::ImageType::data:
      return "data";
    case gp::broadcast::ImageType::keys:
      return "keys";
  }
  return "unknown (" + std::to_string(static_cast<unsigned>(type)) + ")";
}

std::string describe(const CampaignPackage& package) {
  const CampaignTerms& terms = package.terms;
  const gp::broadcast::ImageManifest& manifest = package.image.manifest;
  const std::size_t blocks = gp::broadcast::pse_block_count(terms.total_length, package.chunk_size);
  std::ostringstream out;
  out << "campaign        " << to_hex(terms.campaign_id) << '\n'
      << "profile         " << profile_text(terms.profile) << '\n'
      << "platform keys   version " << static_cast<unsigned>(terms.platform_key_version) << '\n'
      << "image           " << image_type_text(manifest.type) << " version " << manifest.version << " \""
      << manifest.name << "\"\n"
      << "platform        " << to_hex(manifest.platform_id) << '\n'
      << "DATASEND        " << package.image.datasend_size << " bytes, SHA-256 "
      << to_hex(package.image.datasend_sha256) << '\n'
      << "stream          " << terms.total_length << " bytes ("
      << (terms.profile == gp::broadcast::Profile::campaign_key ? "DATASEND under BK" : "Kos envelope") << ")\n"
      << "blocks          " << blocks << " WRITE BLOCK of " << package.chunk_size << " bytes, "
      << (package.extended ? "extended" : "short") << " APDUs\n";
  if (terms.profile == gp::broadcast::Profile::campaign_key) {
    std::size_t pse_bytes = 0;
    for (const Bytes& command : package.pse) pse_bytes += command.size();
    out << "PSE             " << package.pse.size() << " commands, " << pse_bytes << " bytes\n";
  } else {
    out << "PSE             built by the HSM from the " << package.envelope.size() << "-byte envelope\n";
  }
  return out.str();
}

}  // namespace sefleet::offcard

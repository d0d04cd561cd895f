// The campaign package the server benchmarks upload: profile 4, a 4 KiB application image in 200-byte
// chunks, designed with throw-away platform keys. Shared by the offline and the online authorization
// benchmarks so that both measure the same campaign.
#pragma once

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/campaign/package_format.hpp"
#include "offcard/keystore/software_keystore.hpp"

namespace sefleet::bench {

inline Bytes server_bench_campaign_package() {
  namespace bc = gp::broadcast;
  auto design_keys = offcard::SoftwareKeystore::in_memory();
  design_keys->import_key("kos", SecretBytes(Bytes(16, 0x11)), offcard::KeyUsage::wrap | offcard::KeyUsage::encrypt);
  design_keys->import_key("kmac", SecretBytes(Bytes(16, 0x22)), offcard::KeyUsage::mac);
  offcard::CampaignDesign design;
  design.manifest.type = bc::ImageType::application;
  design.manifest.version = 2;
  design.manifest.name = "bench";
  design.body = Bytes(4096, 0x5A);
  design.profile = bc::Profile::platform_key;
  design.kos = offcard::KeyRef::current("kos");
  design.kmac = offcard::KeyRef::current("kmac");
  design.platform_key_version = 1;
  design.chunk_size = 200;
  return offcard::serialize_campaign_package(offcard::design_campaign(*design_keys, design));
}

}  // namespace sefleet::bench

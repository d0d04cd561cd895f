#include "offcard/campaign/design_system.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/aes.hpp"
#include "crypto/hash.hpp"
#include "gp/broadcast/broadcast_keys.hpp"
#include "gp/broadcast/image_envelope.hpp"

namespace sefleet::offcard {
namespace {

namespace bc = gp::broadcast;

void check_stream_fits(std::size_t stream_size, std::size_t chunk_size, bool extended) {
  const std::size_t limit = extended ? bc::kMaxExtendedChunk : bc::kMaxShortChunk;
  if (chunk_size == 0 || chunk_size > limit) {
    throw Error(Errc::invalid_argument, "design system: chunk size must be 1.." + std::to_string(limit) + " bytes in " +
                                            (extended ? "extended" : "short") + " APDUs, got " +
                                            std::to_string(chunk_size));
  }
  if (stream_size > std::numeric_limits<std::uint32_t>::max()) {
    throw Error(Errc::invalid_argument, "design system: a broadcast stream of " + std::to_string(stream_size) +
                                            " bytes does not fit C6 (at most FFFFFFFF)");
  }
  const std::size_t blocks = bc::pse_block_count(stream_size, chunk_size);
  if (blocks > bc::kMaxBlocks) {
    throw Error(Errc::invalid_argument, "design system: " + std::to_string(stream_size) + " bytes need " +
                                            std::to_string(blocks) + " blocks of " + std::to_string(chunk_size) +
                                            " (at most 65536); use a larger chunk or extended APDUs");
  }
}

template <std::size_t N>
std::array<std::uint8_t, N> random_array(Keystore& keystore) {
  const Bytes drawn = keystore.random(N);
  if (drawn.size() != N) throw Error(Errc::crypto_error, "design system: the keystore returned too few random bytes");
  std::array<std::uint8_t, N> out{};
  std::copy(drawn.begin(), drawn.end(), out.begin());
  return out;
}

// Everything both profiles share: the image summary, the campaign id, C3/C4 and the APDU options.
// C3/C4 are drawn at random in both profiles: they are public, and a fresh chaining value per campaign
// keeps the broadcast MACs of two campaigns under a reused BK unrelated.
CampaignPackage start_package(Keystore& keystore, const CampaignDesign& design, ByteView datasend) {
  CampaignPackage package;
  package.terms.profile = design.profile;
  package.terms.platform_key_version = design.platform_key_version;
  package.terms.campaign_id = design.campaign_id ? *design.campaign_id : random_array<16>(keystore);
  package.terms.start.counter = random_array<16>(keystore);
  package.terms.start.chaining_value = random_array<16>(keystore);
  package.image.manifest = design.manifest;
  package.image.datasend_size = datasend.size();
  package.image.datasend_sha256 = crypto::sha256(datasend);
  package.chunk_size = design.chunk_size;
  package.extended = design.extended;
  return package;
}

void design_campaign_key(Keystore& keystore, const CampaignDesign& design, ByteView datasend,
                         CampaignPackage& package) {
  if (!crypto::is_aes_key_size(design.broadcast_key_size)) {
    throw Error(Errc::invalid_argument, "design system: broadcast key size must be 16, 24 or 32 bytes, got " +
                                            std::to_string(design.broadcast_key_size));
  }
  Bytes drawn = keystore.random(2 * design.broadcast_key_size);
  const SecretBytes joined = SecretBytes::take(drawn);
  if (joined.size() != 2 * design.broadcast_key_size) {
    throw Error(Errc::crypto_error, "design system: the keystore returned too few random bytes");
  }
  const bc::BroadcastKeys keys = bc::split_broadcast_keys(joined.view());

  Bytes code_plain = bc::integrity_code(keys.mac.view(), datasend);
  const SecretBytes code = SecretBytes::take(code_plain);

  package.terms.total_length = static_cast<std::uint32_t>(datasend.size());
  package.terms.wrapped_broadcast_keys = keystore.wrap(design.kos, joined.view());
  package.terms.integrity_code = keystore.wrap(design.kos, code.view());
  package.pse = bc::build_pse(keys, package.terms.start, datasend, design.chunk_size, design.extended);
}

void design_platform_key(Keystore& keystore, const CampaignDesign& design, ByteView datasend,
                         CampaignPackage& package) {
  const Bytes iv = keystore.random(bc::kEnvelopeIvSize);
  if (iv.size() != bc::kEnvelopeIvSize) {
    throw Error(Errc::crypto_error, "design system: the keystore returned too few random bytes");
  }
  Bytes padded_plain = crypto::pad80(datasend);
  const SecretBytes padded = SecretBytes::take(padded_plain);
  const Bytes ciphertext = keystore.encrypt(design.kos, BlockMode::cbc, iv, padded.view());
  package.envelope = concat({iv, ciphertext});

  const crypto::Mac16 code = keystore.cmac(design.kmac, datasend);
  package.terms.integrity_code.assign(code.begin(), code.end());
  package.terms.total_length = static_cast<std::uint32_t>(package.envelope.size());
  package.terms.wrapped_broadcast_keys.clear();  // the HSM fills it when it generates BK
}

}  // namespace

CampaignPackage design_campaign(Keystore& platform_keystore, const CampaignDesign& design) {
  if (design.profile != bc::Profile::campaign_key && design.profile != bc::Profile::platform_key) {
    throw Error(Errc::invalid_argument,
                "design system: unknown profile " + std::to_string(static_cast<unsigned>(design.profile)));
  }
  Bytes datasend_plain = bc::encode_datasend(design.manifest, design.body);
  const SecretBytes datasend = SecretBytes::take(datasend_plain);  // the plain image: wiped on return
  const std::size_t stream_size =
      design.profile == bc::Profile::campaign_key ? datasend.size() : bc::envelope_size(datasend.size());
  check_stream_fits(stream_size, design.chunk_size, design.extended);

  CampaignPackage package = start_package(platform_keystore, design, datasend.view());
  if (design.profile == bc::Profile::campaign_key) {
    design_campaign_key(platform_keystore, design, datasend.view(), package);
  } else {
    design_platform_key(platform_keystore, design, datasend.view(), package);
  }
  return package;
}

}  // namespace sefleet::offcard

// Shared pieces of the design-system and campaign-file tests: a platform keystore with known Kos and
// Kmac (so the tests can check every wrap, envelope and MAC with the raw keys), designs of both
// profiles, and an expect_error helper that checks the code and the message.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/random.hpp"
#include "offcard/campaign/design_system.hpp"
#include "offcard/keystore/software_keystore.hpp"

namespace sefleet::offcard::testing {

inline const Bytes& test_kos() {
  static const Bytes kos = crypto::DeterministicRandom(bytes_of("test Kos")).bytes(16);
  return kos;
}
inline const Bytes& test_kmac() {
  static const Bytes kmac = crypto::DeterministicRandom(bytes_of("test Kmac")).bytes(16);
  return kmac;
}

inline std::unique_ptr<SoftwareKeystore> platform_keystore() {
  auto store = SoftwareKeystore::in_memory();
  store->import_key("kos", SecretBytes(test_kos()), KeyUsage::wrap | KeyUsage::encrypt);
  store->import_key("kmac", SecretBytes(test_kmac()), KeyUsage::mac);
  return store;
}

// An image body that cannot occur by chance in any other field (so searching for it is meaningful).
inline Bytes image_body(std::size_t size, std::string_view seed = "image body") {
  return crypto::DeterministicRandom(bytes_of(seed)).bytes(size);
}

inline CampaignDesign make_design(gp::broadcast::Profile profile, std::size_t body_size = 600, std::size_t chunk = 100,
                                  bool extended = false) {
  CampaignDesign design;
  design.manifest.type = gp::broadcast::ImageType::application;
  design.manifest.platform_id = {0x50, 0x4C, 0x41, 0x54, 0x46, 0x4F, 0x52, 0x4D};
  design.manifest.version = 0x00020001;
  design.manifest.name = "wallet-applet";
  design.body = image_body(body_size);
  design.profile = profile;
  design.kos = KeyRef::current("kos");
  design.kmac = KeyRef::current("kmac");
  design.platform_key_version = 3;
  design.chunk_size = chunk;
  design.extended = extended;
  return design;
}

inline bool contains(ByteView haystack, ByteView needle) {
  return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) != haystack.end();
}

// Runs `call` and expects Error(code) whose message contains `needle`.
inline void expect_error(Errc code, const std::string& needle, const std::function<void()>& call) {
  try {
    call();
    ADD_FAILURE() << "no error; expected " << errc_name(code) << " containing \"" << needle << "\"";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), code) << error.what();
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos)
        << "message \"" << error.what() << "\" lacks \"" << needle << "\"";
  }
}

}  // namespace sefleet::offcard::testing

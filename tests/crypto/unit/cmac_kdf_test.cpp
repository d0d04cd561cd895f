// AES-CMAC and the SP 800-108 / SCP03 KDFs against every vector of the shared file scp03.json
// (categories cmac, kdf_generic, kdf_scp03; each vector names its public source in the file).
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/cmac.hpp"
#include "crypto/kbkdf.hpp"
#include "support/vectors.hpp"

namespace sefleet::crypto {
namespace {

std::vector<nlohmann::json> vectors_of(const std::string& category) {
  const nlohmann::json file = test::load_vectors("scp03.json");
  std::vector<nlohmann::json> out;
  for (const auto& vector : file.at("vectors")) {
    if (vector.at("category") == category) out.push_back(vector);
  }
  return out;
}

std::string id_of(const nlohmann::json& vector) {
  return vector.at("id").get<std::string>();
}

TEST(SharedVectors, Cmac) {
  const auto vectors = vectors_of("cmac");
  ASSERT_EQ(vectors.size(), 12u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(id_of(v));
    const Bytes key = test::hex_field(v.at("inputs"), "key");
    const Bytes message = test::hex_field(v.at("inputs"), "message");
    const Bytes expected = test::hex_field(v.at("expected"), "cmac");
    const Mac16 one_shot = aes_cmac(key, message);
    EXPECT_EQ(Bytes(one_shot.begin(), one_shot.end()), expected);
    // Streaming in uneven pieces, twice on one object (begin() must reset the state).
    Cmac cmac(key);
    for (int round = 0; round < 2; ++round) {
      cmac.begin();
      std::size_t offset = 0;
      for (std::size_t piece = 1; offset < message.size(); piece += 7) {
        const std::size_t size = std::min(piece, message.size() - offset);
        cmac.update(ByteView(message.data() + offset, size));
        offset += size;
      }
      const Mac16 streamed = cmac.finish();
      EXPECT_EQ(Bytes(streamed.begin(), streamed.end()), expected);
    }
    const std::size_t half = message.size() / 2;
    const Mac16 parts =
        cmac.compute({ByteView(message.data(), half), ByteView(message.data() + half, message.size() - half)});
    EXPECT_EQ(Bytes(parts.begin(), parts.end()), expected);
  }
}

TEST(SharedVectors, KdfGeneric) {
  const auto vectors = vectors_of("kdf_generic");
  ASSERT_EQ(vectors.size(), 14u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(id_of(v));
    const auto& in = v.at("inputs");
    const SecretBytes derived =
        kbkdf_cmac_counter(test::hex_field(in, "KI"), test::hex_field(in, "data_before_counter"),
                           test::hex_field(in, "data_after_counter"), in.at("L_bits").get<std::size_t>(), 1);
    EXPECT_EQ(to_hex(derived.view()), to_hex(test::hex_field(v.at("expected"), "KO")));
  }
}

TEST(SharedVectors, KdfScp03) {
  const auto vectors = vectors_of("kdf_scp03");
  ASSERT_EQ(vectors.size(), 40u);
  for (const auto& v : vectors) {
    SCOPED_TRACE(id_of(v));
    const auto& in = v.at("inputs");
    const Bytes key = test::hex_field(in, "key");
    const int constant = in.at("derivation_constant").get<int>();
    ASSERT_TRUE(constant >= 0 && constant <= 0xFF);
    const auto bits = in.at("L_bits").get<std::size_t>();
    const Bytes context = test::hex_field(in, "context");
    const std::string expected = to_hex(test::hex_field(v.at("expected"), "derived"));
    EXPECT_EQ(to_hex(scp03_kdf(key, static_cast<std::uint8_t>(constant), bits, context).view()), expected);
    // The fast path with a caller-owned CMAC gives the same bytes.
    Cmac prf(key);
    EXPECT_EQ(to_hex(scp03_kdf(prf, static_cast<std::uint8_t>(constant), bits, context).view()), expected);
  }
}

TEST(Kbkdf, RefusesBadParameters) {
  const Bytes key(16, 0x01);
  EXPECT_THROW(kbkdf_cmac_counter(key, {}, {}, 0), Error);
  EXPECT_THROW(kbkdf_cmac_counter(key, {}, {}, 12), Error);
  EXPECT_THROW(kbkdf_cmac_counter(key, {}, {}, 128, 0), Error);
  EXPECT_THROW(kbkdf_cmac_counter(key, {}, {}, 128, 5), Error);
  // A 1-byte counter covers at most 255 blocks.
  EXPECT_NO_THROW(kbkdf_cmac_counter(key, {}, {}, 255 * 128, 1));
  EXPECT_THROW(kbkdf_cmac_counter(key, {}, {}, 256 * 128, 1), Error);
  for (const std::size_t bits : {std::size_t{0}, std::size_t{32}, std::size_t{512}}) {
    try {
      scp03_kdf(key, 0x04, bits, {});
      FAIL() << bits;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Errc::invalid_argument);
      EXPECT_NE(std::string(e.what()).find("got " + std::to_string(bits)), std::string::npos);
    }
  }
  EXPECT_THROW(Cmac(Bytes(17, 0)), Error);
}

}  // namespace
}  // namespace sefleet::crypto

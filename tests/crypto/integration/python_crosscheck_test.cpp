// Cross-checks of the Java Card algorithms of src/crypto against python3-cryptography and the Python
// standard library, computed at test time on fresh random inputs (tests/crypto/integration/crosscheck.py):
// digests, HMAC, AES ECB/CBC/CTR at every key size, DES/3DES, the DES MACs, the CRCs, RSA-2048 keys of
// both sides (PKCS#1 v1.5 and PSS signatures, type-1 blocks, PKCS#1 and OAEP encryption), and ECDSA and
// ECDH with keys of both sides on every curve Python has.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/aes_ctr.hpp"
#include "crypto/cbc_mac.hpp"
#include "crypto/crc.hpp"
#include "crypto/des.hpp"
#include "crypto/digest.hpp"
#include "crypto/ec_key.hpp"
#include "crypto/ecdh.hpp"
#include "crypto/ecdsa.hpp"
#include "crypto/hmac.hpp"
#include "crypto/random.hpp"
#include "crypto/rsa.hpp"
#include "support/temp_dir.hpp"
#include "support/vectors.hpp"

namespace sefleet::crypto {
namespace {

using nlohmann::json;

const char* const kDigestNames[] = {"sha1", "sha224", "sha256", "sha384", "sha512"};
constexpr DigestAlgorithm kDigests[] = {DigestAlgorithm::sha1, DigestAlgorithm::sha224, DigestAlgorithm::sha256,
                                        DigestAlgorithm::sha384, DigestAlgorithm::sha512};

std::string lower_hex(ByteView bytes) {
  std::string text = to_hex(bytes);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

Bytes random_bytes(std::size_t size) {
  return system_random().bytes(size);
}

// Collects cases and the checks of their results, runs the Python script once, then the checks.
class CrossCheck {
 public:
  void add(json request, std::function<void(const json&)> check) {
    requests_.push_back(std::move(request));
    checks_.push_back(std::move(check));
  }

  void run() {
    test::TempDir dir;
    const auto request_path = dir.path() / "request.json";
    const auto response_path = dir.path() / "response.json";
    std::ofstream(request_path) << json(requests_).dump();
    const std::string command = "/usr/bin/python3 " + test::source_dir() + "/tests/crypto/integration/crosscheck.py " +
                                request_path.string() + " " + response_path.string();
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(response_path);
    const json results = json::parse(in);
    ASSERT_EQ(results.size(), checks_.size());
    for (std::size_t i = 0; i < checks_.size(); ++i) {
      SCOPED_TRACE(requests_[i].dump());
      checks_[i](results[i]);
    }
  }

 private:
  std::vector<json> requests_;
  std::vector<std::function<void(const json&)>> checks_;
};

TEST(PythonCrossCheck, DigestsHmacAndTheCrcs) {
  CrossCheck check;
  for (std::size_t i = 0; i < 5; ++i) {
    for (const std::size_t size : {std::size_t{0}, std::size_t{55}, std::size_t{64}, std::size_t{1000}}) {
      const Bytes data = random_bytes(size);
      const std::string ours = lower_hex(digest(kDigests[i], data));
      check.add({{"op", "digest"}, {"alg", kDigestNames[i]}, {"data", to_hex(data)}},
                [ours](const json& r) { EXPECT_EQ(r["digest"], ours); });
    }
    for (const std::size_t key_size : {std::size_t{1}, std::size_t{32}, std::size_t{200}}) {
      const Bytes key = random_bytes(key_size);
      const Bytes data = random_bytes(77);
      const std::string ours = lower_hex(hmac(kDigests[i], key, data));
      check.add({{"op", "hmac"}, {"alg", kDigestNames[i]}, {"key", to_hex(key)}, {"data", to_hex(data)}},
                [ours](const json& r) { EXPECT_EQ(r["mac"], ours); });
    }
  }
  for (const std::uint32_t initial : {0u, 0xFFFFu, 0x1D0Fu}) {
    const Bytes data = random_bytes(100);
    Crc crc16(CrcAlgorithm::iso3309_crc16, initial);
    crc16.update(data);
    const std::string ours16 = to_hex(crc16.finish());
    check.add({{"op", "crc16"},
               {"data", to_hex(data)},
               {"init", to_hex(Bytes{static_cast<std::uint8_t>(initial >> 8), static_cast<std::uint8_t>(initial)})}},
              [ours16](const json& r) { EXPECT_EQ(r["value"], ours16); });
    Crc crc32(CrcAlgorithm::iso3309_crc32, initial * 0x10001u);
    crc32.update(data);
    const std::string ours32 = to_hex(crc32.finish());
    Bytes init32;
    put_be32(init32, initial * 0x10001u);
    check.add({{"op", "crc32"}, {"data", to_hex(data)}, {"init", to_hex(init32)}},
              [ours32](const json& r) { EXPECT_EQ(r["value"], ours32); });
  }
  check.run();
}

TEST(PythonCrossCheck, BlockCiphersAndMacs) {
  CrossCheck check;
  for (const std::size_t key_size : {std::size_t{16}, std::size_t{24}, std::size_t{32}}) {
    const Bytes key = random_bytes(key_size);
    const Bytes iv = random_bytes(16);
    const Bytes data = random_bytes(80);
    Aes aes(key);
    const std::string ecb = lower_hex(aes.ecb_encrypt(data));
    const std::string cbc = lower_hex(aes.cbc_encrypt(iv, data));
    const Bytes odd = random_bytes(45);
    const std::string ctr = lower_hex(AesCtr(key, iv).apply(odd));
    check.add({{"op", "aes"}, {"mode", "ecb"}, {"key", to_hex(key)}, {"data", to_hex(data)}},
              [ecb](const json& r) { EXPECT_EQ(r["out"], ecb); });
    check.add({{"op", "aes"}, {"mode", "cbc"}, {"key", to_hex(key)}, {"iv", to_hex(iv)}, {"data", to_hex(data)}},
              [cbc](const json& r) { EXPECT_EQ(r["out"], cbc); });
    check.add({{"op", "aes"}, {"mode", "ctr"}, {"key", to_hex(key)}, {"iv", to_hex(iv)}, {"data", to_hex(odd)}},
              [ctr](const json& r) { EXPECT_EQ(r["out"], ctr); });
  }
  for (const std::size_t key_size : {std::size_t{8}, std::size_t{16}, std::size_t{24}}) {
    const Bytes key = random_bytes(key_size);
    const Bytes iv = random_bytes(8);
    const Bytes data = random_bytes(40);
    Des des(key);
    const std::string ecb = lower_hex(des.ecb_encrypt(data));
    const std::string cbc = lower_hex(des.cbc_encrypt(iv, data));
    check.add({{"op", "des"}, {"mode", "ecb"}, {"key", to_hex(key)}, {"data", to_hex(data)}},
              [ecb](const json& r) { EXPECT_EQ(r["out"], ecb); });
    check.add({{"op", "des"}, {"mode", "cbc"}, {"key", to_hex(key)}, {"iv", to_hex(iv)}, {"data", to_hex(data)}},
              [cbc](const json& r) { EXPECT_EQ(r["out"], cbc); });
    const Bytes message = random_bytes(29);
    const std::string mac =
        lower_hex(CbcMac(BlockCipherAlgorithm::des, key, BlockPadding::iso9797_m2).compute(message));
    check.add({{"op", "des_mac_m2"}, {"key", to_hex(key)}, {"data", to_hex(message)}},
              [mac](const json& r) { EXPECT_EQ(r["mac"], mac); });
  }
  const Bytes retail_key = random_bytes(16);
  const Bytes message = random_bytes(33);
  const std::string retail = lower_hex(RetailMac(retail_key, BlockPadding::iso9797_m2).compute(message));
  check.add({{"op", "retail_mac_m2"}, {"key", to_hex(retail_key)}, {"data", to_hex(message)}},
            [retail](const json& r) { EXPECT_EQ(r["mac"], retail); });
  check.run();
}

TEST(PythonCrossCheck, Rsa2048BothWays) {
  CrossCheck check;
  const auto ours = RsaPrivateKey::generate(2048);
  const auto crt = *ours.crt_parts();
  const Bytes message = random_bytes(50);
  const json public_key = {{"n", to_hex(ours.modulus())}, {"e", to_hex(ours.public_exponent())}};
  for (std::size_t i = 0; i < 5; ++i) {
    for (const auto padding : {RsaSignaturePadding::pkcs1_v1_5, RsaSignaturePadding::pss}) {
      json request = public_key;
      request.update({{"op", "rsa_verify"},
                      {"alg", kDigestNames[i]},
                      {"padding", padding == RsaSignaturePadding::pss ? "pss" : "pkcs1"},
                      {"msg", to_hex(message)},
                      {"sig", to_hex(rsa_sign(ours, padding, kDigests[i], message))}});
      check.add(request, [](const json& r) { EXPECT_TRUE(r["valid"].get<bool>()); });
    }
  }
  json type1 = public_key;
  type1.update({{"op", "rsa_type1_recover"}, {"block", to_hex(rsa_pkcs1_type1_encrypt(ours, message))}});
  const std::string message_hex = lower_hex(message);
  check.add(type1, [message_hex](const json& r) { EXPECT_EQ(r["data"], message_hex); });
  const auto pub = ours.public_key();
  const std::pair<const char*, Bytes> ciphertexts[] = {
      {"pkcs1", rsa_pkcs1_encrypt(pub, message)},
      {"oaep_sha1", rsa_oaep_encrypt(pub, DigestAlgorithm::sha1, message)},
      {"oaep_sha256", rsa_oaep_encrypt(pub, DigestAlgorithm::sha256, message)},
      {"oaep_sha512", rsa_oaep_encrypt(pub, DigestAlgorithm::sha512, message)}};
  for (const auto& [padding, ciphertext] : ciphertexts) {
    json request = public_key;
    request.update({{"op", "rsa_decrypt"},
                    {"padding", padding},
                    {"p", to_hex(crt.p.view())},
                    {"q", to_hex(crt.q.view())},
                    {"d", to_hex(ours.private_exponent().view())},
                    {"ciphertext", to_hex(ciphertext)}});
    check.add(request, [message_hex](const json& r) { EXPECT_EQ(r["plain"], message_hex); });
  }
  check.add({{"op", "rsa_generate_and_use"}, {"bits", 2048}, {"msg", to_hex(message)}}, [message](const json& r) {
    const auto theirs = RsaPrivateKey::from_crt(RsaCrtParts{
        SecretBytes(from_hex(r["p"].get<std::string>())), SecretBytes(from_hex(r["q"].get<std::string>())),
        SecretBytes(from_hex(r["dp"].get<std::string>())), SecretBytes(from_hex(r["dq"].get<std::string>())),
        SecretBytes(from_hex(r["qinv"].get<std::string>()))});
    EXPECT_EQ(to_hex(theirs.modulus()), r["n"].get<std::string>());
    EXPECT_EQ(to_hex(theirs.public_exponent()), "010001");
    for (std::size_t i = 0; i < 5; ++i) {
      // PKCS#1 v1.5 is deterministic: our signature under their key is theirs, byte for byte.
      EXPECT_EQ(lower_hex(rsa_sign(theirs, RsaSignaturePadding::pkcs1_v1_5, kDigests[i], message)),
                r["pkcs1_" + std::string(kDigestNames[i])]);
    }
    EXPECT_TRUE(rsa_verify(theirs.public_key(), RsaSignaturePadding::pss, DigestAlgorithm::sha256, message,
                           from_hex(r["pss_sha256"].get<std::string>())));
    EXPECT_EQ(rsa_pkcs1_decrypt(theirs, from_hex(r["pkcs1_ciphertext"].get<std::string>())).reveal(), message);
    EXPECT_EQ(
        rsa_oaep_decrypt(theirs, DigestAlgorithm::sha1, from_hex(r["oaep_ciphertext"].get<std::string>())).reveal(),
        message);
  });
  check.run();
}

TEST(PythonCrossCheck, EcdsaAndEcdhOnEveryCurveBothWays) {
  CrossCheck check;
  const Bytes message = random_bytes(40);
  for (const auto id :
       {NamedCurve::secp192r1, NamedCurve::secp224r1, NamedCurve::secp256r1, NamedCurve::secp384r1,
        NamedCurve::secp521r1, NamedCurve::brainpoolP256r1, NamedCurve::brainpoolP384r1, NamedCurve::brainpoolP512r1}) {
    const EcCurve curve = EcCurve::named(id);
    // Our key on the curve as explicit parameters, as a Java Card applet sets it up.
    const auto ours = EcPrivateKey::generate(EcCurve::from_parameters(curve.parameters()));
    const std::string name(curve_name(id));
    for (std::size_t i = 0; i < 5; ++i) {
      check.add({{"op", "ecdsa_verify"},
                 {"curve", name},
                 {"point", to_hex(ours.public_point())},
                 {"alg", kDigestNames[i]},
                 {"msg", to_hex(message)},
                 {"der", to_hex(ecdsa_sign(ours, kDigests[i], message))}},
                [](const json& r) { EXPECT_TRUE(r["valid"].get<bool>()); });
    }
    // A signature over another message must not verify there either.
    check.add({{"op", "ecdsa_verify"},
               {"curve", name},
               {"point", to_hex(ours.public_point())},
               {"alg", "sha256"},
               {"msg", to_hex(message)},
               {"der", to_hex(ecdsa_sign(ours, DigestAlgorithm::sha256, bytes_of("other")))}},
              [](const json& r) { EXPECT_FALSE(r["valid"].get<bool>()); });
    check.add({{"op", "ec_generate_and_use"},
               {"curve", name},
               {"peer", to_hex(ours.public_point())},
               {"msg", to_hex(message)}},
              [ours, curve, message](const json& r) {
                const Bytes their_point = from_hex(r["point"].get<std::string>());
                EXPECT_EQ(lower_hex(ecdh(ours, their_point, EcdhOutput::x).view()), r["shared_x"]);
                const auto theirs = EcPublicKey::from_point(curve, their_point);
                for (std::size_t i = 0; i < 5; ++i) {
                  EXPECT_TRUE(ecdsa_verify(theirs, kDigests[i], message,
                                           from_hex(r["der_" + std::string(kDigestNames[i])].get<std::string>())));
                }
                EXPECT_TRUE(ecdsa_verify_hash(theirs, digest(DigestAlgorithm::sha256, message),
                                              from_hex(r["der_prehashed_sha256"].get<std::string>())));
              });
  }
  check.run();
}

}  // namespace
}  // namespace sefleet::crypto

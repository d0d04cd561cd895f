#include "gp/selftest/vector_check.hpp"

#include <functional>
#include <map>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/cmac.hpp"
#include "crypto/kbkdf.hpp"
#include "gp/kdf3.hpp"
#include "gp/secure_messaging.hpp"
#include "gp/selftest/session_replay.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::gp::selftest {
namespace {

using nlohmann::json;

// A check throws Error naming the first mismatch, or returns a one-line description of what it checked.
using Check = std::function<std::string(const json& vector)>;

std::string check_cmac(const json& v) {
  const auto mac = crypto::aes_cmac(hex_input(v, "key"), hex_input(v, "message"));
  expect_equal("cmac", ByteView(mac.data(), mac.size()), hex_expected(v, "cmac"));
  return "AES-CMAC";
}

std::string check_kdf_generic(const json& v) {
  const auto out =
      crypto::kbkdf_cmac_counter(hex_input(v, "KI"), hex_input(v, "data_before_counter"),
                                 hex_input(v, "data_after_counter"), v.at("inputs").at("L_bits").get<std::size_t>());
  expect_equal("KO", out.view(), hex_expected(v, "KO"));
  return "SP 800-108 counter KDF";
}

std::string check_kdf_scp03(const json& v) {
  const auto out = crypto::scp03_kdf(hex_input(v, "key"), v.at("inputs").at("derivation_constant").get<std::uint8_t>(),
                                     v.at("inputs").at("L_bits").get<std::size_t>(), hex_input(v, "context"));
  expect_equal("derived", out.view(), hex_expected(v, "derived"));
  return "SCP03 KDF";
}

std::string check_kdf3(const json& v) {
  const StaticKeySet keys = kdf3_diversify(hex_input(v, "master_key"), hex_input(v, "kdd"), 0x01);
  expect_equal("kcv_enc", key_check_value(keys.enc.view()), hex_expected(v, "kcv_enc"));
  expect_equal("kcv_mac", key_check_value(keys.mac.view()), hex_expected(v, "kcv_mac"));
  expect_equal("kcv_dek", key_check_value(keys.dek.view()), hex_expected(v, "kcv_dek"));
  return "kdf3 diversification (KCVs of ENC, MAC, DEK)";
}

std::string check_session_keys_kcv(const json& v) {
  const Bytes context = hex_input(v, "context");
  const Bytes enc = hex_input(v, "key_enc");
  const Bytes mac = hex_input(v, "key_mac");
  const std::size_t bits = enc.size() * 8;
  expect_equal("kcv_s_enc", key_check_value(crypto::scp03_kdf(enc, 0x04, bits, context).view()),
               hex_expected(v, "kcv_s_enc"));
  expect_equal("kcv_s_mac", key_check_value(crypto::scp03_kdf(mac, 0x06, bits, context).view()),
               hex_expected(v, "kcv_s_mac"));
  expect_equal("kcv_s_rmac", key_check_value(crypto::scp03_kdf(mac, 0x07, bits, context).view()),
               hex_expected(v, "kcv_s_rmac"));
  expect_equal("kcv_dek_static", key_check_value(hex_input(v, "key_dek")), hex_expected(v, "kcv_dek_static"));
  return "session key derivation (KCVs)";
}

std::string check_kcv(const json& v) {
  const auto& keys = v.at("inputs").at("keys");
  const auto& kcvs = v.at("expected").at("kcvs");
  if (keys.size() != kcvs.size() || keys.empty()) throw Error(Errc::parse_error, "keys and kcvs differ in number");
  for (std::size_t i = 0; i < keys.size(); ++i) {
    expect_equal("kcv[" + std::to_string(i) + "]", key_check_value(from_hex(keys[i].get<std::string>())),
                 from_hex(kcvs[i].get<std::string>()));
  }
  return std::to_string(keys.size()) + " key check values";
}

std::string check_primitive_cdec_cmac(const json& v) {
  crypto::Aes enc(hex_input(v, "s_enc"));
  crypto::Cmac mac(hex_input(v, "s_mac"));
  const Bytes icv = scp03_icv(enc, v.at("inputs").at("counter").get<std::uint64_t>(), false);
  const Bytes ciphertext = enc.cbc_encrypt(icv, crypto::pad80(hex_input(v, "plain_data")));
  const auto full = mac.compute({hex_input(v, "mac_chaining_value"), ciphertext});
  expect_equal("c_mac", ByteView(full.data(), 8), hex_expected(v, "c_mac"));
  return "C-DECRYPTION then C-MAC over the ciphertext";
}

std::string check_primitive_rmac_renc(const json& v) {
  crypto::Aes enc(hex_input(v, "s_enc"));
  crypto::Cmac rmac(hex_input(v, "s_rmac"));
  const Bytes wrapped = hex_input(v, "wrapped_data");
  const Bytes sw = hex_input(v, "sw");
  if (wrapped.size() < 8) throw Error(Errc::parse_error, "wrapped_data shorter than an R-MAC");
  const ByteView body(wrapped.data(), wrapped.size() - 8);
  const auto full = rmac.compute({hex_input(v, "mac_chaining_value"), body, sw});
  const bool rmac_ok = constant_time_equal(ByteView(full.data(), 8), ByteView(wrapped.data() + body.size(), 8));
  if (rmac_ok != v.at("expected").at("rmac_ok").get<bool>())
    throw Error(Errc::integrity_error, "R-MAC verdict differs");
  const Bytes icv = scp03_icv(enc, v.at("inputs").at("counter").get<std::uint64_t>(), true);
  const Bytes plain = crypto::unpad80(enc.cbc_decrypt(icv, body));
  const auto tag = from_hex(v.at("expected").at("plain_tlv_tag").get<std::string>());
  const auto length = v.at("expected").at("plain_tlv_len").get<std::size_t>();
  if (plain.size() != 2 + length || tag.size() != 1 || plain[0] != tag[0] || plain[1] != length) {
    throw Error(Errc::integrity_error, "decrypted response is not the expected TLV: " + to_hex(plain));
  }
  return "R-MAC verify and R-ENC decrypt";
}

const std::map<std::string, Check>& checks() {
  static const std::map<std::string, Check> table{
      {"cmac", check_cmac},
      {"kdf_generic", check_kdf_generic},
      {"kdf_scp03", check_kdf_scp03},
      {"diversification_kdf3", check_kdf3},
      {"session_keys_kcv", check_session_keys_kcv},
      {"kcv", check_kcv},
      {"primitive_cdec_cmac", check_primitive_cdec_cmac},
      {"primitive_rmac_renc", check_primitive_rmac_renc},
      {"scp03_session", check_session_vector},
  };
  return table;
}

VectorResult run_one(const std::string& file, const std::string& category, const json& vector, const Check& check) {
  VectorResult result;
  result.file = file;
  result.category = category;
  result.id = vector.value("id", std::string("(no id)"));
  try {
    result.detail = check(vector);
    result.passed = true;
  } catch (const std::exception& e) {
    result.detail = e.what();
  }
  return result;
}

}  // namespace

std::vector<VectorResult> check_scp03_vectors(const json& scp03) {
  std::vector<VectorResult> results;
  if (!scp03.contains("vectors") || !scp03.at("vectors").is_array() || scp03.at("vectors").empty()) {
    results.push_back({"scp03.json", "file", "(file)", false, "no \"vectors\" array"});
    return results;
  }
  for (const auto& vector : scp03.at("vectors")) {
    const std::string category = vector.value("category", std::string("(none)"));
    const auto it = checks().find(category);
    if (it == checks().end()) {
      results.push_back({"scp03.json", category, vector.value("id", std::string("(no id)")), false,
                         "unknown category: this build cannot check it"});
      continue;
    }
    results.push_back(run_one("scp03.json", category, vector, it->second));
  }
  return results;
}

std::vector<VectorResult> check_scp03_checkpoints(const json& checkpoints, const json& scp03) {
  std::vector<VectorResult> results;
  if (!checkpoints.contains("sessions") || !checkpoints.at("sessions").is_array() ||
      checkpoints.at("sessions").empty()) {
    results.push_back({"scp03_checkpoints.json", "file", "(file)", false, "no \"sessions\" array"});
    return results;
  }
  for (const auto& session : checkpoints.at("sessions")) {
    results.push_back(run_one("scp03_checkpoints.json", "checkpoints", session,
                              [&](const json& s) { return check_checkpoint_session(s, scp03); }));
  }
  return results;
}

}  // namespace sefleet::gp::selftest

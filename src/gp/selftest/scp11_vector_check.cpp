#include "gp/selftest/scp11_vector_check.hpp"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/aes.hpp"
#include "crypto/p256.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_keys.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "gp/secure_messaging.hpp"
#include "gp/selftest/vector_fields.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::selftest {
namespace {

using crypto::P256PrivateKey;
using nlohmann::json;

constexpr std::uint8_t kFullSecurity = 0x33;  // C-MAC, C-DEC, R-MAC, R-ENC: what key usage 3C sets up

ByteView view(const crypto::Mac16& mac) {
  return {mac.data(), mac.size()};
}

void expect_keys(const json& v, const scp11::Scp11SessionKeys& keys, const char* dek_field) {
  expect_equal("k_receipt", keys.receipt_key.view(), hex_at(v, "k_receipt"));
  expect_equal("s_enc", keys.session.s_enc.view(), hex_at(v, "s_enc"));
  expect_equal("s_mac", keys.session.s_mac.view(), hex_at(v, "s_mac"));
  expect_equal("s_rmac", keys.session.s_rmac.view(), hex_at(v, "s_rmac"));
  expect_equal(dek_field, keys.s_dek.view(), hex_at(v, dek_field));
}

// The authenticate command's data field as the vector's C-APDU carries it.
scp11::AuthenticateRequest request_of(const iso7816::CommandApdu& command) {
  return scp11::parse_authenticate_data(command.data);
}

// An external session from the OCE (whose private keys the vectors publish): the authenticate
// command's parameters, both shared secrets, the KDF split, the receipt, then the first protected
// command and the decryption of its response.
std::string check_external_session(const json& file, const std::string& name) {
  const json& ext = file.at("external_verified");
  const json& keys = ext.at("keys");
  const json& v = ext.at("cases").at(name);
  const bool mutual = v.contains("mutual_authenticate_capdu");
  const auto command =
      iso7816::CommandApdu::parse(hex_at(v, mutual ? "mutual_authenticate_capdu" : "internal_authenticate_capdu"));
  const auto request = request_of(command);
  const scp11::Variant variant = request.params.variant;
  if (scp11::authenticates_oce(variant) != mutual ||
      command.ins != (mutual ? scp11::kInsMutualAuthenticate : scp11::kInsInternalAuthenticate)) {
    throw Error(Errc::parse_error, "the authenticate command does not match " + scp11::variant_name(variant));
  }
  expect_equal("scp_id_param_tlv90", Bytes{scp11::kScpIdentifier, scp11::scp_parameter(variant)},
               hex_at(v, "scp_id_param_tlv90"));
  expect_equal("shared_info", scp11::shared_info(request.params), hex_at(v, "shared_info"));
  const auto esk_oce = P256PrivateKey::from_scalar(hex_at(keys, "esk_oce_ecka_scalar"));
  expect_equal("epk_oce_ecka", request.ephemeral_oce_key, esk_oce.public_uncompressed());
  std::optional<P256PrivateKey> sk_oce;
  if (mutual) {
    sk_oce.emplace(P256PrivateKey::from_scalar(hex_at(keys, "sk_oce_ecka_scalar")));
    expect_equal("pk_oce_ecka", sk_oce->public_uncompressed(), hex_at(keys, "pk_oce_ecka"));
  }

  const auto response =
      iso7816::ResponseApdu::parse(hex_at(v, mutual ? "mutual_authenticate_rapdu" : "internal_authenticate_rapdu"));
  const auto answer = scp11::parse_authenticate_response(response.data);
  expect_equal("epk_sd_ecka", answer.ephemeral_sd_key, hex_at(v, "epk_sd_ecka"));
  const SecretBytes z = scp11::host_shared_secret(variant, esk_oce, sk_oce ? &*sk_oce : nullptr,
                                                  answer.ephemeral_sd_key, hex_at(keys, "pk_sd_ecka"));
  expect_equal("ShSee", z.view().first(32), hex_at(v, "ShSee_or_ShSes_x"));
  expect_equal("ShSss", z.view().subspan(32), hex_at(v, "ShSss_x"));
  const auto session = scp11::derive_session_keys(z.view(), request.params);
  expect_keys(v, session, "s_dek");
  const auto receipt = scp11::compute_receipt(session.receipt_key.view(), command.data, answer.ephemeral_sd_key);
  expect_equal("receipt", view(receipt), hex_at(v, "receipt"));
  expect_equal("receipt (response)", view(receipt), answer.receipt);

  // The first command: its header from the wire form (SM bit cleared), its data from the padded plain text.
  const auto expected_wire = iso7816::CommandApdu::parse(hex_at(v, "first_wrapped_capdu"));
  const iso7816::CommandApdu plain_command(static_cast<std::uint8_t>(expected_wire.cla & ~0x04), expected_wire.ins,
                                           expected_wire.p1, expected_wire.p2,
                                           crypto::unpad80(hex_at(v, "first_cmd_plain_data_padded")));
  SecureMessaging messaging(session.session, Scp03Mode::s8, kFullSecurity);
  messaging.begin(receipt);
  expect_equal("first_wrapped_capdu", messaging.wrap_command(plain_command).encode(), expected_wire.encode());
  const auto plain = messaging.unwrap_response(iso7816::ResponseApdu::parse(hex_at(v, "first_rapdu")));
  expect_equal("first_resp_plain", plain.data, hex_at(v, "first_resp_plain"));
  return scp11::variant_name(variant) +
         " (OCE role): ECDH x2, X9.63 KDF, receipt, C-MAC/C-ENC, R-MAC/R-ENC of the first command";
}

struct Scp11bVector {
  iso7816::CommandApdu command;
  scp11::AuthenticateRequest request;
  P256PrivateKey sk_sd;
  P256PrivateKey esk_sd;
  P256PrivateKey esk_oce;
};

Scp11bVector load_scp11b(const json& v) {
  auto command = iso7816::CommandApdu::parse(hex_at(v, "internal_authenticate_capdu"));
  auto request = request_of(command);
  if (request.params.variant != scp11::Variant::b || command.ins != scp11::kInsInternalAuthenticate) {
    throw Error(Errc::parse_error, "not an SCP11b INTERNAL AUTHENTICATE");
  }
  expect_equal("shared_info", scp11::shared_info(request.params), hex_at(v, "shared_info"));
  Scp11bVector out{std::move(command), std::move(request), P256PrivateKey::from_scalar(hex_at(v, "sk_sd_ecka_scalar")),
                   P256PrivateKey::from_scalar(hex_at(v, "esk_sd_ecka_scalar")),
                   P256PrivateKey::from_scalar(hex_at(v, "esk_oce_ecka_scalar"))};
  expect_equal("pk_sd_ecka", out.sk_sd.public_uncompressed(), hex_at(v, "pk_sd_ecka"));
  expect_equal("epk_sd_ecka", out.esk_sd.public_uncompressed(), hex_at(v, "epk_sd_ecka"));
  expect_equal("epk_oce_ecka", out.esk_oce.public_uncompressed(), hex_at(v, "epk_oce_ecka"));
  return out;
}

// The first command after establishment: its wire form, and the response's plain data.
const iso7816::CommandApdu& first_plain_command() {
  static const iso7816::CommandApdu command(0x80, 0xF2, 0x20, 0x00, Bytes{0x4F, 0x00});
  return command;
}

// SCP11b from the card: the response to INTERNAL AUTHENTICATE, then unwrap the first command and wrap
// its response.
std::string check_scp11b_card(const json& file) {
  const json& v = file.at("synthetic_scp11b");
  const auto vec = load_scp11b(v);
  const SecretBytes z =
      scp11::card_shared_secret(scp11::Variant::b, vec.esk_sd, vec.sk_sd, vec.request.ephemeral_oce_key, std::nullopt);
  expect_equal("ShSee", z.view().first(32), hex_at(v, "ShSee_x"));
  expect_equal("ShSes", z.view().subspan(32), hex_at(v, "ShSes_x"));
  const auto session = scp11::derive_session_keys(z.view(), vec.request.params);
  expect_equal("kdf_output",
               concat({session.receipt_key.view(), session.session.s_enc.view(), session.session.s_mac.view(),
                       session.session.s_rmac.view(), session.s_dek.view()}),
               hex_at(v, "kdf_output"));
  expect_keys(v, session, "dek");
  const auto receipt =
      scp11::compute_receipt(session.receipt_key.view(), vec.command.data, vec.esk_sd.public_uncompressed());
  const iso7816::ResponseApdu answer(
      scp11::encode_authenticate_response({vec.esk_sd.public_uncompressed(), Bytes(receipt.begin(), receipt.end())}),
      0x9000);
  expect_equal("internal_authenticate_rapdu", answer.encode(), hex_at(v, "internal_authenticate_rapdu"));

  SecureMessaging messaging(session.session, Scp03Mode::s8, kFullSecurity);
  messaging.begin(receipt);
  std::string reason;
  const auto plain = messaging.unwrap_command(iso7816::CommandApdu::parse(hex_at(v, "first_wrapped_capdu")), &reason);
  if (!plain) throw Error(Errc::integrity_error, "first_wrapped_capdu refused: " + reason);
  expect_equal("first command", plain->encode(), first_plain_command().encode());
  const auto wire = messaging.wrap_response(iso7816::ResponseApdu(hex_at(v, "first_resp_plain_data"), 0x9000));
  expect_equal("first_wrapped_rapdu", wire.encode(), hex_at(v, "first_wrapped_rapdu"));
  return "SCP11b (card role): ECDH x2, X9.63 KDF, receipt, C-MAC/C-DEC check, R-MAC/R-ENC";
}

// SCP11b from the host: the command it would send, the receipt check, the first protected command.
std::string check_scp11b_host(const json& file) {
  const json& v = file.at("synthetic_scp11b");
  const auto vec = load_scp11b(v);
  const Bytes data = scp11::encode_authenticate_data({vec.request.params, vec.esk_oce.public_uncompressed()});
  const iso7816::CommandApdu command(0x80, scp11::kInsInternalAuthenticate, vec.command.p1, scp11::kKidScp11b, data,
                                     256);
  expect_equal("internal_authenticate_capdu", command.encode(), hex_at(v, "internal_authenticate_capdu"));
  const auto answer =
      scp11::parse_authenticate_response(iso7816::ResponseApdu::parse(hex_at(v, "internal_authenticate_rapdu")).data);
  const SecretBytes z = scp11::host_shared_secret(scp11::Variant::b, vec.esk_oce, nullptr, answer.ephemeral_sd_key,
                                                  hex_at(v, "pk_sd_ecka"));
  const auto session = scp11::derive_session_keys(z.view(), vec.request.params);
  expect_keys(v, session, "dek");
  const auto receipt = scp11::compute_receipt(session.receipt_key.view(), data, answer.ephemeral_sd_key);
  expect_equal("receipt", view(receipt), answer.receipt);
  expect_equal("receipt (vector)", view(receipt), hex_at(v, "receipt"));

  SecureMessaging messaging(session.session, Scp03Mode::s8, kFullSecurity);
  messaging.begin(receipt);
  expect_equal("first_wrapped_capdu", messaging.wrap_command(first_plain_command()).encode(),
               hex_at(v, "first_wrapped_capdu"));
  const auto plain = messaging.unwrap_response(iso7816::ResponseApdu::parse(hex_at(v, "first_wrapped_rapdu")));
  expect_equal("first_resp_plain_data", plain.data, hex_at(v, "first_resp_plain_data"));
  return "SCP11b (host role): command encoding, ECDH x2, X9.63 KDF, receipt, C-MAC/C-ENC, R-MAC/R-ENC";
}

// The GlobalPlatform-format example certificate: every field the vector lists, the key it certifies
// (the OCE key of the external session) and a well-formed signature. Its CA key is not published, so
// the signature itself cannot be checked here (the unit tests sign and verify their own).
std::string check_gp_certificate(const json& file) {
  const json& example = file.at("protocol_summary").at("gp_certificate_example_CERT.OCE.ECKA");
  const Bytes encoded = hex_at(example, "hex");
  const auto certificate = scp11::Scp11Certificate::parse(encoded);
  if (certificate.format() != scp11::CertificateFormat::gp || !certificate.gp_fields()) {
    throw Error(Errc::parse_error, "not read as a GlobalPlatform-format certificate");
  }
  // One level at a time, as the certificate parser reads it (B0 inside 7F49 is not BER-constructed).
  const auto fields = iso7816::parse_tlv_flat(iso7816::parse_tlv_flat(encoded).at(0).value);
  for (const json& field : example.at("fields")) {
    const Bytes tag_bytes = hex_at(field, "tag");
    const auto tag = static_cast<iso7816::Tag>(read_be(tag_bytes));
    const auto object = std::find_if(fields.begin(), fields.end(), [&](const auto& f) { return f.tag == tag; });
    if (object == fields.end()) throw Error(Errc::parse_error, "field " + to_hex(tag_bytes) + " not found");
    expect_equal("field " + to_hex(tag_bytes), object->value, hex_at(field, "value"));
  }
  expect_equal("certified key", certificate.public_key(),
               hex_at(file.at("external_verified").at("keys"), "pk_oce_ecka"));
  return "GP-format certificate: fields, P-256 key, DER signature read";
}

// The card's X.509 certificate of the external session: it parses and certifies PK.SD.ECKA.
std::string check_x509_certificate(const json& file) {
  const json& keys = file.at("external_verified").at("keys");
  const auto certificate = scp11::Scp11Certificate::parse(hex_at(keys, "sd_cert_x509_der"));
  if (certificate.format() != scp11::CertificateFormat::x509) throw Error(Errc::parse_error, "not read as X.509");
  expect_equal("certified key", certificate.public_key(), hex_at(keys, "pk_sd_ecka"));
  return "X.509 certificate of PK.SD.ECKA: " + certificate.description();
}

VectorResult run(const std::string& category, const std::string& id, const std::function<std::string()>& check) {
  VectorResult result{"scp11.json", category, id, false, ""};
  try {
    result.detail = check();
    result.passed = true;
  } catch (const std::exception& e) {
    result.detail = e.what();
  }
  return result;
}

}  // namespace

std::vector<VectorResult> check_scp11_vectors(const json& scp11) {
  std::vector<VectorResult> results;
  if (!scp11.is_object()) {
    results.push_back({"scp11.json", "file", "(file)", false, "not a JSON object"});
    return results;
  }
  if (scp11.contains("external_verified")) {
    const json& section = scp11.at("external_verified");
    if (!section.is_object() || !section.contains("cases") || !section.at("cases").is_object() ||
        section.at("cases").empty()) {
      results.push_back({"scp11.json", "external_verified", "(section)", false, "no cases"});
    } else {
      for (const auto& item : section.at("cases").items()) {
        const std::string name = item.key();
        results.push_back(run("external_verified", name, [&] { return check_external_session(scp11, name); }));
      }
      results.push_back(run("certificates", "x509_sd", [&] { return check_x509_certificate(scp11); }));
    }
  }
  if (scp11.contains("protocol_summary") &&
      scp11.at("protocol_summary").contains("gp_certificate_example_CERT.OCE.ECKA")) {
    results.push_back(run("certificates", "gp_format_oce", [&] { return check_gp_certificate(scp11); }));
  }
  if (scp11.contains("synthetic_scp11b")) {
    results.push_back(run("synthetic_scp11b", "card", [&] { return check_scp11b_card(scp11); }));
    results.push_back(run("synthetic_scp11b", "host", [&] { return check_scp11b_host(scp11); }));
  }
  if (results.empty()) {
    results.push_back({"scp11.json", "file", "(file)", false,
                       "none of external_verified, synthetic_scp11b, "
                       "protocol_summary.gp_certificate_example_CERT.OCE.ECKA"});
  }
  return results;
}

}  // namespace sefleet::gp::selftest

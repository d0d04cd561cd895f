#include "scp11_options.hpp"

#include <memory>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/ec_pem.hpp"
#include "crypto/p256.hpp"
#include "file_input.hpp"
#include "gp/scp11/scp11_certificate.hpp"
#include "gp/scp11/scp11_params.hpp"
#include "offcard/keystore/key_ref.hpp"
#include "offcard/keystore/keystore_spec.hpp"

namespace sefleet::cli {
namespace {

constexpr std::string_view kKeystorePrefix = "keystore:";

gp::scp11::Variant variant_of(const std::string& scp) {
  if (scp == "11a") return gp::scp11::Variant::a;
  if (scp == "11b") return gp::scp11::Variant::b;
  if (scp == "11c") return gp::scp11::Variant::c;
  throw CLI::ValidationError("--scp", "use 03, 11a, 11b or 11c, got '" + scp + "'");
}

std::string_view text_of(ByteView bytes) {
  return std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Hex digits with whitespace, as a file of hex holds them; nullopt for anything else (binary DER).
std::optional<Bytes> hex_content(ByteView content) {
  std::string digits;
  for (const std::uint8_t c : content) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    digits.push_back(static_cast<char>(c));
  }
  if (digits.empty()) return std::nullopt;
  try {
    return from_hex(digits);
  } catch (const Error&) {
    return std::nullopt;
  }
}

// The certificates of a file: PEM (every CERTIFICATE block), DER X.509, GlobalPlatform 7F21 (binary
// or hex), one or several one after the other.
std::vector<gp::scp11::Scp11Certificate> read_certificates(const std::string& path, const std::string& option) {
  const Bytes content = read_whole_file(path, option);
  try {
    Bytes encoded;
    if (crypto::looks_like_pem(text_of(content))) {
      for (const Bytes& der : crypto::pem_blocks_der(text_of(content), "CERTIFICATE")) {
        encoded.insert(encoded.end(), der.begin(), der.end());
      }
    } else if (const auto hex = hex_content(content)) {
      encoded = *hex;
    } else {
      encoded = content;
    }
    auto chain = gp::scp11::parse_certificate_chain(encoded);
    if (chain.empty()) throw Error(Errc::parse_error, "no certificate");
    return chain;
  } catch (const Error& e) {
    throw Error(Errc::parse_error, option + " " + path + ": " + e.what());
  }
}

Bytes checked_point(const Bytes& point, const std::string& what) {
  try {
    return crypto::P256PublicKey::from_uncompressed(point).uncompressed();
  } catch (const Error&) {
    throw Error(Errc::parse_error, what + ": not an uncompressed P-256 point (04 || x || y, 65 bytes)");
  }
}

// A P-256 public key: hex of the point on the command line, or a file holding a PEM public key, a hex
// point, or certificates (the key of the last one: the CA closest to the card).
Bytes read_public_key(const std::string& text, const std::string& option) {
  if (text.size() == 2 * crypto::kP256PointSize &&
      text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    return checked_point(from_hex(text), option);
  }
  const Bytes content = read_whole_file(text, option);
  const std::string_view view = text_of(content);
  if (crypto::looks_like_pem(view) && view.find("-----BEGIN PUBLIC KEY-----") != std::string_view::npos) {
    try {
      return crypto::p256_public_point_from_pem(view);
    } catch (const Error& e) {
      throw Error(e.code(), option + " " + text + ": " + e.what());
    }
  }
  if (const auto hex = hex_content(content); hex && hex->size() == crypto::kP256PointSize && (*hex)[0] == 0x04) {
    return checked_point(*hex, option + " " + text);
  }
  return read_certificates(text, option).back().public_key();
}

// A P-256 private key from a file of mode 0600: PEM, or the scalar as 64 hex digits.
crypto::P256PrivateKey private_key_from_file(const std::string& path, const std::string& option) {
  try {
    const SecretBytes raw = offcard::read_secret_file(path, "private key");
    SecretBytes scalar;
    const std::string_view text(reinterpret_cast<const char*>(raw.data()), raw.size());
    if (crypto::looks_like_pem(text)) {
      scalar = crypto::p256_private_scalar_from_pem(text);
    } else if (auto hex = hex_content(raw.view()); hex && hex->size() == crypto::kP256ScalarSize) {
      scalar = SecretBytes::take(*hex);
    } else {
      throw Error(Errc::parse_error, "expected a PEM private key or the 32-byte scalar as 64 hex digits");
    }
    return crypto::P256PrivateKey::from_scalar(scalar.view());
  } catch (const Error& e) {
    throw Error(Errc::parse_error, option + " " + path + ": " + e.what());
  }
}

void refuse_scp03_keys(const KeyOptions& keys, const std::string& scp) {
  if (!keys.key.empty() || !keys.enc.empty() || !keys.mac.empty() || !keys.dek.empty() || !keys.kdf3.empty() ||
      !keys.key_file.empty() || !keys.key_kdf.empty()) {
    throw CLI::ValidationError("--scp",
                               "SCP03 key options (--key, --enc/--mac/--dek, --kdf3, --key-file) do not "
                               "apply with --scp " +
                                   scp);
  }
}

// SK.OCE.ECKA: the private key from a file (held in this process), or an ECDH callable on a keystore
// key (the key stays in the store). Returns the credentials without certificates, and the public point.
std::pair<gp::scp11::OceCredentials, Bytes> oce_key(const Scp11Options& options) {
  gp::scp11::OceCredentials oce;
  if (options.oce_key.rfind(kKeystorePrefix, 0) == 0) {
    if (options.keystore.empty()) {
      throw CLI::ValidationError("--oce-key", "keystore:LABEL needs --keystore SPEC (software:PATH or pkcs11:...)");
    }
    const offcard::KeyRef ref = [&] {
      try {
        return offcard::parse_key_ref(options.oce_key.substr(kKeystorePrefix.size()));
      } catch (const Error& e) {
        throw CLI::ValidationError("--oce-key", e.what());
      }
    }();
    std::optional<std::filesystem::path> passphrase;
    if (options.passphrase_file) passphrase = *options.passphrase_file;
    std::shared_ptr<offcard::Keystore> store =
        offcard::open_keystore_spec(offcard::parse_keystore_spec(options.keystore), passphrase);
    const Bytes point = store->ec_public_key(ref);  // refuses an AES key or a missing one
    oce.static_agreement = [store, ref](ByteView sd_point) { return store->ecdh(ref, sd_point); };
    return {std::move(oce), point};
  }
  auto key = std::make_shared<const crypto::P256PrivateKey>(private_key_from_file(options.oce_key, "--oce-key"));
  const Bytes point = key->public_uncompressed();
  oce.key = std::move(key);
  return {std::move(oce), point};
}

}  // namespace

void add_scp11_options(CLI::App& command, Scp11Options& options) {
  auto* scp =
      command.add_option("--scp", options.scp, "Secure channel: 03 (the key options, default), 11a, 11b or 11c")
          ->check(CLI::IsMember({"03", "11a", "11b", "11c"}));
  const auto scp11_only = [&](CLI::Option* option) { option->needs(scp)->group("SCP11"); };
  scp11_only(command.add_option("--card-ca", options.card_ca,
                                "SCP11: CA certificate (PEM, DER or 7F21) or public key (PEM, or hex point) that "
                                "the card's certificate chain (GET DATA BF21) must verify under"));
  scp11_only(command.add_option("--card-key", options.card_key,
                                "SCP11: the card's PK.SD.ECKA itself (hex point, or a file as for --card-ca)"));
  scp11_only(command.add_option("--scp11-kvn", options.kvn, "SCP11: KVN of the card's SCP11 key (hex)")
                 ->capture_default_str());
  scp11_only(command.add_option("--key-length", options.key_length, "SCP11: session key length in bytes")
                 ->check(CLI::IsMember({16, 24, 32}))
                 ->capture_default_str());
  scp11_only(command.add_option("--oce-key", options.oce_key,
                                "SCP11a/c: the OCE private key: FILE (mode 0600; PEM or the scalar as hex) or "
                                "keystore:LABEL[@vN] with --keystore (ECDH runs in the keystore)"));
  scp11_only(command.add_option("--keystore", options.keystore,
                                "SCP11a/c: keystore of --oce-key keystore:LABEL: software:PATH or "
                                "pkcs11:MODULE?token=LABEL&pin-file=FILE"));
  scp11_only(command.add_option("--passphrase-file", options.passphrase_file,
                                "SCP11a/c: software keystore passphrase file (mode 0600); default "
                                "$SEFLEET_PASSPHRASE"));
  scp11_only(command.add_option("--oce-cert", options.oce_certs,
                                "SCP11a/c: the OCE certificate chain, root first, leaf (certifying --oce-key) last: "
                                "files of PEM, DER X.509 or 7F21 (hex or binary)"));
  scp11_only(command
                 .add_option("--oce-kvn", options.oce_kvn,
                             "SCP11a/c: KVN of the card's OCE CA key (P1 of PERFORM SECURITY OPERATION, hex)")
                 ->capture_default_str());
}

gp::host::Scp11ChannelOptions make_scp11_channel_options(const Scp11Options& options, const KeyOptions& scp03_keys) {
  const gp::scp11::Variant variant = variant_of(options.scp);
  refuse_scp03_keys(scp03_keys, options.scp);
  gp::host::Scp11ChannelOptions out;
  out.host.variant = variant;
  out.host.kvn = parse_hex_byte(options.kvn, "--scp11-kvn");
  out.host.key_length = static_cast<std::uint8_t>(options.key_length);
  if (options.card_ca.empty() == options.card_key.empty()) {
    throw CLI::ValidationError("--card-ca", "--scp " + options.scp +
                                                " authenticates the card: give --card-ca FILE (its CA) or --card-key "
                                                "(its PK.SD.ECKA), one of the two");
  }
  const bool oce_options = !options.oce_key.empty() || !options.oce_certs.empty();
  if (!gp::scp11::authenticates_oce(variant)) {
    if (oce_options) {
      throw CLI::ValidationError("--oce-key",
                                 "SCP11b does not authenticate the OCE: --oce-key/--oce-cert apply to "
                                 "11a and 11c");
    }
  } else {
    if (options.oce_key.empty()) {
      throw CLI::ValidationError("--oce-key", "--scp " + options.scp + " needs the OCE private key (--oce-key)");
    }
    if (options.oce_certs.empty()) {
      throw CLI::ValidationError("--oce-cert",
                                 "--scp " + options.scp + " needs the OCE certificate chain (--oce-cert, root first)");
    }
  }
  const std::uint8_t oce_kvn = parse_hex_byte(options.oce_kvn, "--oce-kvn");
  // Files next: a bad one is bad input (exit 1), still before the card is touched.
  if (!options.card_ca.empty()) out.card_ca_key = read_public_key(options.card_ca, "--card-ca");
  if (!options.card_key.empty()) out.card_key = read_public_key(options.card_key, "--card-key");
  if (gp::scp11::authenticates_oce(variant)) {
    OceChain chain = read_oce_chain(options.oce_certs);
    auto [oce, point] = oce_key(options);
    check_oce_chain_certifies(chain, point);
    oce.certificates = std::move(chain.certificates);
    oce.ca_kvn = oce_kvn;
    out.oce = std::move(oce);
  }
  return out;
}

nlohmann::json scp11_channel_json(const gp::host::Scp11ChannelOptions& options, const Bytes& card_key) {
  return {{"scp", "11" + gp::scp11::variant_name(options.host.variant).substr(5)},
          {"kvn", to_hex(Bytes{options.host.kvn})},
          {"key_length", options.host.key_length},
          {"card_key", to_hex(card_key)}};
}

crypto::P256PrivateKey read_p256_private_key(const std::string& path, const std::string& option) {
  return private_key_from_file(path, option);
}

Bytes read_p256_public_key(const std::string& text, const std::string& option) {
  return read_public_key(text, option);
}

std::vector<Bytes> read_certificate_file(const std::string& path, const std::string& option) {
  std::vector<Bytes> out;
  for (const auto& certificate : read_certificates(path, option)) out.push_back(certificate.encoded());
  return out;
}

OceChain read_oce_chain(const std::vector<std::string>& paths) {
  OceChain chain;
  for (const auto& path : paths) {
    for (const auto& certificate : read_certificates(path, "--oce-cert")) {
      chain.certificates.push_back(certificate.encoded());
      chain.leaf_key = certificate.public_key();
    }
  }
  if (chain.certificates.empty()) throw Error(Errc::invalid_argument, "--oce-cert: no certificate in the files given");
  return chain;
}

void check_oce_chain_certifies(const OceChain& chain, const Bytes& oce_key) {
  if (chain.leaf_key != oce_key) {
    throw Error(Errc::invalid_argument, "the last --oce-cert certifies the key " + to_hex(chain.leaf_key) +
                                            ", not the OCE key " + to_hex(oce_key));
  }
}

}  // namespace sefleet::cli

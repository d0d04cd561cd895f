// sefleet hsm: the operator's key management on a keystore (software file or PKCS#11 token): init,
// generate, import, list, rotate, delete, public (an EC key's public point), and derive-scp03 (an SE's
// SCP03 keys from the master key, for its personalization). Keys are AES keys or P-256 key pairs
// (--ec: SCP11 OCE keys, certificate issuers). Secrets never come from the command line: passphrases
// and PINs from files or environment variables, imported key values from a file (keystore_spec.hpp).
// Nothing here ever prints a secret: `list` shows label, algorithm, size, usage, versions and KCVs.
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/ec_pem.hpp"
#include "gp/static_keys.hpp"
#include "offcard/keystore/key_ref.hpp"
#include "offcard/keystore/keystore_spec.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/private_file.hpp"
#include "offcard/keystore/software_keystore.hpp"
#include "scp03_key_file.hpp"
#include "utc_time.hpp"

namespace sefleet::cli {
namespace {

constexpr const char* kSpecHelp =
    "Keystore: software:PATH (passphrase from --passphrase-file or $SEFLEET_PASSPHRASE) or\n"
    "pkcs11:MODULE?token=LABEL&pin-file=FILE (or &pin-env=VAR, default $SEFLEET_PKCS11_PIN), e.g.\n"
    "pkcs11:/usr/lib/softhsm/libsofthsm2.so?token=sefleet&pin-file=/etc/sefleet/pin\n"
    "Secrets are never taken from the command line (ps would show them); secret files must be mode 0600.";

struct HsmOptions {
  std::string keystore;
  std::optional<std::string> passphrase_file;
  std::string label;
  std::size_t size = 16;
  std::string usage = "mac";
  std::optional<std::string> value_file;
  std::optional<std::string> ec_private_file;
  bool ec = false;
  std::string algorithm;
  bool pem = false;
  std::uint32_t version = 0;
  std::string kdd;
  std::string kvn = "30";
  std::string out;
  bool json = false;
};

std::optional<std::filesystem::path> passphrase_path(const HsmOptions& options) {
  if (!options.passphrase_file) return std::nullopt;
  return std::filesystem::path(*options.passphrase_file);
}

std::unique_ptr<offcard::Keystore> open_store(const HsmOptions& options) {
  return offcard::open_keystore_spec(offcard::parse_keystore_spec(options.keystore), passphrase_path(options));
}

// A key value from a file: hex digits, whitespace ignored; the file must be private like any secret.
SecretBytes read_key_value_file(const std::string& path) {
  const SecretBytes raw = offcard::read_secret_file(path, "key value");
  std::string hex;
  for (const std::uint8_t c : raw.view()) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    hex.push_back(static_cast<char>(c));
  }
  try {
    Bytes value = from_hex(hex);
    std::fill(hex.begin(), hex.end(), '\0');
    return SecretBytes::take(value);
  } catch (const Error&) {
    std::fill(hex.begin(), hex.end(), '\0');
    throw Error(Errc::parse_error, "key value file " + path + " must hold the key as hex digits only");
  }
}

// A P-256 private key from a file: PEM (PKCS#8 or SEC1) or the 32-byte scalar as hex; the file must be
// private like any secret.
SecretBytes read_ec_private_file(const std::string& path) {
  const SecretBytes raw = offcard::read_secret_file(path, "EC private key");
  const std::string_view text(reinterpret_cast<const char*>(raw.data()), raw.size());
  if (crypto::looks_like_pem(text)) {
    try {
      return crypto::p256_private_scalar_from_pem(text);
    } catch (const Error& e) {
      throw Error(e.code(), path + ": " + e.what());
    }
  }
  SecretBytes scalar = read_key_value_file(path);
  if (scalar.size() != offcard::kEcP256ScalarSize) {
    throw Error(Errc::parse_error, path +
                                       " must hold a P-256 private key: a PEM, or the 32-byte scalar as 64 hex "
                                       "digits (got " +
                                       std::to_string(scalar.size()) + " bytes)");
  }
  return scalar;
}

// --ec or --algorithm ec-p256 (aes is the default).
bool wants_ec(const HsmOptions& options) {
  if (options.algorithm.empty() || options.algorithm == "aes") return options.ec;
  if (options.algorithm == "ec-p256") return true;
  throw CLI::ValidationError("--algorithm", "use aes or ec-p256, got '" + options.algorithm + "'");
}

std::string algorithm_text(const offcard::KeyInfo& key) {
  return key.is_ec() ? std::string(offcard::kEcP256Algorithm) : "AES-" + std::to_string(key.size * 8);
}

std::uint8_t parse_hex_byte_option(const std::string& text, const std::string& option) {
  Bytes value;
  try {
    value = from_hex(text);
  } catch (const Error&) {
  }
  if (value.size() != 1 || value[0] == 0 || value[0] > 0x7F) {
    throw CLI::ValidationError(option, "a key version number is one byte 01..7F in hex, got '" + text + "'");
  }
  return value[0];
}

nlohmann::json key_json(const offcard::KeyInfo& key) {
  nlohmann::json versions = nlohmann::json::array();
  for (const auto& v : key.versions) {
    versions.push_back({{"version", v.version},
                        {"created", utc_time_text(v.created)},
                        {"origin", std::string(offcard::key_origin_text(v.origin))},
                        {"retired", v.retired},
                        {"kcv", to_hex(ByteView(v.kcv.data(), v.kcv.size()))}});
    if (!v.public_point.empty()) versions.back()["public_key"] = to_hex(v.public_point);
  }
  return {{"label", key.label},
          {"algorithm", key.algorithm},
          {"size", key.size},
          {"usage", offcard::key_usage_text(key.usage)},
          {"extractable", key.extractable},
          {"versions", versions}};
}

void print_key(const offcard::KeyInfo& key, bool json) {
  if (json) {
    std::cout << key_json(key).dump(2) << "\n";
    return;
  }
  const auto& current = key.current();
  std::cout << key.label << ": " << algorithm_text(key) << ", usage " << offcard::key_usage_text(key.usage)
            << ", current version " << current.version << " (" << offcard::key_origin_text(current.origin) << ", KCV "
            << to_hex(ByteView(current.kcv.data(), current.kcv.size())) << "), " << key.versions.size()
            << " version(s)\n";
}

void run_init(const HsmOptions& options) {
  const auto spec = offcard::parse_keystore_spec(options.keystore);
  if (spec.kind == offcard::KeystoreSpec::Kind::software) {
    offcard::SoftwareKeystore::create(spec.path, offcard::keystore_passphrase(passphrase_path(options)));
    std::cout << "created software keystore " << spec.path.string() << " (mode 0600, scrypt + AES-256-GCM)\n";
    return;
  }
  // A token is initialized with its vendor's tool (softhsm2-util --init-token ...); init checks that
  // we can log in and that the token offers what the keystore needs.
  auto store = offcard::open_keystore_spec(spec, std::nullopt);
  auto& token = dynamic_cast<offcard::Pkcs11Keystore&>(*store);
  std::cout << token.token_summary() << "\nmechanisms: " << token.mechanism_summary() << "\n"
            << "sefleet keys on the token: " << token.list().size() << "\n";
  const auto& m = token.mechanisms();
  if (!(m.aes_cmac || m.aes_cmac_general) || !m.aes_key_wrap || !m.aes_ecb || !m.aes_cbc) {
    throw Error(Errc::unsupported, "the token lacks a mechanism the keystore needs (see the list above)");
  }
  if (!m.ec_key_pair_gen || !m.ecdh1_derive || !m.ecdsa) {
    std::cout << "note: without CKM_EC_KEY_PAIR_GEN, CKM_ECDH1_DERIVE and CKM_ECDSA, EC keys (--ec) are not usable\n";
  }
  std::cout << "token ready\n";
}

void run_generate(const HsmOptions& options) {
  if (wants_ec(options)) {
    auto store = open_store(options);
    print_key(store->generate_ec(options.label), options.json);
    return;
  }
  auto store = open_store(options);
  print_key(store->generate(options.label, options.size, offcard::parse_key_usage(options.usage)), options.json);
}

void run_import(const HsmOptions& options) {
  if (options.ec_private_file) {
    const SecretBytes scalar = read_ec_private_file(*options.ec_private_file);
    auto store = open_store(options);
    print_key(store->import_ec(options.label, scalar), options.json);
    return;
  }
  if (!options.value_file) throw CLI::ValidationError("import", "give --value-file (AES) or --ec-private (P-256)");
  const SecretBytes value = read_key_value_file(*options.value_file);
  auto store = open_store(options);
  print_key(store->import_key(options.label, value, offcard::parse_key_usage(options.usage)), options.json);
}

void run_list(const HsmOptions& options) {
  auto store = open_store(options);
  const auto keys = store->list();
  if (options.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& key : keys) out.push_back(key_json(key));
    std::cout << nlohmann::json{{"keystore", store->location()}, {"keys", out}}.dump(2) << "\n";
    return;
  }
  std::cout << store->location() << ": " << keys.size() << " key(s)\n";
  for (const auto& key : keys) {
    std::cout << "  " << key.label << "  " << algorithm_text(key) << "  usage " << offcard::key_usage_text(key.usage)
              << "\n";
    for (const auto& v : key.versions) {
      std::cout << "    v" << v.version << "  " << (v.retired ? "retired" : "current") << "  "
                << offcard::key_origin_text(v.origin) << "  " << utc_time_text(v.created) << "  KCV "
                << to_hex(ByteView(v.kcv.data(), v.kcv.size())) << "\n";
    }
  }
}

void run_rotate(const HsmOptions& options) {
  std::optional<SecretBytes> value;
  if (options.value_file) value = read_key_value_file(*options.value_file);
  if (options.ec_private_file) value = read_ec_private_file(*options.ec_private_file);
  auto store = open_store(options);
  print_key(value ? store->rotate_import(options.label, *value) : store->rotate(options.label), options.json);
}

void run_delete(const HsmOptions& options) {
  auto store = open_store(options);
  if (options.version != 0) {
    print_key(store->delete_version(options.label, options.version), options.json);
    return;
  }
  store->delete_key(options.label);
  std::cout << "deleted key '" << options.label << "' (every version) from " << store->location() << "\n";
}

// The public point of an EC key: hex (04 || x || y), or a SubjectPublicKeyInfo PEM.
void run_public(const HsmOptions& options) {
  const offcard::KeyRef ref = [&] {
    try {
      return offcard::parse_key_ref(options.label);
    } catch (const Error& e) {
      throw CLI::ValidationError("LABEL", e.what());
    }
  }();
  auto store = open_store(options);
  const Bytes point = store->ec_public_key(ref);
  if (options.pem) {
    std::cout << crypto::p256_public_key_pem(point);
  } else if (options.json) {
    std::cout << nlohmann::json{{"label", ref.text()}, {"public_key", to_hex(point)}}.dump(2) << "\n";
  } else {
    std::cout << to_hex(point) << "\n";
  }
}

// The SE's SCP03 keys, kdf3-diversified from the master key inside the keystore (the server's HSM
// derives the same keys to authenticate the SE's reports), written to a new 0600 file for `card init`.
void run_derive_scp03(const HsmOptions& options) {
  const offcard::KeyRef master = [&] {
    try {
      return offcard::parse_key_ref(options.label);
    } catch (const Error& e) {
      throw CLI::ValidationError("--label", e.what());
    }
  }();
  Bytes kdd;
  try {
    kdd = from_hex(options.kdd);
  } catch (const Error& e) {
    throw CLI::ValidationError("--kdd", e.what());
  }
  if (kdd.size() != offcard::kKddSize) {
    throw CLI::ValidationError("--kdd", "key diversification data is " + std::to_string(offcard::kKddSize) +
                                            " bytes (20 hex digits), got " + std::to_string(kdd.size()));
  }
  const std::uint8_t kvn = parse_hex_byte_option(options.kvn, "--kvn");
  if (std::filesystem::exists(options.out)) {
    throw Error(Errc::state_error, options.out + " exists; key files are never overwritten");
  }
  auto store = open_store(options);
  const offcard::KeyInfo info = store->info(master.label);
  const std::uint32_t version = master.version != 0 ? master.version : info.current().version;
  const offcard::KeyRef used = offcard::KeyRef::at(master.label, version);
  const gp::StaticKeySet keys = store->derive_kdf3(used, kdd, kvn);
  std::string text = scp03_key_file_text(keys, kdd, used.text());
  offcard::create_private_file(options.out, ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  secure_zero(text.data(), text.size());
  const std::string kcvs = "ENC " + to_hex(gp::key_check_value(keys.enc.view())) + "  MAC " +
                           to_hex(gp::key_check_value(keys.mac.view())) + "  DEK " +
                           to_hex(gp::key_check_value(keys.dek.view()));
  if (options.json) {
    std::cout << nlohmann::json{{"file", options.out},
                                {"kdd", to_hex(kdd)},
                                {"kvn", to_hex(Bytes{kvn})},
                                {"master", used.text()},
                                {"kcv",
                                 {{"enc", to_hex(gp::key_check_value(keys.enc.view()))},
                                  {"mac", to_hex(gp::key_check_value(keys.mac.view()))},
                                  {"dek", to_hex(gp::key_check_value(keys.dek.view()))}}}}
                     .dump(2)
              << "\n";
    return;
  }
  std::cout << "wrote " << options.out << " (mode 0600): SCP03 key set " << to_hex(Bytes{kvn}) << " (AES-"
            << keys.key_size() * 8 << ") for KDD " << to_hex(kdd) << ", kdf3 from " << used.text() << " in "
            << store->location() << "\nKCV " << kcvs << "\n";
}

CLI::App* add_keystore_command(CLI::App& hsm, const std::string& name, const std::string& description,
                               const std::shared_ptr<HsmOptions>& options) {
  auto* cmd = add_command(hsm, name, description);
  cmd->add_option("--keystore", options->keystore, "software:PATH or pkcs11:MODULE?token=LABEL&pin-file=FILE")
      ->required();
  cmd->add_option("--passphrase-file", options->passphrase_file,
                  "Software keystore passphrase file (mode 0600); default $SEFLEET_PASSPHRASE");
  cmd->footer(kSpecHelp);
  return cmd;
}

void setup_hsm(CLI::App& root) {
  auto* hsm = add_command(
      root, "hsm", "Key management on a keystore: init, generate, import, list, rotate, delete, public, derive-scp03");
  hsm->require_subcommand(1);
  hsm->footer(kSpecHelp);

  auto init_options = std::make_shared<HsmOptions>();
  add_keystore_command(*hsm, "init", "Create a software keystore file, or check a PKCS#11 token", init_options)
      ->callback([init_options] { run_init(*init_options); });

  auto gen = std::make_shared<HsmOptions>();
  auto* generate = add_keystore_command(*hsm, "generate",
                                        "Generate a new AES key, or a P-256 key pair (--ec), inside the keystore", gen);
  generate->add_option("--label", gen->label, "Key label")->required();
  auto* size = generate->add_option("--size", gen->size, "AES key size in bytes")->check(CLI::IsMember({16, 24, 32}));
  auto* usage =
      generate->add_option("--usage", gen->usage, "AES key usage, comma-separated: mac, wrap, encrypt (or all)");
  auto* ec = generate->add_flag("--ec", gen->ec, "A P-256 key pair (ECDH and ECDSA; the private key never leaves)");
  auto* algorithm = generate->add_option("--algorithm", gen->algorithm, "aes (default) or ec-p256 (as --ec)")
                        ->check(CLI::IsMember({"aes", "ec-p256"}));
  ec->excludes(size)->excludes(usage)->excludes(algorithm);
  generate->add_flag("--json", gen->json, "Print the key description as JSON");
  generate->callback([gen] { run_generate(*gen); });

  auto imp = std::make_shared<HsmOptions>();
  auto* import_cmd = add_keystore_command(
      *hsm, "import", "Import an AES key (--value-file) or a P-256 private key (--ec-private), never extractable again",
      imp);
  import_cmd->add_option("--label", imp->label, "Key label")->required();
  auto* value_file =
      import_cmd->add_option("--value-file", imp->value_file, "File holding the AES key as hex (mode 0600)");
  auto* ec_private = import_cmd->add_option(
      "--ec-private", imp->ec_private_file,
      "File holding a P-256 private key (mode 0600): PEM (PKCS#8 or SEC1) or the 32-byte scalar as hex");
  auto* import_usage =
      import_cmd->add_option("--usage", imp->usage, "AES key usage, comma-separated: mac, wrap, encrypt (or all)");
  value_file->excludes(ec_private);
  ec_private->excludes(import_usage);
  import_cmd->add_flag("--json", imp->json, "Print the key description as JSON");
  import_cmd->callback([imp] { run_import(*imp); });

  auto lst = std::make_shared<HsmOptions>();
  auto* list = add_keystore_command(*hsm, "list",
                                    "List keys: label, algorithm, size, usage, versions, KCV (never a key value)", lst);
  list->add_flag("--json", lst->json, "Print JSON");
  list->callback([lst] { run_list(*lst); });

  auto rot = std::make_shared<HsmOptions>();
  auto* rotate =
      add_keystore_command(*hsm, "rotate", "Add a new current version (generated, or from --value-file)", rot);
  rotate->add_option("--label", rot->label, "Key label")->required();
  auto* rotate_value =
      rotate->add_option("--value-file", rot->value_file, "File holding the new AES value as hex (mode 0600)");
  rotate
      ->add_option("--ec-private", rot->ec_private_file,
                   "EC key: file holding the new P-256 private key (PEM or hex scalar, mode 0600)")
      ->excludes(rotate_value);
  rotate->add_flag("--json", rot->json, "Print the key description as JSON");
  rotate->callback([rot] { run_rotate(*rot); });

  auto del = std::make_shared<HsmOptions>();
  auto* remove = add_keystore_command(*hsm, "delete", "Delete a key (every version), or one retired --version", del);
  remove->add_option("--label", del->label, "Key label")->required();
  remove->add_option("--version", del->version, "Delete only this retired version");
  remove->add_flag("--json", del->json, "Print the key description as JSON");
  remove->callback([del] { run_delete(*del); });

  auto pub = std::make_shared<HsmOptions>();
  auto* public_cmd =
      add_keystore_command(*hsm, "public", "Print the public point of an EC key (hex 04||x||y, or --pem)", pub);
  public_cmd->add_option("LABEL,--label", pub->label, "The EC key: LABEL or LABEL@vN")->required();
  auto* pem = public_cmd->add_flag("--pem", pub->pem, "Print a SubjectPublicKeyInfo PEM");
  public_cmd->add_flag("--json", pub->json, "Print {\"label\", \"public_key\"}")->excludes(pem);
  public_cmd->callback([pub] { run_public(*pub); });

  auto drv = std::make_shared<HsmOptions>();
  auto* derive =
      add_keystore_command(*hsm, "derive-scp03",
                           "Write an SE's SCP03 keys (kdf3 from the master key in the keystore) to a 0600 file for "
                           "`card init --scp03-keys`",
                           drv);
  derive->add_option("--label", drv->label, "The master key: LABEL or LABEL@vN (usage mac)")->required();
  derive->add_option("--kdd", drv->kdd, "The SE's key diversification data (10 bytes hex, the profile's kdd)")
      ->required();
  derive->add_option("--kvn", drv->kvn, "Key version number of the set (hex, 01..7F)")->capture_default_str();
  derive->add_option("-o,--out", drv->out, "The key file to create (mode 0600; never overwritten)")->required();
  derive->add_flag("--json", drv->json, "Print what was written (KCVs, never a key) as JSON");
  derive->callback([drv] { run_derive_scp03(*drv); });
}

const RegisterCommand hsm_registration{"hsm", setup_hsm};

}  // namespace
}  // namespace sefleet::cli

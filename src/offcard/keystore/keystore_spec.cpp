#include "offcard/keystore/keystore_spec.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <set>

#include "core/error.hpp"
#include "offcard/keystore/pkcs11_keystore.hpp"
#include "offcard/keystore/software_keystore.hpp"

namespace sefleet::offcard {
namespace {

constexpr std::string_view kUsage = "use software:PATH or pkcs11:MODULE?token=LABEL[&pin-file=FILE|&pin-env=VAR]";

[[noreturn]] void bad_spec(std::string_view text, const std::string& problem) {
  throw Error(Errc::invalid_argument,
              "--keystore '" + std::string(text) + "': " + problem + " (" + std::string(kUsage) + ")");
}

}  // namespace

std::string KeystoreSpec::text() const {
  if (kind == Kind::software) return "software:" + path.string();
  std::string out = "pkcs11:" + path.string() + "?token=" + token;
  if (pin_file) {
    out += "&pin-file=" + pin_file->string();
  } else {
    out += "&pin-env=" + pin_env;
  }
  return out;
}

KeystoreSpec parse_keystore_spec(std::string_view text) {
  KeystoreSpec spec;
  if (text.starts_with("software:")) {
    spec.kind = KeystoreSpec::Kind::software;
    spec.path = std::string(text.substr(9));
    if (spec.path.empty()) bad_spec(text, "empty path");
    return spec;
  }
  if (!text.starts_with("pkcs11:")) bad_spec(text, "unknown keystore kind");
  spec.kind = KeystoreSpec::Kind::pkcs11;
  const std::string_view rest = text.substr(7);
  const std::size_t question = rest.find('?');
  spec.path = std::string(rest.substr(0, question));
  if (spec.path.empty()) bad_spec(text, "empty module path");
  std::set<std::string, std::less<>> seen;
  bool pin_env_given = false;
  if (question != std::string_view::npos) {
    std::string_view query = rest.substr(question + 1);
    while (!query.empty()) {
      const std::size_t amp = query.find('&');
      const std::string_view item = query.substr(0, amp);
      query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos) bad_spec(text, "parameter '" + std::string(item) + "' has no value");
      const std::string key(item.substr(0, eq));
      const std::string value(item.substr(eq + 1));
      if (!seen.insert(key).second) bad_spec(text, "parameter '" + key + "' given twice");
      if (value.empty()) bad_spec(text, "parameter '" + key + "' is empty");
      if (key == "token") {
        spec.token = value;
      } else if (key == "pin-file") {
        spec.pin_file = value;
      } else if (key == "pin-env") {
        spec.pin_env = value;
        pin_env_given = true;
      } else if (key == "pin" || key == "pin-value") {
        bad_spec(text, "a PIN is never given on the command line (ps shows it to everyone); use pin-file= or pin-env=");
      } else {
        bad_spec(text, "unknown parameter '" + key + "'");
      }
    }
  }
  if (spec.token.empty()) bad_spec(text, "token=LABEL is required");
  if (spec.pin_file && pin_env_given) bad_spec(text, "give pin-file= or pin-env=, not both");
  return spec;
}

SecretBytes read_secret_file(const std::filesystem::path& path, std::string_view what) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    throw Error(Errc::not_found, std::string(what) + " file " + path.string() + " not found");
  }
  if (!S_ISREG(status.st_mode))
    throw Error(Errc::io_error, std::string(what) + " file " + path.string() + " is not a regular file");
  if ((status.st_mode & 077) != 0) {
    throw Error(Errc::io_error, std::string(what) + " file " + path.string() +
                                    " is accessible by group or others; chmod 600 " + path.string());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Errc::io_error, "cannot read " + std::string(what) + " file " + path.string());
  Bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!content.empty() && content.back() == '\n') content.pop_back();
  if (!content.empty() && content.back() == '\r') content.pop_back();
  SecretBytes secret = SecretBytes::take(content);
  if (secret.empty()) throw Error(Errc::invalid_argument, std::string(what) + " file " + path.string() + " is empty");
  return secret;
}

SecretBytes keystore_passphrase(const std::optional<std::filesystem::path>& passphrase_file) {
  if (passphrase_file) return read_secret_file(*passphrase_file, "passphrase");
  const char* env = std::getenv(kPassphraseEnv);
  if (env == nullptr || *env == '\0') {
    throw Error(Errc::invalid_argument,
                std::string("the software keystore needs a passphrase: --passphrase-file FILE or $") + kPassphraseEnv);
  }
  return SecretBytes(bytes_of(env));
}

std::unique_ptr<Keystore> open_keystore_spec(const KeystoreSpec& spec,
                                             const std::optional<std::filesystem::path>& passphrase_file) {
  if (spec.kind == KeystoreSpec::Kind::software) {
    return SoftwareKeystore::open(spec.path, keystore_passphrase(passphrase_file));
  }
  Pkcs11Config config;
  config.module = spec.path;
  config.token_label = spec.token;
  if (spec.pin_file) {
    config.pin = read_secret_file(*spec.pin_file, "PIN");
  } else {
    const char* env = std::getenv(spec.pin_env.c_str());
    if (env == nullptr || *env == '\0') {
      throw Error(Errc::invalid_argument, "the PKCS#11 user PIN is missing: set $" + spec.pin_env +
                                              " or add &pin-file=FILE to the keystore spec");
    }
    config.pin = SecretBytes(bytes_of(env));
  }
  return Pkcs11Keystore::open(config);
}

}  // namespace sefleet::offcard

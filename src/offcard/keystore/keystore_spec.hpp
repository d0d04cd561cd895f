// Naming a keystore on a command line, and reading its secret without putting it there
// (docs/keystores.md, "Choosing a keystore"):
//
//   software:PATH                                   the encrypted key file; passphrase from a file
//                                                    (--passphrase-file) or $SEFLEET_PASSPHRASE
//   pkcs11:MODULE?token=LABEL&pin-file=FILE         a PKCS#11 token; the user PIN from FILE
//   pkcs11:MODULE?token=LABEL[&pin-env=VAR]         ... or from $VAR (default $SEFLEET_PKCS11_PIN)
//
// Secrets are never accepted as command-line values: anything in argv is visible to every user in
// `ps` and lands in shell history. A secret file must not be readable by group or others.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.hpp"
#include "offcard/keystore/keystore.hpp"

namespace sefleet::offcard {

inline constexpr const char* kPassphraseEnv = "SEFLEET_PASSPHRASE";
inline constexpr const char* kDefaultPinEnv = "SEFLEET_PKCS11_PIN";

struct KeystoreSpec {
  enum class Kind { software, pkcs11 };
  Kind kind = Kind::software;
  std::filesystem::path path;  // the key file, or the PKCS#11 module
  std::string token;           // pkcs11: token label
  std::optional<std::filesystem::path> pin_file;
  std::string pin_env = kDefaultPinEnv;

  std::string text() const;  // the spec again (no secret is ever part of it)
};

// Error(invalid_argument) naming the problem: unknown scheme, empty path, missing token, unknown or
// repeated parameter, both pin-file and pin-env.
KeystoreSpec parse_keystore_spec(std::string_view text);

// The whole content of a secret file, without one trailing newline. Error(not_found) when missing,
// Error(io_error) when group/other may read it (message says chmod 600), Error(invalid_argument) when
// empty.
SecretBytes read_secret_file(const std::filesystem::path& path, std::string_view what);

// The software keystore passphrase: from `passphrase_file` if given, else $SEFLEET_PASSPHRASE.
// Error(invalid_argument) when neither is there.
SecretBytes keystore_passphrase(const std::optional<std::filesystem::path>& passphrase_file);

// Opens the keystore the spec names (software: SoftwareKeystore::open; pkcs11: Pkcs11Keystore::open).
std::unique_ptr<Keystore> open_keystore_spec(const KeystoreSpec& spec,
                                             const std::optional<std::filesystem::path>& passphrase_file);

}  // namespace sefleet::offcard

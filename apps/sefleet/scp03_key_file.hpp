// The SCP03 key file of one SE: what `sefleet hsm derive-scp03` writes (mode 0600) and what `sefleet
// card init --scp03-keys` and `--key-file` read.
//   {"kvn": "30", "enc": HEX, "mac": HEX, "dek": HEX, "kdd": HEX, "derivation": "kdf3",
//    "master": "label@v1", "kcv": {"enc": HEX, "mac": HEX, "dek": HEX}}
// kvn, enc, mac and dek are the profile's `scp03` part (docs/card-state.md); the rest says where the
// keys came from and lets an operator compare KCVs without looking at a key.
#pragma once

#include <string>

#include "core/bytes.hpp"
#include "gp/static_keys.hpp"

namespace sefleet::cli {

// The file's text for `keys` diversified for `kdd` from the master key named `master`.
std::string scp03_key_file_text(const gp::StaticKeySet& keys, ByteView kdd, const std::string& master);

struct Scp03KeyFile {
  gp::StaticKeySet keys;
  Bytes kdd;  // empty when the file names none
};

// Parses the file's text; `origin` names it in errors. Error(parse_error) for JSON that is not an object,
// a missing or malformed kvn/enc/mac/dek, or keys of different sizes.
Scp03KeyFile parse_scp03_key_file(const std::string& text, const std::string& origin);

// Just the key set (for --key-file).
gp::StaticKeySet scp03_keys_from_json(const std::string& text, const std::string& origin);

}  // namespace sefleet::cli

// What the host's processing steps cost (the HPT between a response and the next command), loaded
// from a JSON data file (profiles/host/*.json, also embedded in the binary). The step vocabulary is
// fixed (kHostSteps) and every profile must give every step, so a driver can ask any host for any
// step and a typo in a file is refused instead of costing zero.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sefleet::sim {

inline constexpr std::array<std::string_view, 12> kHostSteps = {
    "build_command",     // assemble a C-APDU (TLVs, buffers)
    "parse_response",    // check SW, parse TLVs of an R-APDU
    "ec_keygen",         // P-256 key pair
    "ecdh",              // P-256 ECDH shared secret
    "kdf",               // X9.63 KDF + HKDF key schedule of one transaction
    "sign",              // ECDSA P-256 signature (hash included)
    "verify_signature",  // ECDSA P-256 verification (hash included)
    "encrypt",           // secure-messaging encryption of one message (AES-CBC)
    "decrypt",           // secure-messaging decryption of one message
    "mac",               // secure-messaging MAC of one message (AES-CMAC)
    "verify_mac",        // check a response MAC
    "random",            // draw a nonce / transaction identifier
};

struct HostStep {
  std::string name;
  std::uint64_t ns = 0;
  std::string source;
};

struct HostProfile {
  std::string name;
  std::string description;
  std::vector<HostStep> steps;  // in kHostSteps order

  // Error(not_found) naming the step when it is not in kHostSteps.
  std::uint64_t step_ns(std::string_view step) const;

  static HostProfile from_json(std::string_view text);
  static HostProfile from_file(const std::string& path);
  static HostProfile builtin(std::string_view name);  // "phone", "vehicle_ecu"
  static HostProfile load(std::string_view file_or_name);
};

inline constexpr std::string_view kDefaultHostProfile = "phone";

std::vector<std::string> list_builtin_host_profiles();

}  // namespace sefleet::sim

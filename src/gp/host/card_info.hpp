// What a GlobalPlatform card says about itself, read the way real cards need it: the GET DATA objects
// (CIN, IIN, CPLC, card recognition data, key information, sequence counter), retried in the
// interindustry class (CLA 00) when a card refuses the GlobalPlatform class outside a secure channel,
// and the registry (GET STATUS), with the load files listed without their modules when a card lacks
// P1=10. An object the card does not have is recorded with the reason, never fatal. Pure protocol over
// a GpSession: the caller prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gp/host/card_data.hpp"
#include "gp/host/get_status.hpp"
#include "gp/host/gp_session.hpp"

namespace sefleet::gp::host {

// One data object: its parsed value, or why there is none (the status word's name, or the answer
// that could not be parsed and why).
template <typename T>
struct DataObject {
  std::optional<T> value;
  std::string unavailable;
};

struct CardInfo {
  DataObject<Bytes> cin;
  DataObject<Bytes> iin;
  DataObject<Cplc> cplc;
  DataObject<CardRecognitionData> card_recognition;
  DataObject<std::vector<KeyInfo>> key_information;
  DataObject<std::uint32_t> sequence_counter;
};

// GET DATA of each object on the selected security domain (inside the secure channel when one is open).
CardInfo read_card_info(GpSession& session);

// GET DATA 00E0 alone (the key versions a card holds), with the same CLA 00 retry.
DataObject<std::vector<KeyInfo>> read_key_information(GpSession& session);

struct CardRegistry {
  std::vector<RegistryEntry> issuer_security_domain;  // one entry (P1=80)
  std::vector<RegistryEntry> applications;            // applications and security domains (P1=40)
  std::vector<RegistryEntry> load_files;              // with their modules (P1=10) when the card offers it
  bool load_files_have_modules = true;                // false: the card refused P1=10 (6A86), P1=20 was used

  // The card life cycle from the ISD entry, or nullopt when the card listed none.
  std::optional<std::uint8_t> card_life_cycle() const;
};

// GET STATUS for the ISD, the applications and the load files; needs an open secure channel (the
// card's refusals throw CardRefusal).
CardRegistry read_registry(GpSession& session);

}  // namespace sefleet::gp::host

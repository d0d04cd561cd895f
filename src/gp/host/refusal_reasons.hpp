// Card refusals that explain themselves. A status word alone (6985, 6A80) does not tell a user what
// to do; what the card says about itself does: its life cycle for SET STATUS, the key versions it
// holds (GET DATA 00E0) for PUT KEY. The *_explained commands read that first (a refused command may
// end the secure channel on some cards, so it cannot be read afterwards) and, on a refusal, throw
// CardRefusal with the status word and the reason.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gp/host/card_data.hpp"
#include "gp/host/card_info.hpp"
#include "gp/host/gp_session.hpp"
#include "gp/host/put_key.hpp"

namespace sefleet::gp::host {

// The card life cycle states SET STATUS may move the card to from `from` (gp/card_life_cycle.hpp),
// in life cycle order.
std::vector<std::uint8_t> allowed_card_transitions(std::uint8_t from);

// "the card is SECURED; from SECURED SET STATUS allows CARD_LOCKED or TERMINATED" (and whether the
// wanted state is among them); `current` nullopt: the card did not list its life cycle.
std::string set_status_refusal_reason(std::optional<std::uint8_t> current, std::uint8_t wanted);

// What the card's key information says about the request: the version to add exists already, the
// version to replace does not, or just the versions the card holds.
std::string put_key_refusal_reason(const DataObject<std::vector<KeyInfo>>& keys, const PutKeyRequest& request);

// SET STATUS of the card life cycle (P1 80); the life cycle is read first (GET STATUS P1=80).
void set_card_status_explained(GpSession& session, std::uint8_t state);

// GpSession::put_key; the key information is read first (GET DATA 00E0).
Bytes put_key_explained(GpSession& session, const PutKeyRequest& request);

}  // namespace sefleet::gp::host

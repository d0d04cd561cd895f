// The ISD's SCP11 commands (docs/scp11.md): PERFORM SECURITY OPERATION (the OCE certificate chain),
// MUTUAL AUTHENTICATE and INTERNAL AUTHENTICATE, which open an SCP11 session on the channel's secure
// channel, and GET DATA BF21 (the certificate store of the SD's key). The protocol itself is
// gp::scp11; this file binds it to the card's stored keys and to the channel's session.
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "card/isd/isd_command.hpp"
#include "card/state/scp11_store.hpp"
#include "gp/scp11/scp11_card.hpp"

namespace sefleet::card::isd {

// RAM only: the OCE chain received so far on each logical channel, and the card's SCP11 keys as last
// loaded from the store (the SD key is parsed again only when the stored one changes).
struct Scp11Channels {
  std::map<std::uint8_t, gp::scp11::Scp11CardChannel> channels;
  std::optional<Scp11Store> keys;
};

// True for the commands scp11_command() handles.
bool is_scp11_command(const iso7816::CommandApdu& command) noexcept;
// PERFORM SECURITY OPERATION / MUTUAL AUTHENTICATE / INTERNAL AUTHENTICATE. 6A88 on a card without
// SCP11 keys; the other status words are gp::scp11::Scp11CardChannel's. On success of an
// authenticate command the channel's session is open when the response leaves.
iso7816::ResponseApdu scp11_command(const IsdCall& call, Scp11Channels& channels);

// True for GET DATA BF21 (with data: A6 {83 {KID KVN}}).
bool is_certificate_store_request(const iso7816::CommandApdu& command) noexcept;
// BF21 { the stored chain } for KID 11, 13 or 15 and the SD key's KVN; 6A88 for another key or a
// card without SCP11 keys; 6A80 for a malformed A6.
iso7816::ResponseApdu get_certificate_store(const IsdCall& call);

}  // namespace sefleet::card::isd

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
#include "gp/scp03_card.hpp"
#include "gp/scp11/scp11_card.hpp"

namespace sefleet::card::isd {

// RAM only, per logical channel: the OCE chain received so far, and the SCP11b session opened on the
// channel (expired when that session ends), which authenticated the card only: the OCE-authenticated
// commands (key management) refuse it.
struct Scp11ChannelState {
  gp::scp11::Scp11CardChannel setup;
  gp::Scp03Card::SessionTicket card_only_session;
  // One certificate arriving in several PERFORM SECURITY OPERATION commands (ISO command chaining,
  // CLA b5): the parts so far and the P1 (b7..b1) / P2 they came with.
  Bytes chained;
  std::uint16_t chained_p1p2 = 0;
};

// PUT KEY of an ECC key (the first key type of the data field is B0 or B1): isd_put_key_ecc.cpp.
bool is_ecc_put_key(const iso7816::CommandApdu& command) noexcept;
iso7816::ResponseApdu put_ecc_key(const IsdCall& call);
// DELETE of SCP11 keys (D0 KID of an SCP11 key and/or D2 KVN naming SCP11 keys): every key matching
// both is deleted. 6A88 for an SCP11 KID with no match. (The last SCP03 key set is never deleted, so
// the card always keeps a key to open a session with.) Returns nullopt when the command names no SCP11 key (the
// SCP03 key-set rules then apply). isd_scp11_keys.cpp.
std::optional<iso7816::ResponseApdu> delete_scp11_keys(const IsdCall& call, std::optional<std::uint8_t> kid,
                                                       std::optional<std::uint8_t> kvn);
// STORE DATA of the SCP11 objects (data starting with A6): isd_scp11_store_data.cpp.
bool is_scp11_store_data(const iso7816::CommandApdu& command) noexcept;
iso7816::ResponseApdu store_scp11_data(const IsdCall& call);
// The C0 entries of the SCP11 keys for the key information template (E0): KID KVN, then B1 20 for a
// key pair or B0 41 for a public key, then F0 00 (the key parameter reference: P-256).
void append_scp11_key_information(const IsdCall& call, Bytes& entries);
// The value of GET DATA FF33 (KLOC) / FF34 (KLCC): 42 <CA identifier> 83 <KID KVN> for each key whose
// CA issuer STORE DATA set, or nullopt (6A88) when there is none.
std::optional<Bytes> ca_identifiers(const IsdCall& call, bool klcc);

// True for the commands scp11_command() handles.
bool is_scp11_command(const iso7816::CommandApdu& command) noexcept;
// PERFORM SECURITY OPERATION / MUTUAL AUTHENTICATE / INTERNAL AUTHENTICATE. 6A88 on a card without
// SCP11 keys; the other status words are gp::scp11::Scp11CardChannel's. On success of an
// authenticate command the channel's session is open when the response leaves.
// `key_cache`: the keys the previous setup command loaded (RAM only; the store is read again every
// time and only the parsed private keys are reused: docs/scp11.md).
iso7816::ResponseApdu scp11_command(const IsdCall& call, Scp11Channels& channels, std::optional<Scp11Store>& key_cache);

// True for GET DATA BF21 (with data: A6 {83 {KID KVN}}).
bool is_certificate_store_request(const iso7816::CommandApdu& command) noexcept;
// BF21 { the stored chain } for KID 11, 13 or 15 and the SD key's KVN; 6A88 for another key or a
// card without SCP11 keys; 6A80 for a malformed A6.
iso7816::ResponseApdu get_certificate_store(const IsdCall& call);

// 6982 unless the channel's session authenticated the OCE: an SCP03 session, or SCP11a/c (SCP11b
// authenticates the card only). Called after require_session().
void require_oce_authenticated(const IsdCall& call);

}  // namespace sefleet::card::isd

// A GlobalPlatform card-manager session from the host: SELECT the security domain, optionally open an
// SCP03 secure channel on it, then the card-content commands (GET DATA, GET STATUS, PUT KEY, SET
// STATUS). Pure protocol: all I/O goes through the exchange function given at construction, so the
// same session runs over PC/SC, TCP or an in-process card, and nothing here assumes which card it is.
//
//   GpSession session(link);                     // link: one APDU out, the card's answer back
//   session.select();                            // the ISD (default A000000151000000)
//   session.open_secure_channel(keys, options);  // INITIALIZE UPDATE + EXTERNAL AUTHENTICATE
//   session.get_status(StatusScope::applications);
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "core/bytes.hpp"
#include "core/error.hpp"
#include "core/secret.hpp"
#include "gp/host/get_status.hpp"
#include "gp/host/put_key.hpp"
#include "gp/host/scp11_channel_processor.hpp"
#include "gp/host/scp11_keys.hpp"
#include "gp/host/secure_channel_processor.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/apdu.hpp"
#include "iso7816/chaining.hpp"

namespace sefleet::gp::host {

// A card's refusal of a management command: Error(Errc::protocol_error) with the status word, so a
// caller can react to a particular one (e.g. fall back when GET STATUS P1=10 gives 6A86).
class CardRefusal : public Error {
 public:
  // "<what> refused: <status word and its meaning>", then ": <reason>" when the caller knows why.
  CardRefusal(const std::string& what, std::uint16_t sw, const std::string& reason = {});
  std::uint16_t sw() const noexcept { return sw_; }

 private:
  std::uint16_t sw_;
};

// 00 A4 04 00 Lc AID 00 (first or only occurrence, FCI requested).
iso7816::CommandApdu make_select(ByteView aid);
// The AID (tag 84, DF name) in a SELECT response's FCI (6F ...), or nullopt.
std::optional<Bytes> fci_aid(ByteView fci);

class GpSession {
 public:
  explicit GpSession(iso7816::ApduExchange link, iso7816::TransmitOptions options = {},
                     crypto::Random& random = crypto::system_random());

  // SELECT by AID; throws CardRefusal naming the status word unless 9000. Selecting
  // ends any secure channel (the card ends it too). Returns the FCI.
  Bytes select(ByteView aid = isd_aid());

  // Opens SCP03 with the security domain selected last. `options.invoking_aids` defaults to that
  // domain's AID (from its FCI, else the AID selected). Throws like SecureChannelProcessor::open().
  void open_secure_channel(StaticKeyResolver keys, Scp03HostOptions options);
  void open_secure_channel(StaticKeySet keys, Scp03HostOptions options);
  // Opens SCP11 (a, b or c) with the security domain selected last; transmit() then runs through it.
  // Throws like Scp11ChannelProcessor::open(). PUT KEY (SCP03 keys) needs an SCP03 channel.
  void open_scp11_channel(Scp11ChannelOptions options);
  bool secure() const noexcept { return (channel_ && channel_->is_open()) || (scp11_ && scp11_->is_open()); }
  // The open channel (state, card info); throws Error(Errc::state_error) without one.
  const SecureChannelProcessor& channel() const;
  // The open SCP11 channel (PK.SD.ECKA it authenticated); throws Error(Errc::state_error) without one.
  const Scp11ChannelProcessor& scp11_channel() const;
  // The static key set the open channel was authenticated with (for PUT KEY's DEK).
  const StaticKeySet& static_keys() const;

  // Sends a plain command: protected by the secure channel when one is open, with 61xx/6Cxx handled.
  iso7816::ResponseApdu transmit(const iso7816::CommandApdu& command);

  // GET DATA; the response whatever its status word (cards differ in what they answer).
  iso7816::ResponseApdu get_data(std::uint16_t tag);

  // GET STATUS in tag format, following 6310 with "next occurrence" until 9000. A scope with no
  // entry (6A88) is an empty list; any other status word throws CardRefusal.
  std::vector<RegistryEntry> get_status(StatusScope scope);

  // PUT KEY of a whole SCP03 key set, encrypted under the open channel's static DEK; checks the KCVs
  // the card returns. Requires an open secure channel (Error(Errc::state_error)); a refusal throws
  // CardRefusal naming the status word; wrong KCVs throw Error(Errc::protocol_error). Returns the response data (KVN ||
  // KCVs).
  Bytes put_key(const PutKeyRequest& request);

  // The DEK sensitive data travels under: the static Key-DEK of an SCP03 session, S-DEK of an SCP11
  // session. Throws Error(Errc::state_error) without an open channel.
  const SecretBytes& data_encryption_key() const;

  // SCP11 key management (scp11_keys.hpp), inside an open channel (Error(Errc::state_error)
  // otherwise; the card refuses them under SCP11b). A refusal throws CardRefusal naming the status
  // word; a wrong answer to PUT KEY throws Error(Errc::protocol_error).
  void put_sd_key_pair(const EcKeyReference& where, const SecretBytes& scalar);
  void put_ca_key(const EcKeyReference& where, ByteView point);
  void delete_keys(std::optional<std::uint8_t> kid, std::optional<std::uint8_t> kvn);
  void store_certificates(std::uint8_t kid, std::uint8_t kvn, const std::vector<Bytes>& certificates);
  void store_allowlist(std::uint8_t kid, std::uint8_t kvn, const std::vector<Bytes>& serials);
  void store_ca_issuer(std::uint8_t kid, std::uint8_t kvn, ByteView identifier);

  // SET STATUS of the card life cycle (P1 80). Throws CardRefusal unless 9000.
  void set_card_status(std::uint8_t state);

  const Bytes& selected_aid() const noexcept { return selected_aid_; }

 private:
  iso7816::ResponseApdu expect_ok(const iso7816::CommandApdu& command, const char* what);

  iso7816::ApduExchange link_;
  iso7816::TransmitOptions options_;
  crypto::Random& random_;
  Bytes selected_aid_;
  std::unique_ptr<SecureChannelProcessor> channel_;
  std::shared_ptr<StaticKeySet> keys_used_;
  std::unique_ptr<Scp11ChannelProcessor> scp11_;
};

}  // namespace sefleet::gp::host

#include "gp/host/gp_session.hpp"

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/card_data.hpp"
#include "gp/host/life_cycle.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::gp::host {
namespace {

// Entries of one GET STATUS scope; a card that keeps answering 6310 cannot hold the host forever.
constexpr std::size_t kMaxGetStatusRounds = 256;

}  // namespace

CardRefusal::CardRefusal(const std::string& what, std::uint16_t sw, const std::string& reason)
    : Error(Errc::protocol_error,
            what + " refused: " + iso7816::sw::status_word_name(sw) + (reason.empty() ? "" : ": " + reason)),
      sw_(sw) {}

iso7816::CommandApdu make_select(ByteView aid) {
  if (aid.size() > 16) {
    throw Error(Errc::invalid_argument, "SELECT: an AID has at most 16 bytes, got " + std::to_string(aid.size()));
  }
  return iso7816::CommandApdu(0x00, 0xA4, 0x04, 0x00, Bytes(aid.begin(), aid.end()), 256);
}

std::optional<Bytes> fci_aid(ByteView fci) {
  iso7816::TlvParseOptions options;
  options.minimal_lengths = false;
  const auto objects = iso7816::try_parse_tlv_sequence(fci, options);
  if (!objects || objects->empty() || objects->front().tag() != 0x6F) return std::nullopt;
  const auto* name = objects->front().find(0x84);
  if (name == nullptr) return std::nullopt;
  return name->value();
}

GpSession::GpSession(iso7816::ApduExchange link, iso7816::TransmitOptions options, crypto::Random& random)
    : link_(std::move(link)), options_(options), random_(random) {
  if (!link_) throw Error(Errc::invalid_argument, "GP session: no exchange function");
}

Bytes GpSession::select(ByteView aid) {
  channel_.reset();
  keys_used_.reset();
  scp11_.reset();
  const auto response = iso7816::transmit(link_, make_select(aid), options_);
  if (!response.ok()) {
    throw CardRefusal("SELECT " + (aid.empty() ? std::string("(default)") : to_hex(aid)), response.sw);
  }
  const auto named = fci_aid(response.data);
  selected_aid_ = named ? *named : Bytes(aid.begin(), aid.end());
  return response.data;
}

void GpSession::open_secure_channel(StaticKeySet keys, Scp03HostOptions options) {
  auto shared = std::make_shared<StaticKeySet>(std::move(keys));
  open_secure_channel([shared](const InitializeUpdateResponse&) { return *shared; }, std::move(options));
}

void GpSession::open_secure_channel(StaticKeyResolver keys, Scp03HostOptions options) {
  if (!keys) throw Error(Errc::invalid_argument, "GP session: no key resolver");
  if (!selected_aid_.empty() && options.invoking_aids == std::vector<Bytes>{isd_aid()}) {
    options.invoking_aids = {selected_aid_};
  }
  // Remember the keys the resolver hands out: PUT KEY encrypts under this set's DEK.
  auto used = std::make_shared<StaticKeySet>();
  StaticKeyResolver recording = [keys = std::move(keys), used](const InitializeUpdateResponse& info) {
    StaticKeySet resolved = keys(info);
    *used = resolved;
    return resolved;
  };
  channel_.reset();
  keys_used_.reset();
  scp11_.reset();
  auto channel = std::make_unique<SecureChannelProcessor>(
      link_, std::make_unique<Scp03Host>(std::move(recording), std::move(options), random_), options_);
  channel->open();
  channel_ = std::move(channel);
  keys_used_ = std::move(used);
}

void GpSession::open_scp11_channel(Scp11ChannelOptions options) {
  channel_.reset();
  keys_used_.reset();
  scp11_.reset();
  auto channel = std::make_unique<Scp11ChannelProcessor>(link_, std::move(options), options_, random_);
  channel->open();
  scp11_ = std::move(channel);
}

const SecureChannelProcessor& GpSession::channel() const {
  if (!channel_) throw Error(Errc::state_error, "GP session: no secure channel is open");
  return *channel_;
}

const Scp11ChannelProcessor& GpSession::scp11_channel() const {
  if (!scp11_) throw Error(Errc::state_error, "GP session: no SCP11 channel is open");
  return *scp11_;
}

const StaticKeySet& GpSession::static_keys() const {
  if (!keys_used_ || !secure()) throw Error(Errc::state_error, "GP session: no secure channel is open");
  return *keys_used_;
}

iso7816::ResponseApdu GpSession::transmit(const iso7816::CommandApdu& command) {
  if (channel_) return channel_->transmit(command);
  if (scp11_) return scp11_->transmit(command);
  return iso7816::transmit(link_, command, options_);
}

iso7816::ResponseApdu GpSession::expect_ok(const iso7816::CommandApdu& command, const char* what) {
  auto response = transmit(command);
  if (!response.ok()) {
    throw CardRefusal(what, response.sw);
  }
  return response;
}

iso7816::ResponseApdu GpSession::get_data(std::uint16_t tag) {
  return transmit(make_get_data(tag));
}

std::vector<RegistryEntry> GpSession::get_status(StatusScope scope) {
  std::vector<RegistryEntry> all;
  bool next = false;
  for (std::size_t round = 0; round < kMaxGetStatusRounds; ++round) {
    const auto response = transmit(make_get_status(scope, next));
    if (response.sw == iso7816::sw::kReferencedDataNotFound && !next) return all;
    if (!response.ok() && response.sw != kSwMoreData) {
      throw CardRefusal("GET STATUS P1=" + to_hex(Bytes{static_cast<std::uint8_t>(scope)}), response.sw);
    }
    auto entries = parse_get_status(scope, response.data);
    if (response.sw == kSwMoreData && entries.empty()) {
      throw Error(Errc::protocol_error, "GET STATUS: the card announced more data (6310) but sent no entry");
    }
    all.insert(all.end(), std::make_move_iterator(entries.begin()), std::make_move_iterator(entries.end()));
    if (response.ok()) return all;
    next = true;
  }
  throw Error(Errc::protocol_error,
              "GET STATUS: the card still answers 6310 after " + std::to_string(kMaxGetStatusRounds) + " commands");
}

Bytes GpSession::put_key(const PutKeyRequest& request) {
  const StaticKeySet& current = static_keys();
  const auto response = expect_ok(make_put_key(request, current.dek), "PUT KEY");
  verify_put_key_response(request, response.data);
  return response.data;
}

const SecretBytes& GpSession::data_encryption_key() const {
  if (scp11_ && scp11_->is_open()) return scp11_->host().session_dek();
  return static_keys().dek;
}

void GpSession::put_sd_key_pair(const EcKeyReference& where, const SecretBytes& scalar) {
  const auto response = expect_ok(make_put_sd_key_pair(where, scalar, data_encryption_key()), "PUT KEY");
  verify_put_ec_key_response(where, response.data);
}

void GpSession::put_ca_key(const EcKeyReference& where, ByteView point) {
  if (!secure()) throw Error(Errc::state_error, "PUT KEY needs an open secure channel");
  const auto response = expect_ok(make_put_ca_key(where, point), "PUT KEY");
  verify_put_ec_key_response(where, response.data);
}

void GpSession::delete_keys(std::optional<std::uint8_t> kid, std::optional<std::uint8_t> kvn) {
  if (!secure()) throw Error(Errc::state_error, "DELETE of keys needs an open secure channel");
  expect_ok(make_delete_keys(kid, kvn), "DELETE key");
}

void GpSession::store_certificates(std::uint8_t kid, std::uint8_t kvn, const std::vector<Bytes>& certificates) {
  if (!secure()) throw Error(Errc::state_error, "STORE DATA needs an open secure channel");
  expect_ok(make_store_certificates(kid, kvn, certificates), "STORE DATA (certificates)");
}

void GpSession::store_allowlist(std::uint8_t kid, std::uint8_t kvn, const std::vector<Bytes>& serials) {
  if (!secure()) throw Error(Errc::state_error, "STORE DATA needs an open secure channel");
  expect_ok(make_store_allowlist(kid, kvn, serials), "STORE DATA (allowlist)");
}

void GpSession::store_ca_issuer(std::uint8_t kid, std::uint8_t kvn, ByteView identifier) {
  if (!secure()) throw Error(Errc::state_error, "STORE DATA needs an open secure channel");
  expect_ok(make_store_ca_issuer(kid, kvn, identifier), "STORE DATA (CA issuer)");
}

void GpSession::set_card_status(std::uint8_t state) {
  expect_ok(make_set_card_status(state), "SET STATUS");
}

}  // namespace sefleet::gp::host

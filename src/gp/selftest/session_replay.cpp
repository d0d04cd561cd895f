#include "gp/selftest/session_replay.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "gp/card_key_registry.hpp"
#include "gp/scp03_card.hpp"
#include "gp/scp03_derivation.hpp"
#include "gp/scp03_host.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::gp::selftest {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using nlohmann::json;

// Hands out recorded bytes: how a recorded random card challenge is fed to the card role.
class ReplayRandom final : public crypto::Random {
 public:
  explicit ReplayRandom(Bytes bytes) : bytes_(std::move(bytes)) {}
  void fill(MutableByteView out) override {
    if (out.size() > bytes_.size() - used_) throw Error(Errc::state_error, "replay random source exhausted");
    std::copy_n(bytes_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    used_ += out.size();
  }

 private:
  Bytes bytes_;
  std::size_t used_ = 0;
};

// Everything a trace vector fixes about its session.
struct TraceSession {
  StaticKeySet keys;
  Scp03Mode mode = Scp03Mode::s8;
  CommandApdu initialize_update;
  Bytes initialize_update_response;
  InitializeUpdateResponse card_info;
  Bytes external_authenticate;
  std::uint8_t security_level = 0;
  std::vector<Bytes> candidate_aids;
  std::optional<Bytes> derivable_aid;  // the candidate that reproduces a pseudo-random challenge

  // False when the card returned a sequence counter but no candidate AID reproduces its challenge
  // (an emulator's trace): a host can then only run with challenge verification off.
  bool challenge_verifiable() const { return !card_info.sequence_counter || derivable_aid.has_value(); }
};

TraceSession load_trace(const json& v) {
  TraceSession s;
  s.initialize_update = CommandApdu::parse(hex_input(v, "init_update_cmd"));
  s.initialize_update_response = hex_input(v, "init_update_rsp");
  s.card_info = InitializeUpdateResponse::parse(s.initialize_update_response);
  s.keys = StaticKeySet(s.card_info.kvn, SecretBytes(hex_input(v, "key_enc")), SecretBytes(hex_input(v, "key_mac")),
                        SecretBytes(hex_input(v, "key_dek")));
  const std::string mode = v.at("inputs").at("mode").get<std::string>();
  s.mode = mode == "S16" ? Scp03Mode::s16 : Scp03Mode::s8;
  if (s.mode != s.card_info.mode())
    throw Error(Errc::parse_error, "vector mode " + mode + " contradicts its i parameter");
  s.external_authenticate = hex_expected(v, "ext_auth_cmd");
  s.security_level = CommandApdu::parse(s.external_authenticate).p1;
  for (const auto& aid : v.value("candidate_invoking_aids", json::array())) {
    s.candidate_aids.push_back(from_hex(aid.get<std::string>()));
  }
  if (s.card_info.sequence_counter) {
    for (const auto& aid : s.candidate_aids) {
      if (pseudo_random_card_challenge(s.keys.enc.view(), s.mode, *s.card_info.sequence_counter, aid) ==
          s.card_info.card_challenge) {
        s.derivable_aid = aid;
        break;
      }
    }
  }
  return s;
}

Scp03HostOptions host_options(const TraceSession& s, crypto::PaddingPolicy padding, bool verify_challenge) {
  Scp03HostOptions options;
  options.mode = s.mode;
  options.kvn = s.initialize_update.p1;
  options.security_level = s.security_level;
  options.channel = s.initialize_update.channel();
  options.response_padding = padding;
  options.invoking_aids = s.candidate_aids;
  options.verify_pseudo_random_challenge = verify_challenge;
  return options;
}

// Opens the host side of a recorded session, checking IU and EA bytes.
void open_host(Scp03Host& host, const TraceSession& s) {
  expect_equal("INITIALIZE UPDATE", host.initialize_update(s.initialize_update.data).encode(),
               s.initialize_update.encode());
  expect_equal("EXTERNAL AUTHENTICATE",
               host.external_authenticate(ResponseApdu(s.initialize_update_response, iso7816::sw::kOk)).encode(),
               s.external_authenticate);
  host.complete(ResponseApdu(iso7816::sw::kOk));
}

// Host replay; returns the index of the response step a strict host refused for non-minimal padding,
// or nullopt when every step passed.
std::optional<std::size_t> replay_host_steps(const json& v, Scp03Host& host, crypto::PaddingPolicy padding) {
  const auto& steps = v.at("steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    const std::string where = "step " + std::to_string(i) + " ";
    if (step.at("type") == "command") {
      expect_equal(where + "wrapped command", host.wrap(CommandApdu::parse(hex_at(step, "plain"))).encode(),
                   hex_at(step, "wrapped"));
    } else if (step.at("type") == "response") {
      const auto sw = static_cast<std::uint16_t>(read_be(hex_at(step, "sw")));
      try {
        const ResponseApdu plain = host.unwrap(ResponseApdu(hex_at(step, "wrapped_data"), sw));
        expect_equal(where + "unwrapped response", plain.data, hex_at(step, "plain_data"));
      } catch (const Error& e) {
        const bool padding_refusal = padding == crypto::PaddingPolicy::strict && e.code() == Errc::integrity_error &&
                                     std::string(e.what()).find("non-minimal") != std::string::npos;
        if (!padding_refusal) throw;
        return i;
      }
    } else {
      throw Error(Errc::parse_error, where + "has unknown type");
    }
  }
  return std::nullopt;
}

// Card replay; returns the indexes of response steps where the recorded card padded non-minimally
// (our card pads minimally, so its bytes differ there and only there).
std::vector<std::size_t> replay_card(const json& v, const TraceSession& s) {
  InMemoryKeyRegistry registry;
  Scp03CardConfig config;
  config.key_diversification_data = s.card_info.key_diversification_data;
  Bytes expected_iu = s.initialize_update_response;
  ReplayRandom recorded_challenge(s.card_info.card_challenge);
  if (s.card_info.sequence_counter && s.derivable_aid) {
    registry.put(s.keys, *s.card_info.sequence_counter - 1);
    config.i = s.card_info.i;
    config.invoking_aid = *s.derivable_aid;
  } else {
    // The recorded challenge cannot be derived (an emulator's trace): run the card in random-challenge
    // mode with the recorded challenge as its random bytes; only i and the counter field then differ.
    registry.put(s.keys, 0);
    config.i = static_cast<std::uint8_t>(s.card_info.i & ~iparam::kPseudoRandomChallenge);
    InitializeUpdateResponse adjusted = s.card_info;
    adjusted.i = config.i;
    adjusted.sequence_counter.reset();
    expected_iu = adjusted.encode();
  }
  Scp03Card card(registry, config, recorded_challenge);
  const auto application_echo = [](const CommandApdu&) { return ResponseApdu(iso7816::sw::kOk); };
  const ResponseApdu iu = card.process(s.initialize_update, application_echo);
  expect_equal("card INITIALIZE UPDATE response", iu.encode(), concat({expected_iu, Bytes{0x90, 0x00}}));
  const ResponseApdu ea = card.process(CommandApdu::parse(s.external_authenticate), application_echo);
  if (ea.sw != iso7816::sw::kOk) {
    throw Error(Errc::integrity_error, "card refused the recorded EXTERNAL AUTHENTICATE: " +
                                           iso7816::sw::status_word_name(ea.sw) + " (" + card.last_refusal() + ")");
  }
  std::vector<std::size_t> non_minimal;
  const auto& steps = v.at("steps");
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const auto& step = steps[i];
    const std::string where = "card step " + std::to_string(i) + " ";
    if (step.at("type") == "command") {
      const auto unwrapped = card.unwrap(CommandApdu::parse(hex_at(step, "wrapped")));
      if (!unwrapped.command) throw Error(Errc::integrity_error, where + "refused: " + unwrapped.reason);
      expect_equal(where + "plain command", unwrapped.command->encode(), hex_at(step, "plain"));
    } else {
      const auto sw = static_cast<std::uint16_t>(read_be(hex_at(step, "sw")));
      const ResponseApdu wrapped = card.wrap(ResponseApdu(hex_at(step, "plain_data"), sw));
      const Bytes recorded = hex_at(step, "wrapped_data");
      if (wrapped.data != recorded) {
        if (recorded.size() <= wrapped.data.size()) {
          expect_equal(where + "wrapped response", wrapped.data, recorded);
        }
        non_minimal.push_back(i);
      }
    }
  }
  return non_minimal;
}

// A vector with every intermediate value given (asterix, whose author emulated the card): the card
// role must produce the INITIALIZE UPDATE response, the host role the EXTERNAL AUTHENTICATE at level 01
// and the C-DECRYPTION ciphertext of the first command at level 03.
std::string check_emulated_card_vector(const json& v) {
  const auto& in = v.at("inputs");
  const auto kvn = in.at("kvn").get<std::uint8_t>();
  const StaticKeySet keys(kvn, SecretBytes(hex_input(v, "key_enc")), SecretBytes(hex_input(v, "key_mac")),
                          SecretBytes(hex_input(v, "key_dek")));
  const Bytes host_challenge = hex_input(v, "host_challenge");
  const Bytes counter_bytes = hex_input(v, "sequence_counter");
  const auto counter = static_cast<std::uint32_t>(read_be(counter_bytes));
  Scp03CardConfig config;
  config.i = in.at("i").get<std::uint8_t>();
  config.key_diversification_data = hex_input(v, "kdd");
  config.invoking_aid = hex_input(v, "invoking_aid");
  const Scp03Mode mode = mode_of(config.i);

  const SessionKeys session = derive_session_keys(keys, host_challenge, hex_expected(v, "card_challenge"));
  expect_equal("S-ENC", session.s_enc.view(), hex_expected(v, "s_enc"));
  expect_equal("S-MAC", session.s_mac.view(), hex_expected(v, "s_mac"));
  expect_equal("S-RMAC", session.s_rmac.view(), hex_expected(v, "s_rmac"));
  expect_equal("host cryptogram",
               host_cryptogram(session.s_mac.view(), mode, host_challenge, hex_expected(v, "card_challenge")),
               hex_expected(v, "host_cryptogram"));

  const auto run_level = [&](std::uint8_t level) {
    InMemoryKeyRegistry registry;
    registry.put(keys, counter - 1);
    Scp03Card card(registry, config);
    Scp03HostOptions options;
    options.mode = mode;
    options.kvn = kvn;
    options.security_level = level;
    options.invoking_aids = {config.invoking_aid};
    auto host = std::make_unique<Scp03Host>(keys, options);
    const auto app = [](const CommandApdu&) { return ResponseApdu(iso7816::sw::kOk); };
    const ResponseApdu iu = card.process(host->initialize_update(host_challenge), app);
    expect_equal("card INITIALIZE UPDATE response", iu.data, hex_expected(v, "init_update_rsp"));
    const CommandApdu ea = host->external_authenticate(iu);
    const ResponseApdu ea_rsp = card.process(ea, app);
    if (ea_rsp.sw != iso7816::sw::kOk) throw Error(Errc::integrity_error, "card refused EXTERNAL AUTHENTICATE");
    host->complete(ea_rsp);
    return std::make_pair(std::move(host), ea.encode());
  };
  auto [host01, ea01] = run_level(0x01);
  expect_equal("EXTERNAL AUTHENTICATE (level 01)", ea01, hex_expected(v, "ext_auth_cmd_SL01"));
  const auto& mcv = host01->messaging().mac_chaining_value();
  expect_equal("MCV after EXTERNAL AUTHENTICATE", ByteView(mcv.data(), mcv.size()),
               hex_expected(v, "mac_chaining_after_ext_auth_SL01"));
  auto [host03, ea03] = run_level(0x03);
  const auto& first = v.at("expected").at("cdec_SL03_first_cmd");
  const CommandApdu wrapped = host03->wrap(CommandApdu::parse(hex_at(first, "plain")));
  expect_equal("C-DECRYPTION ciphertext", ByteView(wrapped.data.data(), wrapped.data.size() - 8),
               hex_at(first, "encrypted_data"));
  return "card INITIALIZE UPDATE, session keys, cryptograms, EXTERNAL AUTHENTICATE, MCV, C-DECRYPTION";
}

}  // namespace

std::string check_session_vector(const json& v) {
  if (!v.at("inputs").contains("init_update_rsp")) return check_emulated_card_vector(v);
  const TraceSession s = load_trace(v);
  std::string detail = "host and card replay, " + mode_name(s.mode) + ", AES-" + std::to_string(s.keys.key_size() * 8) +
                       ", level " + to_hex(Bytes{s.security_level}) + ", " + std::to_string(v.at("steps").size()) +
                       " steps";
  if (!s.challenge_verifiable()) {
    // The host must refuse a pseudo-random challenge it cannot reproduce...
    bool refused = false;
    try {
      Scp03Host host(s.keys, host_options(s, crypto::PaddingPolicy::lenient, true));
      host.initialize_update(s.initialize_update.data);
      host.external_authenticate(ResponseApdu(s.initialize_update_response, iso7816::sw::kOk));
    } catch (const Error& e) {
      refused = e.code() == Errc::protocol_error;
    }
    if (!refused) throw Error(Errc::integrity_error, "host accepted an underivable pseudo-random card challenge");
    detail += "; challenge not derivable from any candidate AID (refused by a verifying host)";
  }
  // Host, lenient: every step. Host, strict: every step, or a refusal exactly where the card padded
  // non-minimally. Card: minimal padding everywhere, differing from the trace only at those steps.
  const bool verify = s.challenge_verifiable();
  const auto lenient_refusal = [&] {
    Scp03Host host(s.keys, host_options(s, crypto::PaddingPolicy::lenient, verify));
    open_host(host, s);
    return replay_host_steps(v, host, crypto::PaddingPolicy::lenient);
  }();
  if (lenient_refusal) throw Error(Errc::integrity_error, "lenient host refused a response");
  Scp03Host strict(s.keys, host_options(s, crypto::PaddingPolicy::strict, verify));
  open_host(strict, s);
  const auto strict_refusal = replay_host_steps(v, strict, crypto::PaddingPolicy::strict);
  const auto non_minimal = replay_card(v, s);
  if (strict_refusal) {
    if (non_minimal.empty() || non_minimal.front() != *strict_refusal) {
      throw Error(Errc::integrity_error,
                  "strict host refused step " + std::to_string(*strict_refusal) + " although its padding is minimal");
    }
    detail += "; non-minimal response padding at step " + std::to_string(*strict_refusal) +
              " (refused by a strict host, accepted by a lenient one)";
  } else if (!non_minimal.empty()) {
    throw Error(Errc::integrity_error,
                "card response differs from the trace at step " + std::to_string(non_minimal.front()));
  }
  return detail;
}

}  // namespace sefleet::gp::selftest

namespace sefleet::gp::selftest {

std::string check_checkpoint_session(const json& session, const json& scp03) {
  const std::string id = session.at("id").get<std::string>();
  const json* vector = nullptr;
  for (const auto& candidate : scp03.at("vectors")) {
    if (candidate.value("id", std::string()) == id) vector = &candidate;
  }
  if (vector == nullptr) throw Error(Errc::not_found, "no scp03.json session with id " + id);
  const TraceSession s = load_trace(*vector);
  expect_equal("host challenge", s.initialize_update.data, hex_at(session, "host_challenge"));
  expect_equal("card challenge", s.card_info.card_challenge, hex_at(session, "card_challenge"));
  expect_equal("i", Bytes{s.card_info.i}, hex_at(session, "i"));
  expect_equal("security level", Bytes{s.security_level}, hex_at(session, "security_level"));
  const bool verify = s.challenge_verifiable();
  Scp03Host host(s.keys, host_options(s, crypto::PaddingPolicy::strict, verify));
  host.initialize_update(s.initialize_update.data);
  const CommandApdu ea = host.external_authenticate(ResponseApdu(s.initialize_update_response, iso7816::sw::kOk));
  const SessionKeys& keys = host.session_keys();
  expect_equal("S-ENC", keys.s_enc.view(), hex_at(session, "s_enc"));
  expect_equal("S-MAC", keys.s_mac.view(), hex_at(session, "s_mac"));
  expect_equal("S-RMAC", keys.s_rmac.view(), hex_at(session, "s_rmac"));
  expect_equal("card cryptogram", host.card_info().card_cryptogram, hex_at(session, "card_cryptogram"));
  expect_equal("host cryptogram", host.sent_host_cryptogram(), hex_at(session, "host_cryptogram"));
  expect_equal("EXTERNAL AUTHENTICATE", ea.encode(), hex_at(session, "ext_auth_cmd"));
  const auto mcv_view = [&] {
    const auto& mcv = host.messaging().mac_chaining_value();
    return Bytes(mcv.begin(), mcv.end());
  };
  expect_equal("MCV after EXTERNAL AUTHENTICATE", mcv_view(), hex_at(session, "mcv_after_ext_auth"));
  host.complete(ResponseApdu(iso7816::sw::kOk));
  const auto& commands = session.at("commands");
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const auto& c = commands[i];
    const std::string where = "command " + std::to_string(i) + " ";
    expect_equal(where + "wrapped", host.wrap(CommandApdu::parse(hex_at(c, "plain"))).encode(), hex_at(c, "wrapped"));
    if (host.messaging().counter() != c.at("counter").get<std::uint64_t>()) {
      throw Error(Errc::integrity_error, where + "counter is " + std::to_string(host.messaging().counter()));
    }
    expect_equal(where + "command ICV", host.messaging().command_icv(), hex_at(c, "icv_cmd"));
    expect_equal(where + "response ICV", host.messaging().response_icv(), hex_at(c, "icv_rsp"));
    expect_equal(where + "MCV", mcv_view(), hex_at(c, "mcv_after"));
  }
  return "session keys, cryptograms, EXTERNAL AUTHENTICATE, MCV and " + std::to_string(commands.size()) +
         " commands (counter, ICVs, MCV)";
}

}  // namespace sefleet::gp::selftest

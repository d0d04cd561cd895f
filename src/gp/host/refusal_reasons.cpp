#include "gp/host/refusal_reasons.hpp"

#include <algorithm>
#include <set>

#include "core/hex.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/host/life_cycle.hpp"

namespace sefleet::gp::host {
namespace {

constexpr std::uint8_t kCardStates[] = {card_life_cycle::kOpReady, card_life_cycle::kInitialized,
                                        card_life_cycle::kSecured, card_life_cycle::kCardLocked,
                                        card_life_cycle::kTerminated};

std::string joined(const std::vector<std::string>& words, const std::string& last_separator) {
  std::string out;
  for (std::size_t k = 0; k < words.size(); ++k) {
    if (k > 0) out += k + 1 == words.size() ? last_separator : ", ";
    out += words[k];
  }
  return out;
}

std::string version_text(std::uint8_t kvn) {
  return to_hex(Bytes{kvn});
}

}  // namespace

std::vector<std::uint8_t> allowed_card_transitions(std::uint8_t from) {
  std::vector<std::uint8_t> out;
  for (const std::uint8_t to : kCardStates) {
    if (card_life_cycle::is_allowed_transition(from, to)) out.push_back(to);
  }
  return out;
}

std::string set_status_refusal_reason(std::optional<std::uint8_t> current, std::uint8_t wanted) {
  if (!current) return "the card did not report its life cycle (GET STATUS P1=80)";
  const std::string from = card_life_cycle::name(*current);
  std::vector<std::string> names;
  for (const std::uint8_t to : allowed_card_transitions(*current)) names.push_back(card_life_cycle::name(to));
  std::string reason = "the card is " + from + "; ";
  if (names.empty()) return reason + "from " + from + " SET STATUS allows no change";
  reason += "from " + from + " SET STATUS allows " + joined(names, " or ");
  if (*current == wanted) return reason + " (it is " + from + " already)";
  const auto allowed = allowed_card_transitions(*current);
  if (std::find(allowed.begin(), allowed.end(), wanted) == allowed.end()) {
    reason += ", not " + card_life_cycle::name(wanted);
  }
  return reason;
}

std::string put_key_refusal_reason(const DataObject<std::vector<KeyInfo>>& keys, const PutKeyRequest& request) {
  if (!keys.value) return "the card's key information (GET DATA 00E0) is not available: " + keys.unavailable;
  std::set<std::uint8_t> versions;
  for (const auto& k : *keys.value) versions.insert(k.version);
  std::vector<std::string> names;
  for (const std::uint8_t v : versions) names.push_back(version_text(v));
  const std::string held = "the card holds key version" + std::string(names.size() == 1 ? " " : "s ") +
                           (names.empty() ? "(none)" : joined(names, " and "));
  const std::uint8_t kvn = request.new_keys.kvn;
  if (request.replace_kvn == 0 && versions.count(kvn) != 0) {
    return "key version " + version_text(kvn) + " exists already (" + held + "); replace it rather than add it";
  }
  if (request.replace_kvn != 0 && versions.count(request.replace_kvn) == 0) {
    return "there is no key version " + version_text(request.replace_kvn) + " to replace (" + held + ")";
  }
  if (request.replace_kvn != 0 && request.replace_kvn != kvn && versions.count(kvn) != 0) {
    return "key version " + version_text(kvn) + " exists already (" + held + ")";
  }
  return held;
}

void set_card_status_explained(GpSession& session, std::uint8_t state) {
  std::optional<std::uint8_t> current;
  try {
    const auto isd = session.get_status(StatusScope::issuer_security_domain);
    if (!isd.empty()) current = isd.front().life_cycle;
  } catch (const CardRefusal&) {
    // Reported as "did not report its life cycle" if SET STATUS is refused too.
  }
  const auto response = session.transmit(make_set_card_status(state));
  if (!response.ok()) throw CardRefusal("SET STATUS", response.sw, set_status_refusal_reason(current, state));
}

Bytes put_key_explained(GpSession& session, const PutKeyRequest& request) {
  const auto keys = read_key_information(session);
  try {
    return session.put_key(request);
  } catch (const CardRefusal& e) {
    throw CardRefusal("PUT KEY", e.sw(), put_key_refusal_reason(keys, request));
  }
}

}  // namespace sefleet::gp::host

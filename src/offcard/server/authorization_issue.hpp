// When an authorization's cryptography runs (a PAUT issued, an online session finished), the same way
// for the offline, the online SCP11 and the online SCP03 authorization.
//
// A campaign with immediate activation only ever hands out activate authorizations, so its
// authorization is made before the write transaction: writers queue one at a time, and the
// authorizations of other SEs need not wait behind this one's cryptography. A request then refused in
// the transaction made an authorization that is neither stored nor sent. A deferred campaign's action
// (activate, or preload only) depends on its activation state, read in the transaction: its
// authorization is made there.
#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "gp/broadcast/campaign_messages.hpp"
#include "offcard/api/enums.hpp"

namespace sefleet::offcard::server {

template <typename Issued>
class AuthorizationIssue {
 public:
  using Issue = std::function<Issued(gp::broadcast::Action)>;

  // Before the transaction: issues at once for an immediate campaign.
  AuthorizationIssue(api::ActivationMode mode, Issue issue) : issue_(std::move(issue)) {
    if (mode == api::ActivationMode::immediate) early_.emplace(issue_(gp::broadcast::Action::verify_and_activate));
  }

  // In the transaction, once the campaign's row says whether it preloads: the authorization made
  // before, or one made now (every attempt of a retried transaction makes its own). An immediate
  // campaign never preloads, so its early authorization is the one used.
  const Issued& in_transaction(bool preload) {
    if (early_ && !preload) return *early_;
    here_.emplace(issue_(preload ? gp::broadcast::Action::verify_only : gp::broadcast::Action::verify_and_activate));
    return *here_;
  }

 private:
  Issue issue_;
  std::optional<Issued> early_;
  std::optional<Issued> here_;
};

}  // namespace sefleet::offcard::server

#include "card/runtime/secured_command_chain.hpp"

#include <utility>

#include "core/bytes.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card {

namespace sw = iso7816::sw;

namespace {

constexpr std::uint8_t kClaChaining = 0x10;  // CLA b5 in the first interindustry and GlobalPlatform classes

}  // namespace

bool SecuredCommandChain::continues(const iso7816::CommandApdu& part) const noexcept {
  return head_ && static_cast<std::uint8_t>(part.cla & ~kClaChaining) == head_->cla && part.ins == head_->ins &&
         part.p1 == head_->p1 && part.p2 == head_->p2;
}

SecuredCommandChain::Step SecuredCommandChain::accept(iso7816::CommandApdu&& part, bool more) {
  if (!head_) {
    if (!more) return Step{std::move(part), sw::kOk};
    part.cla = static_cast<std::uint8_t>(part.cla & ~kClaChaining);
    part.ne.reset();
    part.extended = false;
    head_ = std::move(part);
    return Step{std::nullopt, sw::kOk};
  }
  if (!continues(part)) {
    discard();
    return Step{std::nullopt, sw::kLastCommandOfChainExpected};
  }
  if (head_->data.size() + part.data.size() > kMaxCommandData) {
    discard();
    return Step{std::nullopt, sw::kWrongLength};
  }
  append(head_->data, part.data);
  if (more) return Step{std::nullopt, sw::kOk};
  iso7816::CommandApdu whole = std::move(*head_);
  head_.reset();
  // The host MACed the whole command in the form its length needs: extended when the data field is
  // longer than a short Lc codes. The Le of the last part is the command's.
  whole.ne = part.ne;
  whole.extended = whole.data.size() > 255;
  return Step{std::move(whole), sw::kOk};
}

}  // namespace sefleet::card

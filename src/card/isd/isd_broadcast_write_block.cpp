// WRITE BLOCK (broadcast-channel.md §5.2): the next chunk of the campaign stream, in broadcast mode.
// The C-MAC under BK-MAC and the C-DECRYPTION under BK-ENC were checked by the channel's Scp03Card
// before the command got here. Every refusal aborts the session (both contexts), which leaves the
// staging abandoned: it is erased by the next command that looks at it (isd_broadcast_mode.cpp).
// Each accepted block is one NVM transaction that appends it to the staged stream (ImageStore).
#include "card/isd/isd_command.hpp"
#include "card/runtime/apdu.hpp"
#include "gp/scp03_card.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

}  // namespace

iso7816::ResponseApdu write_block(const IsdCall& call) {
  require_gp_class(call);
  const gp::Scp03Card* channel = call.ctx.secure_channel();
  if (channel == nullptr || !channel->in_broadcast_mode()) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "WRITE BLOCK: not in broadcast mode");
  }
  ImageStore& images = call.state.images();
  const auto& staging = images.staging();
  if (!call.broadcast.alive() || call.broadcast.channel != call.ctx.channel() || !staging ||
      staging->state != StagingState::receiving) {
    refuse_and_abort(call, sw::kConditionsNotSatisfied, "WRITE BLOCK: no staging is receiving");
  }
  const auto& cmd = call.command;
  if (cmd.data.empty()) refuse_and_abort(call, sw::kWrongLength, "WRITE BLOCK: empty block");
  const std::uint32_t number = (static_cast<std::uint32_t>(cmd.p1) << 8) | cmd.p2;
  if (number != staging->blocks) refuse_and_abort(call, sw::kIncorrectP1P2, "WRITE BLOCK: not the next block number");
  if (cmd.data.size() > staging->total_length - staging->received) {
    refuse_and_abort(call, sw::kNotEnoughMemory, "WRITE BLOCK: data beyond the announced total length");
  }
  // The block's buffer becomes the NVM object as it is when the block starts a segment (a 64 KB block
  // always does): the secure channel decrypted it in place.
  Apdu* apdu = call.ctx.apdu();
  images.append_block(apdu != nullptr ? apdu->take_incoming() : Bytes(cmd.data.begin(), cmd.data.end()));
  return iso7816::ResponseApdu(sw::kOk);
}

}  // namespace sefleet::card::isd

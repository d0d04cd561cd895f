// Internal to the ISD: what one command handler gets, the checks every handler shares, and the
// handlers themselves (one file per command group). Handlers refuse by throwing StatusWordError.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "card/runtime/applet.hpp"
#include "card/state/card_state.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card::isd {

struct IsdCall {
  const iso7816::CommandApdu& command;
  AppletContext& ctx;
  CardState& state;
};

// 6E00 unless CLA is of the GlobalPlatform (proprietary) class: the card management commands are 80/84.
void require_gp_class(const IsdCall& call);
// 6982 unless a secure channel is open on this channel with at least `needed` (level bits, e.g. C-MAC 01).
void require_session(const IsdCall& call, std::uint8_t needed);
// 6700 unless the command has no data field.
void require_no_data(const IsdCall& call);
// The name of a transient buffer that belongs to one logical channel: the ISD is multi-selectable,
// and a multi-step sequence (GET STATUS "next", STORE DATA blocks) on one channel must not be
// disturbed by the same command on another.
std::string per_channel(std::string_view name, std::uint8_t channel);

iso7816::ResponseApdu select_response(const IsdCall& call);
iso7816::ResponseApdu get_data(const IsdCall& call);
iso7816::ResponseApdu get_status(const IsdCall& call);
iso7816::ResponseApdu put_key(const IsdCall& call);
iso7816::ResponseApdu delete_objects(const IsdCall& call);
iso7816::ResponseApdu store_data(const IsdCall& call);
iso7816::ResponseApdu set_status(const IsdCall& call);

}  // namespace sefleet::card::isd

// The Java Card APDU object in C++: the command being processed, its incoming data, Ne, and the
// outgoing data the applet builds. AppletContext::apdu() returns it during select/process (nullptr
// in install, uninstall, deselect and inside a deferred task: a task cannot touch the APDU).
//
// Outgoing data rules (docs/deferred-execution.md "Apdu"):
//  - set_outgoing()/append_outgoing(): any length up to 65536 bytes; what exceeds Ne is delivered by
//    the runtime with 61xx + GET RESPONSE (docs/card-runtime.md). More than 65536 -> StatusWordError 6700.
//  - set_outgoing_no_chaining(): must fit Ne exactly as the host asked: no Le -> 6700; a short command
//    whose Ne is smaller than the data -> 6Cxx (xx = the exact length, 00 for 256); an extended one -> 6700.
//  - If process() returns a ResponseApdu with data AND outgoing data was set, the runtime answers 6F00
//    (two answers to one command is an applet bug); with an empty data field the outgoing data is sent
//    with the returned status word.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bytes.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card {

inline constexpr std::size_t kMaxOutgoing = 65536;

class Apdu {
 public:
  explicit Apdu(const iso7816::CommandApdu& command) noexcept : command_(&command) {}
  // Over a command the runtime owns and hands over: take_incoming() may then move its data out.
  explicit Apdu(iso7816::CommandApdu& command) noexcept : command_(&command), owned_(&command) {}

  const iso7816::CommandApdu& command() const noexcept { return *command_; }
  std::uint8_t cla() const noexcept { return command_->cla; }
  std::uint8_t ins() const noexcept { return command_->ins; }
  std::uint8_t p1() const noexcept { return command_->p1; }
  std::uint8_t p2() const noexcept { return command_->p2; }
  ByteView incoming() const noexcept { return command_->data; }
  // The data field as the applet's own buffer, for an applet that keeps it (the ISD stores a WRITE
  // BLOCK's data as an NVM object): moved out of the command when the runtime handed the command
  // over (incoming() is empty afterwards), copied otherwise. Like a Java Card applet that reuses the
  // APDU buffer, the applet must not read the command's data field after taking it.
  Bytes take_incoming();
  // Ne: 0 when the command has no Le field, 256 for a short Le of 00, 65536 for an extended 0000.
  std::size_t ne() const noexcept { return command_->ne.value_or(0); }
  bool has_le() const noexcept { return command_->ne.has_value(); }

  void set_outgoing(ByteView data);
  void append_outgoing(ByteView data);
  void set_outgoing_no_chaining(ByteView data);
  ByteView outgoing() const noexcept { return outgoing_; }
  bool outgoing_set() const noexcept { return outgoing_set_; }
  // Runtime side: takes the outgoing data.
  Bytes take_outgoing() noexcept;

 private:
  const iso7816::CommandApdu* command_;
  iso7816::CommandApdu* owned_ = nullptr;  // the same command, when its data may be taken
  Bytes outgoing_;
  bool outgoing_set_ = false;
};

}  // namespace sefleet::card

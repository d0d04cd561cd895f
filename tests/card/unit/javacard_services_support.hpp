// The card of the org.globalplatform and org.sefleet.deferred tests: a VirtualCard (its Issuer
// Security Domain, SCP03 key sets, card life cycle, registry, deferred executor and Java Card VM) on a
// RAM medium, with the Java test applets loaded and installed through the ISD as `sefleet gp load` and
// `sefleet gp install` do (INSTALL [for load], LOAD, INSTALL [for install] in an SCP03 session).
// Reopening it on the same medium is a restart of `sefleet card run`; a medium may be torn at a
// physical write.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/loadfile/load_file.hpp"
#include "card/runtime/runtime.hpp"
#include "card/virtual_card.hpp"
#include "crypto/random.hpp"
#include "isd_broadcast_test_support.hpp"
#include "isd_java_test_support.hpp"
#include "javacard_vm_support.hpp"

namespace sefleet::card::javacard::test {

inline const Bytes kIsdAid = from_hex("A000000151000000");

class JavaVirtualCard {
 public:
  // Opens the card on `medium` and powers it on.
  explicit JavaVirtualCard(nvm::MemoryDevice::Medium medium, VirtualCardOptions options = {})
      : medium_(std::move(medium)), random_(Bytes{7, 7, 7}) {
    options.random = &random_;
    options.clock = &clock_;
    card_ = std::make_unique<VirtualCard>(VirtualCard::open(std::make_unique<nvm::MemoryDevice>(medium_), options));
    card_->endpoint().power_on();
  }

  // A new card: personalised with the ISD test profile.
  static nvm::MemoryDevice::Medium new_medium() { return card::test::personalized_medium(); }

  VirtualCard& card() { return *card_; }
  Runtime& runtime() { return card_->runtime(); }
  JavaCardVm& vm() { return card_->java_card(); }
  const nvm::MemoryDevice::Medium& medium() const { return medium_; }
  VirtualClock& clock() { return clock_; }

  // LOAD of `file` through the ISD, in one SCP03 session (the ISD is selected on the basic channel).
  void load(const LoadFile& file) {
    card::test::HostSession session = open_isd_session();
    for (const auto& command : card::test::load_sequence(encode_load_file(file), file.package_aid)) {
      ASSERT_EQ(session.send_plain(command).sw, 0x9000);
    }
  }
  // INSTALL [for install and make selectable] through the ISD; the instance is then the runtime's.
  void install(ByteView package_aid, ByteView class_aid, ByteView instance_aid, ByteView params = {}) {
    card::test::HostSession session = open_isd_session();
    const auto command = card::test::java_install(
        Bytes(package_aid.begin(), package_aid.end()), Bytes(class_aid.begin(), class_aid.end()),
        Bytes(instance_aid.begin(), instance_aid.end()), Bytes(params.begin(), params.end()));
    ASSERT_EQ(session.send_plain(command).sw, 0x9000);
  }

  iso7816::ResponseApdu send(const iso7816::CommandApdu& command) {
    return iso7816::ResponseApdu::parse(runtime().transmit(command.encode()));
  }
  // Sends an APDU (hex) and returns the response as hex, status word included.
  std::string send(const std::string& apdu_hex) { return to_hex(runtime().transmit(from_hex(apdu_hex))); }
  std::string select(ByteView instance_aid, std::uint8_t channel = 0) {
    Bytes apdu{iso7816::cla_for_channel(0x00, channel, false), 0xA4, 0x04, 0x00,
               static_cast<std::uint8_t>(instance_aid.size())};
    append(apdu, instance_aid);
    return to_hex(runtime().transmit(apdu));
  }

 private:
  card::test::HostSession open_isd_session() {
    card::test::HostSession session(card_->endpoint(), card::test::test_profile().scp03, 0x03);
    EXPECT_TRUE(session.open()) << std::hex << session.last_sw();
    return session;
  }

  nvm::MemoryDevice::Medium medium_;
  crypto::DeterministicRandom random_;
  VirtualClock clock_;
  std::unique_ptr<VirtualCard> card_;
};

}  // namespace sefleet::card::javacard::test

// Helpers of the INSTALL / DELETE tests: the catalog's counter applet AIDs, the commands built with the
// host-side builders (gp/host/install.hpp, as `sefleet gp install` sends them), and a card on disk.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "card/nvm/nvm_store.hpp"
#include "card/virtual_card.hpp"
#include "gp/host/install.hpp"
#include "isd_test_support.hpp"
#include "support/temp_dir.hpp"

namespace sefleet::card::test {

inline const Bytes kLoadFile = from_hex("F053460001");
inline const Bytes kModule = from_hex("F05346000101");
inline const Bytes kInstance = from_hex("F0534600010101");

inline iso7816::CommandApdu install_command(const Bytes& aid, bool selectable = true, Bytes parameters = {},
                                            Bytes privileges = Bytes{0x00}) {
  gp::host::InstallRequest request;
  request.load_file_aid = kLoadFile;
  request.module_aid = kModule;
  request.application_aid = aid;
  request.privileges = std::move(privileges);
  request.parameters = std::move(parameters);
  request.make_selectable = selectable;
  return gp::host::make_install(request);
}

// The committed objects of applet instances: records ("reg/inst/...") and the instances' own
// persistent objects ("app/<AID>/...").
inline std::vector<std::string> instance_records(const nvm::NvmStore& store) {
  std::vector<std::string> names;
  for (const auto& [name, value] : store.committed()) {
    if (name.starts_with("reg/inst/") || name.starts_with("app/")) names.push_back(name);
  }
  return names;
}

inline iso7816::ResponseApdu select_aid(transport::CardEndpoint& card, const Bytes& aid) {
  return send(card, iso7816::CommandApdu(0x00, 0xA4, 0x04, 0x00, aid, 256));
}

class InstallCardTest : public ::testing::Test {
 protected:
  InstallCardTest() {
    VirtualCard::personalize(dir_.path(), test_profile());
    reopen();
  }
  void reopen() {
    card_.reset();
    card_.emplace(VirtualCard::open(dir_.path()));
    endpoint().power_on();
  }
  transport::CardEndpoint& endpoint() { return card_->endpoint(); }
  VirtualCard& card() { return *card_; }
  HostSession session(std::uint8_t level = 0x03, std::uint8_t channel = 0) {
    HostSession s(endpoint(), test_profile().scp03, level, channel);
    EXPECT_TRUE(s.open()) << std::hex << s.last_sw();
    return s;
  }
  // One command in a fresh session at `level` (the ISD selected on the basic channel).
  iso7816::ResponseApdu managed(const iso7816::CommandApdu& command, std::uint8_t level = 0x03) {
    HostSession s = session(level);
    return s.send_plain(command);
  }
  iso7816::ResponseApdu select(const Bytes& aid, std::uint8_t channel = 0) {
    return send(endpoint(),
                iso7816::CommandApdu(iso7816::cla_for_channel(0x00, channel, false), 0xA4, 0x04, 0x00, aid, 256));
  }
  iso7816::ResponseApdu counter(std::uint8_t ins, Bytes data = {}, std::uint8_t channel = 0) {
    return send(endpoint(), iso7816::CommandApdu(iso7816::cla_for_channel(0x80, channel, false), ins, 0x00, 0x00,
                                                 std::move(data), 256));
  }

  sefleet::test::TempDir dir_;
  std::optional<VirtualCard> card_;
};

}  // namespace sefleet::card::test

// Link and host profiles: the ISO 14443 air figures reproduce the published air-time model (9 etu per byte), the full
// path adds the reader, CAN and SE-interface hops, and malformed files are refused naming the field.
#include <cmath>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "sim/timing/embedded_profiles.hpp"
#include "sim/timing/host_profile.hpp"
#include "sim/timing/link_profile.hpp"

namespace sefleet::sim {
namespace {

template <typename Load>
void expect_link_host_refused(Load load, const nlohmann::json& document, const std::string& needle) {
  try {
    (void)load(document.dump());
    FAIL() << "accepted a profile that should name " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::invalid_argument) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

const auto load_link = [](const std::string& text) { return LinkProfile::from_json(text); };
const auto load_host = [](const std::string& text) { return HostProfile::from_json(text); };

double air_round_trip_ms(const LinkProfile& link, std::size_t command, std::size_t response) {
  return static_cast<double>(link.segment_ns(LinkSegment::air, command) + link.segment_ns(LinkSegment::air, response)) /
         1e6;
}

TEST(TimingLinkProfile, AirTimeMatchesTheReferenceModel) {
  // Reference §2.3: AUTH0 (113 B command / 87 B response) takes 17.7 / 8.9 / 4.6 / 2.4 ms of air time
  // at 106 / 212 / 424 / 848 kbit/s (+3 B per block each way, + 2 frame delays).
  const struct {
    const char* name;
    double reference_ms;
    std::uint64_t per_byte_ns;
  } cases[] = {{"iso14443_106", 17.7, 85'000},
               {"iso14443_212", 8.9, 42'000},
               {"iso14443_424", 4.6, 21'000},
               {"iso14443_848", 2.4, 11'000}};
  for (const auto& c : cases) {
    const LinkProfile link = LinkProfile::builtin(c.name);
    EXPECT_EQ(link.name, c.name);
    // Exactly (113 + 3 + 87 + 3) bytes and two 87 us frame delays.
    EXPECT_EQ(link.segment_ns(LinkSegment::air, 113) + link.segment_ns(LinkSegment::air, 87),
              206 * c.per_byte_ns + 2 * 87'000u)
        << c.name;
    // The reference rounds per-byte times differently (21.2 vs 21 us): within 0.15 ms.
    EXPECT_NEAR(air_round_trip_ms(link, 113, 87), c.reference_ms, 0.15) << c.name;
  }
}

TEST(TimingLinkProfile, FullPathAddsReaderBusAndSeInterfaceHops) {
  const LinkProfile link = LinkProfile::builtin("iso14443_424");
  ASSERT_EQ(link.hops.size(), 4u);
  std::uint64_t by_segment = 0;
  for (LinkSegment segment : {LinkSegment::air, LinkSegment::reader, LinkSegment::bus, LinkSegment::se_interface}) {
    EXPECT_GT(link.segment_ns(segment, 100), 0u) << link_segment_name(segment);
    by_segment += link.segment_ns(segment, 100);
  }
  EXPECT_EQ(link.command_ns(100), by_segment);
  EXPECT_EQ(link.response_ns(100), link.command_ns(100));
  EXPECT_GT(link.command_ns(200), link.command_ns(100));
  // CAN with ISO-TP: 7 bytes a frame, so 15 frames for 100 bytes.
  const LinkHop& can = link.hops[2];
  EXPECT_EQ(can.segment, LinkSegment::bus);
  EXPECT_EQ(can.transfer_ns(100), can.fixed_ns + 15 * can.per_frame_ns);
  for (const LinkHop& hop : link.hops) {
    EXPECT_FALSE(hop.source.empty()) << hop.name;
  }
}

TEST(TimingLinkProfile, LongApdusAreChainedIntoFrames) {
  const LinkHop air = LinkProfile::builtin("iso14443_106").hops.front();
  ASSERT_EQ(air.max_frame_payload, 253u);
  // 253 B fit one I-block; 254 B need two, each with its framing bytes and frame delay.
  EXPECT_EQ(air.transfer_ns(253), 87'000u + 256 * 85'000u);
  EXPECT_EQ(air.transfer_ns(254), 2 * 87'000u + (254 + 6) * 85'000u);
  // An empty transfer is still one frame.
  EXPECT_EQ(air.transfer_ns(0), 87'000u + 3 * 85'000u);
}

TEST(TimingLinkProfile, BleAndUwbAreLatencyPlusThroughput) {
  const LinkProfile ble = LinkProfile::builtin("ble");
  const LinkProfile uwb = LinkProfile::builtin("uwb");
  EXPECT_GT(ble.segment_ns(LinkSegment::air, 10), 7'000'000u);  // half a 15 ms connection interval
  EXPECT_LT(uwb.segment_ns(LinkSegment::air, 100), ble.segment_ns(LinkSegment::air, 100));
  EXPECT_EQ(list_builtin_link_profiles(),
            (std::vector<std::string>{"ble", "iso14443_106", "iso14443_212", "iso14443_424", "iso14443_848", "uwb"}));
}

TEST(TimingLinkProfile, RefusesMalformedProfilesNamingTheField) {
  const nlohmann::json base = nlohmann::json::parse(*find_embedded_profile("link", "iso14443_424"));
  nlohmann::json doc = base;
  doc["hops"] = nlohmann::json::array();
  expect_link_host_refused(load_link, doc, "'hops'");
  doc = base;
  doc["hops"][1]["segment"] = "wire";
  expect_link_host_refused(load_link, doc, "hops[1].segment");
  doc = base;
  doc["hops"][0]["per_byte_us"] = -21;
  expect_link_host_refused(load_link, doc, "hops[0].per_byte_us");
  doc = base;
  doc["hops"][2].erase("per_frame_us");
  expect_link_host_refused(load_link, doc, "hops[2].per_frame_us' is missing");
  doc = base;
  doc["hops"][0]["frame_overhead_bytes"] = -3;
  expect_link_host_refused(load_link, doc, "hops[0].frame_overhead_bytes");
  doc = base;
  doc["hops"][3]["name"] = doc["hops"][0]["name"];
  expect_link_host_refused(load_link, doc, "hops[3].name");
  doc = base;
  doc["hops"][0]["latency"] = 1;
  expect_link_host_refused(load_link, doc, "hops[0].latency");
  doc = base;
  doc["kind"] = "se";
  expect_link_host_refused(load_link, doc, "'kind'");
  EXPECT_THROW((void)LinkProfile::builtin("iso14443_999"), Error);
}

TEST(TimingHostProfile, EveryStepOfEveryHost) {
  EXPECT_EQ(list_builtin_host_profiles(), (std::vector<std::string>{"phone", "vehicle_ecu"}));
  for (const std::string& name : list_builtin_host_profiles()) {
    const HostProfile host = HostProfile::builtin(name);
    ASSERT_EQ(host.steps.size(), kHostSteps.size());
    for (std::string_view step : kHostSteps) {
      EXPECT_GT(host.step_ns(step), 0u) << name << " " << step;
    }
  }
  const HostProfile phone = HostProfile::builtin("phone");
  const HostProfile ecu = HostProfile::builtin("vehicle_ecu");
  EXPECT_EQ(phone.step_ns("verify_signature"), 300'000u);
  EXPECT_GT(ecu.step_ns("verify_signature"), phone.step_ns("verify_signature"));
}

TEST(TimingHostProfile, UnknownStepsAndMalformedFilesAreRefused) {
  const HostProfile phone = HostProfile::builtin("phone");
  try {
    (void)phone.step_ns("teleport");
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Errc::not_found);
    EXPECT_NE(std::string(e.what()).find("teleport"), std::string::npos);
  }
  const nlohmann::json base = nlohmann::json::parse(*find_embedded_profile("host", "phone"));
  nlohmann::json doc = base;
  doc["steps"]["teleport"] = {{"us", 1}, {"source", "x"}};
  expect_link_host_refused(load_host, doc, "steps.teleport");
  doc = base;
  doc["steps"].erase("ecdh");
  expect_link_host_refused(load_host, doc, "steps.ecdh' is missing");
  doc = base;
  doc["steps"]["kdf"]["us"] = -0.5;
  expect_link_host_refused(load_host, doc, "steps.kdf.us");
  doc = base;
  doc["steps"]["kdf"]["us"] = nullptr;
  expect_link_host_refused(load_host, doc, "steps.kdf.us");
  doc = base;
  doc.erase("name");
  expect_link_host_refused(load_host, doc, "'name' is missing");
}

}  // namespace
}  // namespace sefleet::sim

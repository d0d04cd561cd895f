// The install parameters of the Java vehicle applet (javacard/applets/org/sefleet/dk): the same
// configuration the C++ applet takes in its constructor (VehicleKeyConfig), as the application data of
// INSTALL [for install] (the value of tag C9 of the GlobalPlatform install parameters, what
// `sefleet gp install --params HEX` carries):
//
//   4F 10 vehicle id
//   C4 20 vehicle private key (P-256 scalar)
//   A1 38 { 4D 10 device id, C5 21 device public key (compressed: 02/03 || X), 4E 01 key slot }
//
// The applet refuses anything else with 6A80 (and so does this encoder, with Error(invalid_argument)).
// Java Card gives install() the instance AID, the control information and these parameters in one
// array whose length is a byte (at most 127 bytes in all), so the public key travels compressed and
// the parameters hold exactly one enrolled device (110 bytes; the applet takes its point back with
// ECPublicKey.setW, which refuses an X that is not on the curve).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "card/applets/digital_key/vehicle_key_applet.hpp"
#include "core/bytes.hpp"
#include "core/secret.hpp"

namespace sefleet::card::dk {

// The load file of the Java vehicle applet: package org.sefleet.dk with the applet class
// org.sefleet.dk.VehicleKeyApplet; its instance is installed with kVehicleKeyAid.
inline constexpr std::array<std::uint8_t, 6> kJavaVehiclePackageAid = {0xF0, 0x53, 0x46, 0x44, 0x4B, 0x76};
inline constexpr std::array<std::uint8_t, 7> kJavaVehicleAppletAid = {0xF0, 0x53, 0x46, 0x44, 0x4B, 0x76, 0x01};
inline constexpr std::string_view kJavaVehiclePackage = "org/sefleet/dk";
inline constexpr std::string_view kJavaVehicleAppletClass = "org/sefleet/dk/VehicleKeyApplet";

inline constexpr std::uint8_t kTagVehiclePrivateKey = 0xC4;  // install parameters only
inline constexpr std::uint8_t kTagDevicePublicKey = 0xC5;
inline constexpr std::uint8_t kTagEnrolledDevice = 0xA1;

// Throws Error(invalid_argument) for what the applet would refuse: sizes, not exactly one device, a
// public key that is not an uncompressed point encoding. Whether the point is on the curve and the
// scalar's range are checked by the applet (6A80), as the C++ applet's constructor checks them.
// Secret: it holds the vehicle key.
SecretBytes encode_vehicle_install_params(const VehicleKeyConfig& config);

}  // namespace sefleet::card::dk

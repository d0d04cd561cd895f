#include "card/applets/digital_key/vehicle_install_params.hpp"

#include <set>

#include "core/error.hpp"
#include "crypto/p256.hpp"

namespace sefleet::card::dk {
namespace {

void put(Bytes& out, std::uint8_t tag, ByteView value) {
  out.push_back(tag);
  out.push_back(static_cast<std::uint8_t>(value.size()));
  append(out, value);
}

[[noreturn]] void refuse(const std::string& why) {
  throw Error(Errc::invalid_argument, "vehicle applet install parameters: " + why);
}

}  // namespace

SecretBytes encode_vehicle_install_params(const VehicleKeyConfig& config) {
  if (config.vehicle_id.size() != kIdentifierSize) refuse("the vehicle id must be 16 bytes");
  if (config.vehicle_private_key.size() != crypto::kP256ScalarSize) refuse("the vehicle private key must be 32 bytes");
  if (config.devices.empty() || config.devices.size() > kJavaVehicleMaxDevices) {
    refuse("1 to " + std::to_string(kJavaVehicleMaxDevices) + " enrolled devices");
  }
  std::set<Bytes> ids;
  std::set<std::uint8_t> slots;
  for (const auto& device : config.devices) {
    if (device.device_id.size() != kIdentifierSize) refuse("a device id must be 16 bytes");
    if (device.public_key.size() != crypto::kP256PointSize) refuse("a device public key must be 65 bytes");
    if (!ids.insert(device.device_id).second) refuse("duplicate device id");
    if (!slots.insert(device.key_slot).second) refuse("duplicate key slot");
  }
  // Nothing throws from here on, so the copy of the private key is always wiped (SecretBytes::take).
  Bytes out;
  put(out, kTagVehicleId, config.vehicle_id);
  put(out, kTagVehiclePrivateKey, config.vehicle_private_key.view());
  for (const auto& device : config.devices) {
    Bytes enrolled;
    put(enrolled, kTagDeviceId, device.device_id);
    put(enrolled, kTagDevicePublicKey, device.public_key);
    put(enrolled, kTagKeySlot, Bytes{device.key_slot});
    put(out, kTagEnrolledDevice, enrolled);
  }
  return SecretBytes::take(out);
}

}  // namespace sefleet::card::dk

#include "card/applets/digital_key/vehicle_install_params.hpp"

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
  if (config.vehicle_id.size() != protocols::dk::kIdentifierSize) refuse("the vehicle id must be 16 bytes");
  if (config.vehicle_private_key.size() != crypto::kP256ScalarSize) refuse("the vehicle private key must be 32 bytes");
  if (config.devices.size() != 1) refuse("exactly one enrolled device (the parameters must fit 127 bytes)");
  const auto& device = config.devices.front();
  if (device.device_id.size() != protocols::dk::kIdentifierSize) refuse("a device id must be 16 bytes");
  if (device.public_key.size() != crypto::kP256PointSize || device.public_key.front() != 0x04) {
    refuse("a device public key must be an uncompressed point (65 bytes, 04 || X || Y)");
  }
  // Nothing throws from here on, so the copy of the private key is always wiped (SecretBytes::take).
  Bytes out;
  put(out, protocols::dk::kTagVehicleId, config.vehicle_id);
  put(out, kTagVehiclePrivateKey, config.vehicle_private_key.view());
  Bytes compressed{static_cast<std::uint8_t>(0x02 | (device.public_key.back() & 0x01))};
  compressed.insert(compressed.end(), device.public_key.begin() + 1, device.public_key.begin() + 1 + 32);
  Bytes enrolled;
  put(enrolled, protocols::dk::kTagDeviceId, device.device_id);
  put(enrolled, kTagDevicePublicKey, compressed);
  put(enrolled, protocols::dk::kTagKeySlot, Bytes{device.key_slot});
  put(out, kTagEnrolledDevice, enrolled);
  return SecretBytes::take(out);
}

}  // namespace sefleet::card::dk

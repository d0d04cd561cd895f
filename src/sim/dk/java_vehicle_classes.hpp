// The class files of the Java vehicle applet (javacard/applets/org/sefleet/dk, compiled by javac at
// build time), embedded in the simulation library by src/sim/CMakeLists.txt through
// cmake/SefleetEmbedAssets.cmake. java_vehicle.hpp packs them into the applet's load file.
#pragma once

#include <cstddef>
#include <string_view>

namespace sefleet::sim::dk::detail {

struct EmbeddedFile {
  std::string_view name;  // path under the class output, e.g. "org/sefleet/dk/VehicleKeyApplet.class"
  const unsigned char* data;
  std::size_t size;
};
extern const EmbeddedFile kJavaVehicleClasses[];
extern const std::size_t kJavaVehicleClassCount;

}  // namespace sefleet::sim::dk::detail

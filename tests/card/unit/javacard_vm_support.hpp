// Helpers of the Java Card VM tests: load files built from the Java test applets the build compiled
// (tests/card/javacard/<name>, classes under SEFLEET_JAVACARD_APPLETS_DIR), and a card harness: a
// runtime over an NVM store on a RAM medium with the VM attached, to install applets, send APDUs,
// and reopen the card on the same medium (a restart of `sefleet card run`).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "card/javacard/java_card_vm.hpp"
#include "card/javacard/loadfile/load_file.hpp"
#include "card/javacard/vm/vm.hpp"
#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/nvm/tearing_device.hpp"
#include "card/runtime/runtime.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/hex.hpp"
#include "crypto/random.hpp"
#include "iso7816/apdu.hpp"

namespace sefleet::card::javacard::test {

inline std::filesystem::path applet_classes(const std::string& name) {
  return std::filesystem::path(SEFLEET_JAVACARD_APPLETS_DIR) / name / "classes";
}

// The class files of `package` under the applet's class folder (a folder may hold several packages),
// sorted by name.
inline LoadFile load_file_of(const std::string& name, const std::string& package, ByteView package_aid,
                             std::vector<AppletDeclaration> applets = {}) {
  LoadFile file;
  file.package_aid.assign(package_aid.begin(), package_aid.end());
  file.package_name = package;
  file.applets = std::move(applets);
  const auto root = applet_classes(name);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".class") continue;
    std::string class_name = std::filesystem::relative(entry.path(), root).replace_extension().generic_string();
    if (class_name.rfind('/') != package.size() || !class_name.starts_with(package)) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    Bytes bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    file.classes.push_back(ClassBytes{std::move(class_name), std::move(bytes)});
  }
  std::ranges::sort(file.classes, {}, &ClassBytes::name);
  if (file.classes.empty()) throw std::runtime_error("no class files under " + root.string());
  return file;
}

inline Bytes aid(const char* hex) {
  return from_hex(hex);
}

// A card: NVM store on a RAM medium (optionally cut at a physical write), the VM, a runtime whose
// registry holds the installed Java instances, power on.
class Card {
 public:
  // tear_at: cut power at that physical write counted from opening (0: only count them).
  explicit Card(nvm::MemoryDevice::Medium medium = nullptr, std::optional<std::uint64_t> tear_at = std::nullopt,
                VmLimits limits = {}, std::size_t keep_bytes = 0)
      : medium_(medium ? std::move(medium) : std::make_shared<Bytes>()), random_(Bytes{1, 2, 3}) {
    if (medium_->empty()) {
      nvm::MemoryDevice device(medium_);
      nvm::NvmStore::format(device);
    }
    std::unique_ptr<nvm::NvmDevice> device = std::make_unique<nvm::MemoryDevice>(medium_);
    if (tear_at) {
      auto tearing = std::make_unique<nvm::TearingDevice>(std::move(device), *tear_at, keep_bytes);
      tearing_ = tearing.get();
      device = std::move(tearing);
    }
    store_ = std::make_unique<nvm::NvmStore>(std::move(device));
    VmServices services;
    services.store = store_.get();
    services.clock = &clock_;
    services.random = &random_;
    services.limits = limits;
    vm_ = std::make_unique<JavaCardVm>(services);
    RuntimeConfig config;
    config.atr = Bytes{0x3B, 0x00};
    config.store = store_.get();
    config.clock = &clock_;
    config.random = &random_;
    runtime_ = std::make_unique<Runtime>(std::move(config));
    vm_->attach(*runtime_);
    for (const auto& instance_aid : vm_->instances()) place(instance_aid, vm_->instance(instance_aid));
    runtime_->power_on();
  }

  JavaCardVm& vm() { return *vm_; }
  vm::Vm& machine() { return vm_->machine(); }
  Runtime& runtime() { return *runtime_; }
  nvm::NvmStore& store() { return *store_; }
  const nvm::MemoryDevice::Medium& medium() const { return medium_; }
  VirtualClock& clock() { return clock_; }
  nvm::TearingDevice* tearing() { return tearing_; }

  void install(ByteView package_aid, ByteView class_aid, ByteView instance_aid, ByteView params = {}) {
    place(instance_aid, vm_->install(package_aid, class_aid, instance_aid, params));
  }

  // Sends an APDU (hex) and returns the response as hex, status word included.
  std::string send(const std::string& apdu_hex) { return to_hex(runtime_->transmit(from_hex(apdu_hex))); }
  std::string select(ByteView instance_aid) {
    Bytes apdu{0x00, 0xA4, 0x04, 0x00, static_cast<std::uint8_t>(instance_aid.size())};
    append(apdu, instance_aid);
    apdu.push_back(0x00);  // Le: the applet's answer to its SELECT
    return to_hex(runtime_->transmit(apdu));
  }

 private:
  void place(ByteView instance_aid, std::unique_ptr<Applet> applet) {
    RegistryEntry entry;
    entry.aid.assign(instance_aid.begin(), instance_aid.end());
    runtime_->install_applet(std::move(entry), std::move(applet));
  }

  nvm::MemoryDevice::Medium medium_;
  VirtualClock clock_;
  crypto::DeterministicRandom random_;
  nvm::TearingDevice* tearing_ = nullptr;
  std::unique_ptr<nvm::NvmStore> store_;
  std::unique_ptr<JavaCardVm> vm_;
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace sefleet::card::javacard::test

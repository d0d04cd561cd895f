// INSTALL (GPCS v2.3.1 §11.5) of executable modules: those of the built-in catalog and the applets
// of Java Card packages loaded with LOAD. P1 04 [for install], 08 [for make selectable], 0C both at
// once, 02 [for load] (isd_load.cpp); P2 00. Data: Lf load file AID, Lm module AID, La application
// AID, Lp privileges, Li install parameters (C9 <application parameters>), Lt token. [for make
// selectable] has Lf = Lm = 0 and Li = 0. A built-in instance's record is written in ONE NVM
// transaction before the instance joins the registry, so a power loss leaves no instance or a
// complete one. A Java instance takes two: the VM's install (the applet's install() method and its
// objects), then the record, the commit point; VirtualCard::open deletes a VM instance left without
// record by a power loss between them. Status words: docs/isd.md "INSTALL".
#include <algorithm>
#include <optional>
#include <string>

#include "card/applets/catalog.hpp"
#include "card/isd/isd_command.hpp"
#include "card/javacard/java_card_vm.hpp"
#include "card/runtime/applet_registry.hpp"
#include "core/error.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/scp03_types.hpp"
#include "iso7816/status_words.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

namespace sw = iso7816::sw;

constexpr std::uint8_t kForLoad = 0x02;
constexpr std::uint8_t kForInstall = 0x04;
constexpr std::uint8_t kForMakeSelectable = 0x08;

struct InstallData {
  Bytes load_file;
  Bytes module;
  Bytes application;
  Bytes privileges;
  Bytes parameters;  // the whole install parameters field (C9 ...)
  Bytes token;
};

// The six length-prefixed fields, nothing before, between or after them; 6A80 otherwise.
InstallData parse_fields(ByteView data) {
  std::size_t at = 0;
  auto field = [&](const char* name) {
    if (at >= data.size()) throw StatusWordError(sw::kWrongData, std::string("INSTALL: missing ") + name + " length");
    const std::size_t length = data[at++];
    if (data.size() - at < length)
      throw StatusWordError(sw::kWrongData, std::string("INSTALL: ") + name + " overruns the data");
    Bytes value(data.begin() + static_cast<std::ptrdiff_t>(at),
                data.begin() + static_cast<std::ptrdiff_t>(at + length));
    at += length;
    return value;
  };
  InstallData out;
  out.load_file = field("load file AID");
  out.module = field("module AID");
  out.application = field("application AID");
  out.privileges = field("privileges");
  out.parameters = field("install parameters");
  out.token = field("token");
  if (at != data.size()) throw StatusWordError(sw::kWrongData, "INSTALL: bytes after the token field");
  return out;
}

bool is_aid(ByteView aid) {
  return aid.size() >= 5 && aid.size() <= 16;
}

// 1 or 3 privilege bytes (GPCS Table 11-7), normalized to 3. This card grants applications no
// privilege: each one names a card function (default selection, card lock/terminate, CVM, global
// services ...) that its instances would need the OPEN to honour, and none is implemented for them.
Bytes check_privileges(ByteView privileges) {
  if (privileges.size() != 1 && privileges.size() != 3) {
    throw StatusWordError(sw::kWrongData, "INSTALL: privileges must be 1 or 3 bytes");
  }
  if (std::ranges::any_of(privileges, [](std::uint8_t b) { return b != 0; })) {
    throw StatusWordError(sw::kWrongData, "INSTALL: applications get no privileges on this card (00 only)");
  }
  return Bytes(3, 0x00);
}

// The application-specific parameters: the C9 value. An empty field is taken as "C9 00".
Bytes application_parameters(ByteView field) {
  if (field.empty()) return {};
  const auto objects = iso7816::try_parse_tlv_sequence(field);
  if (!objects || objects->size() != 1 || (*objects)[0].tag() != 0xC9) {
    throw StatusWordError(sw::kWrongData, "INSTALL: install parameters must be exactly one C9 object");
  }
  const Bytes& value = (*objects)[0].value();
  if (value.size() > kMaxInstallParameters) throw StatusWordError(sw::kWrongData, "INSTALL: C9 value too long");
  return value;
}

iso7816::ResponseApdu install_instance(const IsdCall& call, const InstallData& data, bool selectable) {
  if (!is_aid(data.load_file) || !is_aid(data.module) || !is_aid(data.application)) {
    throw StatusWordError(sw::kWrongData, "INSTALL: load file, module and application AIDs are 5..16 bytes");
  }
  const Bytes privileges = check_privileges(data.privileges);
  const Bytes parameters = application_parameters(data.parameters);
  const applets::CatalogLoadFile* load_file = applets::find_load_file(data.load_file);
  std::optional<javacard::PackageInfo> package;
  if (load_file == nullptr && call.vm != nullptr) package = call.vm->find_package(data.load_file);
  if (load_file == nullptr && !package)
    throw StatusWordError(sw::kReferencedDataNotFound, "INSTALL: no such load file");
  const applets::CatalogModule* module = load_file != nullptr ? applets::find_module(*load_file, data.module) : nullptr;
  const bool java_module =
      package && std::ranges::any_of(package->applets, [&](const auto& applet) { return applet.aid == data.module; });
  if (module == nullptr && !java_module)
    throw StatusWordError(sw::kReferencedDataNotFound, "INSTALL: no such module in the load file");
  if (call.ctx.registry().find(data.application) != nullptr) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "INSTALL: the application AID is already in the registry");
  }
  if (call.instances->all().size() >= kMaxAppletInstances) {
    throw StatusWordError(sw::kNotEnoughMemory, "INSTALL: no room for another instance");
  }

  AppletInstance instance;
  instance.aid = data.application;
  instance.code = java_module ? AppletInstance::Code::java : AppletInstance::Code::built_in;
  instance.load_file_aid = data.load_file;
  instance.module_aid = data.module;
  instance.privileges = privileges;
  instance.life_cycle = selectable ? app_life_cycle::kSelectable : app_life_cycle::kInstalled;
  instance.install_parameters = parameters;
  if (java_module) {
    install_java_applet(
        JavaInstallTarget{*call.vm, *call.instances, *call.host, call.ctx.registry(), call.state.isd_aid()}, instance);
    return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);  // GPCS §11.5.3.1: no receipt
  }
  std::unique_ptr<Applet> applet = module->factory(parameters);  // refuses bad parameters (6A80)
  call.instances->add(instance);                                 // the commit point
  try {
    call.host->add_instance(registry_entry(instance, call.state.isd_aid()), std::move(applet));
  } catch (...) {
    call.instances->remove(instance.aid);  // never a record without its registry entry
    throw;
  }
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);  // GPCS §11.5.3.1: no receipt
}

iso7816::ResponseApdu make_selectable(const IsdCall& call, const InstallData& data) {
  if (!data.load_file.empty() || !data.module.empty() || !data.parameters.empty()) {
    throw StatusWordError(sw::kWrongData,
                          "INSTALL [for make selectable]: load file, module and parameters must be empty");
  }
  if (!is_aid(data.application)) throw StatusWordError(sw::kWrongData, "INSTALL: application AID is 5..16 bytes");
  const Bytes privileges = check_privileges(data.privileges);
  const AppletInstance* instance = call.instances->find(data.application);
  if (instance == nullptr) throw StatusWordError(sw::kReferencedDataNotFound, "INSTALL: no such installed application");
  if (instance->life_cycle != app_life_cycle::kInstalled) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "INSTALL [for make selectable]: application is not INSTALLED");
  }
  call.instances->update(data.application, app_life_cycle::kSelectable, privileges);
  if (RegistryEntry* entry = call.ctx.registry().find(data.application)) {
    entry->life_cycle = app_life_cycle::kSelectable;
    entry->privileges = privileges;
  }
  return iso7816::ResponseApdu(Bytes{0x00}, sw::kOk);
}

}  // namespace

void require_content_management(const IsdCall& call) {
  const std::uint8_t card = call.state.life_cycle();
  if (card == gp::card_life_cycle::kCardLocked || card == gp::card_life_cycle::kTerminated) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "content management needs OP_READY, INITIALIZED or SECURED");
  }
  if (call.instances == nullptr || call.host == nullptr) {
    throw StatusWordError(sw::kConditionsNotSatisfied, "content management is not enabled on this card");
  }
}

iso7816::ResponseApdu install(const IsdCall& call) {
  require_gp_class(call);
  require_session(call, gp::level::kCMac);
  const auto& cmd = call.command;
  if (cmd.p1 != kForLoad && cmd.p1 != kForInstall && cmd.p1 != kForMakeSelectable &&
      cmd.p1 != (kForInstall | kForMakeSelectable)) {
    throw StatusWordError(sw::kIncorrectP1P2,
                          "INSTALL: only [for load], [for install] and [for make selectable] (P1 02, 04, 08, 0C)");
  }
  if (cmd.p2 != 0x00) throw StatusWordError(sw::kIncorrectP1P2, "INSTALL: P2 must be 00");
  require_content_management(call);
  if (cmd.data.empty()) throw StatusWordError(sw::kWrongLength, "INSTALL: no data");
  if (cmd.p1 == kForLoad) return install_for_load(call);
  const InstallData data = parse_fields(cmd.data);
  if (!data.token.empty())
    throw StatusWordError(sw::kWrongData, "INSTALL: tokens (delegated management) are not supported");
  if (cmd.p1 == kForMakeSelectable) return make_selectable(call, data);
  return install_instance(call, data, (cmd.p1 & kForMakeSelectable) != 0);
}

iso7816::ResponseApdu set_application_status(const IsdCall& call) {
  const auto& cmd = call.command;
  if (cmd.p2 != 0x80 && cmd.p2 != 0x00) {
    throw StatusWordError(sw::kWrongData, "SET STATUS: an application is locked (P2 80) or unlocked (P2 00)");
  }
  if (!is_aid(cmd.data)) throw StatusWordError(sw::kWrongData, "SET STATUS: data must be the application AID");
  const AppletInstance* instance = call.instances != nullptr ? call.instances->find(cmd.data) : nullptr;
  if (instance == nullptr) {
    if (call.ctx.registry().find(cmd.data) != nullptr) {
      throw StatusWordError(sw::kConditionsNotSatisfied, "SET STATUS: built-in entries keep their life cycle");
    }
    throw StatusWordError(sw::kReferencedDataNotFound, "SET STATUS: no such application");
  }
  require_content_management(call);
  const bool lock = cmd.p2 == 0x80;
  const bool locked = (instance->life_cycle & app_life_cycle::kLockedBit) != 0;
  if (lock == locked)
    throw StatusWordError(sw::kConditionsNotSatisfied, lock ? "SET STATUS: already locked" : "SET STATUS: not locked");
  const std::uint8_t state = lock ? static_cast<std::uint8_t>(instance->life_cycle | app_life_cycle::kLockedBit)
                                  : static_cast<std::uint8_t>(instance->life_cycle & ~app_life_cycle::kLockedBit);
  const Bytes privileges = instance->privileges;
  call.instances->update(cmd.data, state, privileges);
  if (RegistryEntry* entry = call.ctx.registry().find(cmd.data)) entry->life_cycle = state;
  return iso7816::ResponseApdu(sw::kOk);
}

}  // namespace sefleet::card::isd

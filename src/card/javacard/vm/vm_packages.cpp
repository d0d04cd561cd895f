// Packages on the card: linking a load file, adding it (context, class ids, statics) and running its
// static initialisers, removing it.
#include <algorithm>

#include "card/javacard/classfile/descriptors.hpp"
#include "card/javacard/classfile/verifier.hpp"
#include "card/javacard/vm/class_initialisation.hpp"
#include "card/javacard/vm/linker.hpp"
#include "card/javacard/vm/rom.hpp"
#include "card/javacard/vm/vm.hpp"

namespace sefleet::card::javacard::vm {

namespace {

constexpr std::string_view kApplet = "javacard/framework/Applet";
constexpr std::string_view kInstallDescriptor = "([BSB)V";

}  // namespace

Package* Vm::find_package(ByteView aid) const {
  for (const auto& package : packages_) {
    if (std::ranges::equal(package->aid, aid)) return package.get();
  }
  return nullptr;
}

std::unique_ptr<Package> Vm::link_package(const LoadFile& load_file) const {
  auto package = std::make_unique<Package>();
  package->name = load_file.package_name;
  package->aid = load_file.package_aid;
  package->major_version = load_file.major_version;
  package->minor_version = load_file.minor_version;
  package->applets = load_file.applets;
  package->load_file = load_file;
  if (load_file.classes.empty()) throw LoadError("package " + load_file.package_name + " has no class");
  if (load_file.package_name.empty() || is_public_api_package(load_file.package_name) ||
      load_file.package_name.starts_with("java/") || load_file.package_name.starts_with("javacard/") ||
      load_file.package_name.starts_with("javacardx/") || load_file.package_name.starts_with("org/sefleet/jcre")) {
    throw LoadError("package " + load_file.package_name + ": the name belongs to the platform");
  }
  std::vector<classfile::ClassFile> files;
  files.reserve(load_file.classes.size());
  for (const auto& entry : load_file.classes) {
    auto file = classfile::parse_class_file(entry.bytes);
    if (file.name != entry.name) {
      throw LoadError(entry.name + ": the class file defines " + file.name);
    }
    if (package_of(file.name) != load_file.package_name) {
      throw LoadError(file.name + ": not in package " + load_file.package_name);
    }
    classfile::require_verified(file);
    files.push_back(std::move(file));
  }
  LinkEnvironment env;
  env.find_class = [this](std::string_view name) { return find_class(name); };
  env.package = package.get();
  package->classes = link_classes(std::move(files), env);
  const RtClass& applet = rom_class(kApplet);
  for (const auto& declaration : load_file.applets) {
    const RtClass* cls = package->find_class(declaration.class_name);
    if (cls == nullptr) throw LoadError("applet class " + declaration.class_name + " is not in the package");
    if (!cls->is_assignable_to(applet) || cls->is_abstract()) {
      throw LoadError("applet class " + declaration.class_name + " is not a concrete subclass of " +
                      std::string(kApplet));
    }
    const RtMethod* install = cls->find_method("install", kInstallDescriptor);
    if (install == nullptr || !install->is_static || (install->access & classfile::access::kPublic) == 0) {
      throw LoadError("applet class " + declaration.class_name +
                      " does not declare public static void install(byte[], short, byte)");
    }
  }
  return package;
}

ContextId Vm::next_free_context() const {
  for (unsigned context = 1; context <= 0xFF; ++context) {
    const bool used = std::ranges::any_of(packages_, [&](const auto& p) { return p->context == context; });
    if (!used) return static_cast<ContextId>(context);
  }
  throw LoadError("no free firewall context: 255 packages are loaded");
}

Package& Vm::add_package(std::unique_ptr<Package> package, ContextId context, bool with_statics) {
  package->context = context;
  for (auto& cls : package->classes) {
    cls->id = next_class_id_++;
    package_classes_.emplace(cls->name, cls.get());
  }
  statics_.resize(next_class_id_, kNull);
  statics_objects_.resize(next_class_id_, nullptr);
  if (with_statics) {
    for (const auto& cls : package->classes) {
      if (cls->static_slots > 0) create_statics(*cls, context, heap::flag::kPersistent);
    }
  }
  packages_.push_back(std::move(package));
  return *packages_.back();
}

void Vm::attach_statics(const RtClass& cls, Ref ref) {
  statics_[cls.id] = ref;
  statics_objects_[cls.id] = heap_->find(ref);
}

void Vm::run_static_initialisers(Package& package) {
  std::vector<const RtClass*> classes;
  for (const auto& cls : package.classes) classes.push_back(cls.get());
  initialise_classes(classes, package.context);
}

void Vm::initialise_classes(const std::vector<const RtClass*>& classes, ContextId context) {
  run_initialisers(initialisation_order(classes), context);
}

void Vm::run_initialisers(std::span<const ClassInitialiser> order, ContextId context) {
  for (const auto& [cls, clinit] : order) {
    try {
      call(*clinit, {}, context, kNoInstance);
    } catch (const JavaThrow& thrown) {
      const heap::Object* exception = heap_->find(thrown.exception);
      throw LoadError(cls->name + ".<clinit>: uncaught " + (exception != nullptr ? exception->cls->name : "exception") +
                      " (reason " + std::to_string(exception_reason(thrown.exception)) + ")");
    } catch (const VmAbort& abort) {
      throw LoadError(cls->name + ".<clinit>: " + abort.what());
    }
  }
}

void Vm::detach_package_statics(const Package& package) {
  for (const auto& cls : package.classes) {
    if (cls->id < statics_.size()) {
      statics_[cls->id] = kNull;
      statics_objects_[cls->id] = nullptr;
    }
  }
}

void Vm::remove_package(Package& package) {
  detach_package_statics(package);
  for (const auto& cls : package.classes) package_classes_.erase(cls->name);
  std::erase_if(packages_, [&](const auto& p) { return p.get() == &package; });
}

}  // namespace sefleet::card::javacard::vm

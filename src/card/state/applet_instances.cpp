#include "card/state/applet_instances.hpp"

#include <optional>
#include <string_view>
#include <vector>

#include "card/nvm/nvm_store.hpp"
#include "card/runtime/deferred_queue.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"

namespace sefleet::card {
namespace {

// Outside "isd/" (CardState refuses objects of its prefix that it does not know) and outside the
// runtime's "app/<AID>/" applet namespaces.
constexpr std::string_view kRecordPrefix = "reg/inst/";
// Format 1 (cards made before Java Card instances existed): built-in instances only. Format 2 adds
// the code byte after the format byte; it is what add() and update() write.
constexpr std::uint8_t kRecordFormatBuiltIn = 1;
constexpr std::uint8_t kRecordFormat = 2;

std::string record_name(ByteView aid) {
  return std::string(kRecordPrefix) + to_hex(aid);
}

bool valid_aid(ByteView aid) {
  return aid.size() >= 5 && aid.size() <= 16;
}

void append_lv(Bytes& out, ByteView value) {
  out.push_back(static_cast<std::uint8_t>(value.size()));
  append(out, value);
}

// format(1) = 02 | code(1) | len AID | len load file | len module | privileges(3) | life cycle(1) | len params
Bytes encode(const AppletInstance& instance) {
  Bytes out{kRecordFormat, static_cast<std::uint8_t>(instance.code)};
  append_lv(out, instance.aid);
  append_lv(out, instance.load_file_aid);
  append_lv(out, instance.module_aid);
  append(out, instance.privileges);
  out.push_back(instance.life_cycle);
  append_lv(out, instance.install_parameters);
  return out;
}

class RecordReader {
 public:
  explicit RecordReader(ByteView data) : data_(data) {}
  std::optional<Bytes> take(std::size_t size) {
    if (data_.size() - at_ < size) return std::nullopt;
    Bytes out(data_.begin() + static_cast<std::ptrdiff_t>(at_),
              data_.begin() + static_cast<std::ptrdiff_t>(at_ + size));
    at_ += size;
    return out;
  }
  std::optional<Bytes> take_lv() {
    const auto length = take(1);
    return length ? take((*length)[0]) : std::nullopt;
  }
  bool done() const { return at_ == data_.size(); }

 private:
  ByteView data_;
  std::size_t at_ = 0;
};

std::optional<AppletInstance> decode(ByteView data) {
  RecordReader reader(data);
  const auto format = reader.take(1);
  if (!format || ((*format)[0] != kRecordFormat && (*format)[0] != kRecordFormatBuiltIn)) return std::nullopt;
  AppletInstance instance;
  if ((*format)[0] == kRecordFormat) {
    const auto code = reader.take(1);
    if (!code || (*code)[0] > static_cast<std::uint8_t>(AppletInstance::Code::java)) return std::nullopt;
    instance.code = static_cast<AppletInstance::Code>((*code)[0]);
  }
  auto aid = reader.take_lv();
  auto load_file = reader.take_lv();
  auto module = reader.take_lv();
  auto privileges = reader.take(3);
  auto life_cycle = reader.take(1);
  auto parameters = reader.take_lv();
  if (!aid || !load_file || !module || !privileges || !life_cycle || !parameters || !reader.done()) return std::nullopt;
  instance.aid = std::move(*aid);
  instance.load_file_aid = std::move(*load_file);
  instance.module_aid = std::move(*module);
  instance.privileges = std::move(*privileges);
  instance.life_cycle = (*life_cycle)[0];
  instance.install_parameters = std::move(*parameters);
  return instance;
}

void validate(const AppletInstance& instance) {
  if (!valid_aid(instance.aid) || !valid_aid(instance.load_file_aid) || !valid_aid(instance.module_aid)) {
    throw Error(Errc::invalid_argument, "applet instance: AIDs must be 5..16 bytes");
  }
  if (instance.privileges.size() != 3)
    throw Error(Errc::invalid_argument, "applet instance: privileges must be 3 bytes");
  if (instance.install_parameters.size() > kMaxInstallParameters) {
    throw Error(Errc::invalid_argument,
                "applet instance: install parameters longer than " + std::to_string(kMaxInstallParameters) + " bytes");
  }
}

}  // namespace

namespace {
// What the runtime keeps for an applet with `aid`: its PersistentMemory objects and deferred records.
std::vector<std::string> data_objects(const nvm::NvmStore& store, ByteView aid) {
  const std::string objects = PersistentMemory::namespace_prefix(aid);
  const std::string records = std::string(kDeferredRecordPrefix) + to_hex(aid) + "/";
  std::vector<std::string> names;
  for (const auto& [name, value] : store.committed()) {
    if (name.starts_with(objects) || name.starts_with(records)) names.push_back(name);
  }
  return names;
}
}  // namespace

AppletInstances::AppletInstances(nvm::NvmStore& store) : store_(store) {
  for (const auto& [name, value] : store_.committed()) {
    if (!name.starts_with(kRecordPrefix)) continue;
    auto instance = decode(value);
    bool valid = instance.has_value();
    if (valid) {
      try {
        validate(*instance);
      } catch (const Error&) {
        valid = false;
      }
    }
    if (!valid || record_name(instance->aid) != name) {
      throw Error(Errc::integrity_error, "applet instances in " + store_.name() + ": object '" + name +
                                             "' is not an instance record of the AID it names");
    }
    Bytes key = instance->aid;
    instances_.emplace(std::move(key), std::move(*instance));
  }
}

const AppletInstance* AppletInstances::find(ByteView aid) const {
  const auto it = instances_.find(Bytes(aid.begin(), aid.end()));
  return it == instances_.end() ? nullptr : &it->second;
}

void AppletInstances::add(const AppletInstance& instance) {
  validate(instance);
  if (find(instance.aid) != nullptr) {
    throw Error(Errc::state_error, "applet instance: " + to_hex(instance.aid) + " already exists");
  }
  if (instances_.size() >= kMaxAppletInstances) throw Error(Errc::state_error, "applet instance: no room for another");
  // Leftovers under the data prefix cannot exist (remove() erases them atomically), but a new
  // instance must never inherit data, so the install makes sure.
  const std::vector<std::string> leftovers = data_objects(store_, instance.aid);
  nvm::run_transaction(store_, [&] {
    for (const auto& name : leftovers) store_.erase(name);
    store_.write(record_name(instance.aid), encode(instance));
  });
  instances_.emplace(instance.aid, instance);
}

void AppletInstances::update(ByteView aid, std::uint8_t life_cycle, ByteView privileges) {
  const auto it = instances_.find(Bytes(aid.begin(), aid.end()));
  if (it == instances_.end()) throw Error(Errc::not_found, "applet instance: no instance " + to_hex(aid));
  AppletInstance changed = it->second;
  changed.life_cycle = life_cycle;
  changed.privileges = Bytes(privileges.begin(), privileges.end());
  validate(changed);
  nvm::run_transaction(store_, [&] { store_.write(record_name(aid), encode(changed)); });
  it->second = std::move(changed);
}

void AppletInstances::remove(ByteView aid) {
  const auto it = instances_.find(Bytes(aid.begin(), aid.end()));
  if (it == instances_.end()) throw Error(Errc::not_found, "applet instance: no instance " + to_hex(aid));
  nvm::run_transaction(store_, [&] { store_.erase(record_name(aid)); });
  instances_.erase(it);
}

RegistryEntry registry_entry(const AppletInstance& instance, ByteView sd_aid) {
  RegistryEntry entry;
  entry.kind = RegistryEntry::Kind::application;
  entry.aid = instance.aid;
  entry.life_cycle = instance.life_cycle;
  entry.privileges = instance.privileges;
  entry.load_file_aid = instance.load_file_aid;
  entry.associated_sd_aid = Bytes(sd_aid.begin(), sd_aid.end());
  return entry;
}

}  // namespace sefleet::card

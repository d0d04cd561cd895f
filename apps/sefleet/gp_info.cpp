// sefleet gp info (and GlobalPlatformPro's -i/--info, -l/--list): what the card says about itself,
// rendered. gp/host/card_info.hpp reads it: GET DATA objects before authentication (cards answer them
// without a secure channel), the registry (GET STATUS) with the channel, so only when keys are given.
// A data object the card does not have is reported, not fatal.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/hex.hpp"
#include "gp/card_life_cycle.hpp"
#include "gp/host/card_data.hpp"
#include "gp/host/card_info.hpp"
#include "gp/host/get_status.hpp"
#include "gp/host/life_cycle.hpp"
#include "gp_commands.hpp"

namespace sefleet::cli {
namespace {

// report.json[name] from a data object, or report.unavailable[name] with why it is missing.
template <typename T, typename Render>
void add_item(nlohmann::json& json, nlohmann::json& unavailable, const std::string& name,
              const gp::host::DataObject<T>& item, Render render) {
  if (item.value) {
    json[name] = render(*item.value);
  } else {
    unavailable[name] = item.unavailable;
  }
}

nlohmann::json entry_json(const gp::host::RegistryEntry& e) {
  nlohmann::json out{{"kind", gp::host::registry_kind_name(e.kind)},
                     {"aid", to_hex(e.aid)},
                     {"life_cycle", e.life_cycle_name()},
                     {"life_cycle_byte", to_hex(Bytes{e.life_cycle})}};
  if (!e.privileges.empty()) {
    out["privileges"] = gp::host::privilege_names(e.privileges);
    out["privileges_hex"] = to_hex(e.privileges);
  }
  if (e.load_file_aid) out["load_file"] = to_hex(*e.load_file_aid);
  if (e.load_file_version) out["version"] = to_hex(*e.load_file_version);
  if (e.associated_sd_aid) out["security_domain"] = to_hex(*e.associated_sd_aid);
  if (!e.modules.empty()) {
    out["modules"] = nlohmann::json::array();
    for (const auto& m : e.modules) out["modules"].push_back(to_hex(m));
  }
  return out;
}

void print_registry(const nlohmann::json& registry) {
  std::cout << "Registry:\n";
  for (const auto& e : registry) {
    std::cout << "  " << e["kind"].get<std::string>() << std::string(11 - e["kind"].get<std::string>().size(), ' ')
              << e["aid"].get<std::string>() << "  " << e["life_cycle"].get<std::string>();
    if (e.contains("privileges")) {
      std::string names;
      for (const auto& p : e["privileges"]) names += (names.empty() ? "" : ",") + p.get<std::string>();
      std::cout << "  privileges " << e["privileges_hex"].get<std::string>()
                << (names.empty() ? "" : " (" + names + ")");
    }
    if (e.contains("load_file")) std::cout << "  from " << e["load_file"].get<std::string>();
    if (e.contains("modules")) {
      for (const auto& m : e["modules"]) std::cout << "\n             module " << m.get<std::string>();
    }
    std::cout << "\n";
  }
}

void print_text(const nlohmann::json& j) {
  const auto line = [](const std::string& label, const std::string& value) {
    std::cout << label << std::string(label.size() < 18 ? 18 - label.size() : 1, ' ') << value << "\n";
  };
  const auto& missing = j["unavailable"];
  const auto item = [&](const std::string& label, const std::string& key, const std::string& value) {
    if (j.contains(key) && !j[key].is_null()) {
      line(label, value);
    } else if (missing.contains(key)) {
      line(label, "not available (" + missing[key].get<std::string>() + ")");
    }
  };
  line("Card", j["reader"].get<std::string>() + "  ATR " + j["atr"].get<std::string>());
  line("Security domain", j["selected_aid"].get<std::string>());
  item("CIN", "cin", j.value("cin", ""));
  item("IIN", "iin", j.value("iin", ""));
  if (j.contains("cplc")) {
    const auto& c = j["cplc"];
    line("CPLC", "fabricator " + c["ic_fabricator"].get<std::string>() + ", IC type " +
                     c["ic_type"].get<std::string>() + ", OS " + c["os_id"].get<std::string>() + " release " +
                     c["os_release_date"].get<std::string>() + "/" + c["os_release_level"].get<std::string>() +
                     ", serial " + c["ic_serial_number"].get<std::string>());
  } else {
    item("CPLC", "cplc", "");
  }
  if (j.contains("card_recognition")) {
    const auto& r = j["card_recognition"];
    if (r.contains("gp_version")) line("GP version", r["gp_version"].get<std::string>());
    std::string channels;
    for (const auto& s : r["secure_channels"]) {
      channels += (channels.empty() ? "" : ", ") + std::string("SCP") + s["scp"].get<std::string>() +
                  " i=" + s["i"].get<std::string>();
    }
    line("Secure channels", channels.empty() ? "(none announced)" : channels);
  } else {
    item("Card data", "card_recognition", "");
  }
  if (j.contains("key_information")) {
    std::map<std::string, std::string> by_version;
    for (const auto& k : j["key_information"]) {
      std::string& text = by_version[k["version"].get<std::string>()];
      for (const auto& c : k["components"]) {
        text += (text.empty() ? "" : ", ") + k["id"].get<std::string>() + " " + c["type"].get<std::string>() + "-" +
                std::to_string(c["length"].get<int>() * 8);
      }
    }
    for (const auto& [version, text] : by_version) line("Key version " + version, text);
  } else {
    item("Key information", "key_information", "");
  }
  item("Sequence counter", "sequence_counter",
       j.contains("sequence_counter") ? std::to_string(j["sequence_counter"].get<std::uint32_t>()) : "");
  if (!j["secure_channel"].is_null()) {
    const auto& s = j["secure_channel"];
    line("SCP03 session", "key version " + s["kvn"].get<std::string>() + ", i=" + s["i"].get<std::string>() +
                              ", level " + s["level"].get<std::string>() + ", KDD " + s["kdd"].get<std::string>());
  }
  if (j.contains("card_life_cycle")) line("Card life cycle", j["card_life_cycle"].get<std::string>());
  if (j.contains("registry")) {
    print_registry(j["registry"]);
  } else {
    line("Registry", missing.contains("registry") ? missing["registry"].get<std::string>() : "");
  }
}

nlohmann::json card_info_json(const gp::host::CardInfo& info, nlohmann::json& unavailable) {
  nlohmann::json out = nlohmann::json::object();
  add_item(out, unavailable, "cin", info.cin, [](const Bytes& v) { return to_hex(v); });
  add_item(out, unavailable, "iin", info.iin, [](const Bytes& v) { return to_hex(v); });
  add_item(out, unavailable, "cplc", info.cplc, [](const gp::host::Cplc& cplc) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& f : cplc.fields) fields[f.name] = to_hex(f.value);
    return fields;
  });
  add_item(out, unavailable, "card_recognition", info.card_recognition, [](const gp::host::CardRecognitionData& crd) {
    nlohmann::json data{{"secure_channels", nlohmann::json::array()}};
    if (crd.gp_version) data["gp_version"] = *crd.gp_version;
    for (const auto& sc : crd.secure_channels) {
      data["secure_channels"].push_back({{"scp", to_hex(Bytes{sc.scp})}, {"i", to_hex(Bytes{sc.i})}});
    }
    return data;
  });
  add_item(out, unavailable, "key_information", info.key_information, [](const std::vector<gp::host::KeyInfo>& keys) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& k : keys) {
      nlohmann::json components = nlohmann::json::array();
      for (const auto& c : k.components) {
        components.push_back({{"type", gp::host::key_type_name(c.type)}, {"length", c.length}});
      }
      list.push_back({{"id", to_hex(Bytes{k.id})}, {"version", to_hex(Bytes{k.version})}, {"components", components}});
    }
    return list;
  });
  add_item(out, unavailable, "sequence_counter", info.sequence_counter, [](std::uint32_t v) { return v; });
  return out;
}

nlohmann::json registry_json(const gp::host::CardRegistry& registry) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto* list : {&registry.issuer_security_domain, &registry.applications, &registry.load_files}) {
    for (const auto& e : *list) out.push_back(entry_json(e));
  }
  return out;
}

}  // namespace

void run_gp_info(const GpCommonOptions& options, bool registry_only) {
  if (registry_only) require_keys(options, "listing the registry (GET STATUS)");
  GpConnection connection = connect_gp(options);
  auto& session = *connection.session;
  nlohmann::json unavailable = nlohmann::json::object();
  nlohmann::json json =
      registry_only ? nlohmann::json::object() : card_info_json(gp::host::read_card_info(session), unavailable);
  json["reader"] = connection.card->description();
  json["atr"] = to_hex(connection.atr);
  json["selected_aid"] = to_hex(session.selected_aid());
  json["secure_channel"] = nullptr;
  if (connection.has_credentials()) {
    authenticate(connection, options);
    json["secure_channel"] = secure_channel_json(connection);
    const auto registry = gp::host::read_registry(session);
    if (const auto life_cycle = registry.card_life_cycle()) {
      json["card_life_cycle"] = gp::card_life_cycle::name(*life_cycle);
    }
    json["registry"] = registry_json(registry);
  } else {
    unavailable["registry"] =
        "GET STATUS needs an SCP03 session (--key, --enc/--mac/--dek, --kdf3, --key-file or $SEFLEET_KEY) or an "
        "SCP11 session (--scp 11a|11b|11c)";
  }
  json["unavailable"] = unavailable;
  if (options.json) {
    std::cout << json.dump(2) << "\n";
  } else if (registry_only) {
    if (json.contains("card_life_cycle")) {
      std::cout << "Card life cycle   " << json["card_life_cycle"].get<std::string>() << "\n";
    }
    print_registry(json["registry"]);
  } else {
    print_text(json);
  }
}

void setup_gp_info(CLI::App& gp) {
  auto options = std::make_shared<GpCommonOptions>();
  auto* cmd = add_command(gp, "info", "Identity, card data, keys, counters, life cycle and registry of a card");
  cmd->footer(
      "GET DATA objects (CIN, IIN, CPLC, card recognition data, key information, sequence counter) are\n"
      "read without authentication; with keys, SCP03 is opened and GET STATUS lists the registry.\n"
      "Examples:\n"
      "  sefleet gp info --reader 'Virtual PCD'\n"
      "  sefleet gp info --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F --json");
  add_gp_common_options(*cmd, *options, "33");
  cmd->callback([options] { run_gp_info(*options, false); });
}

}  // namespace sefleet::cli

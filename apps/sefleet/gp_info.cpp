// sefleet gp info: what the card says about itself. GET DATA objects are read before authentication
// (cards answer them without a secure channel); the registry (GET STATUS) needs the channel, so it is
// listed only when keys are given. A data object the card does not have is reported, not fatal.
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/card_data.hpp"
#include "gp/host/get_status.hpp"
#include "gp/host/life_cycle.hpp"
#include "gp_commands.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::cli {
namespace {

using gp::host::StatusScope;

struct Report {
  nlohmann::json json = nlohmann::json::object();
  nlohmann::json unavailable = nlohmann::json::object();  // item -> why
};

// GET DATA `tag` and parse it into report.json[name]; a refusal or an unparseable answer goes to
// report.unavailable[name] instead.
template <typename Parse>
void read_item(gp::host::GpSession& session, Report& report, const std::string& name, std::uint16_t tag, Parse parse) {
  auto response = session.get_data(tag);
  if ((response.sw == iso7816::sw::kClaNotSupported || response.sw == iso7816::sw::kInsNotSupported) &&
      !session.secure()) {
    // Some cards answer GET DATA in the interindustry class only.
    auto command = gp::host::make_get_data(tag);
    command.cla = 0x00;
    response = session.transmit(command);
  }
  if (!response.ok()) {
    report.unavailable[name] = iso7816::sw::status_word_name(response.sw);
    return;
  }
  try {
    report.json[name] = parse(response.data);
  } catch (const Error& e) {
    report.unavailable[name] = std::string("unreadable answer ") + to_hex(response.data) + ": " + e.what();
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
    std::cout << "Registry:\n";
    for (const auto& e : j["registry"]) {
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
  } else {
    line("Registry", missing.contains("registry") ? missing["registry"].get<std::string>() : "");
  }
}

void run_info(const GpCommonOptions& options) {
  GpConnection connection = connect_gp(options);
  auto& session = *connection.session;
  Report report;
  report.json["reader"] = connection.card->description();
  report.json["atr"] = to_hex(connection.atr);
  report.json["selected_aid"] = to_hex(session.selected_aid());

  read_item(session, report, "cin", gp::host::kTagCin, [](ByteView d) { return to_hex(gp::host::parse_cin(d)); });
  read_item(session, report, "iin", gp::host::kTagIin, [](ByteView d) { return to_hex(gp::host::parse_iin(d)); });
  read_item(session, report, "cplc", gp::host::kTagCplc, [](ByteView d) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& f : gp::host::parse_cplc(d).fields) out[f.name] = to_hex(f.value);
    return out;
  });
  read_item(session, report, "card_recognition", gp::host::kTagCardData, [](ByteView d) {
    const auto crd = gp::host::parse_card_recognition_data(d);
    nlohmann::json out{{"secure_channels", nlohmann::json::array()}};
    if (crd.gp_version) out["gp_version"] = *crd.gp_version;
    for (const auto& s : crd.secure_channels) {
      out["secure_channels"].push_back({{"scp", to_hex(Bytes{s.scp})}, {"i", to_hex(Bytes{s.i})}});
    }
    return out;
  });
  read_item(session, report, "key_information", gp::host::kTagKeyInformation, [](ByteView d) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& k : gp::host::parse_key_information(d)) {
      nlohmann::json components = nlohmann::json::array();
      for (const auto& c : k.components) {
        components.push_back({{"type", gp::host::key_type_name(c.type)}, {"length", c.length}});
      }
      out.push_back({{"id", to_hex(Bytes{k.id})}, {"version", to_hex(Bytes{k.version})}, {"components", components}});
    }
    return out;
  });
  read_item(session, report, "sequence_counter", gp::host::kTagSequenceCounter,
            [](ByteView d) { return gp::host::parse_sequence_counter(d); });

  report.json["secure_channel"] = nullptr;
  if (options.keys.any()) {
    authenticate(connection, options);
    report.json["secure_channel"] = secure_channel_json(connection);
    nlohmann::json registry = nlohmann::json::array();
    const auto isd = session.get_status(StatusScope::issuer_security_domain);
    if (!isd.empty()) report.json["card_life_cycle"] = isd.front().life_cycle_name();
    for (const auto& e : isd) registry.push_back(entry_json(e));
    for (const auto& e : session.get_status(StatusScope::applications)) registry.push_back(entry_json(e));
    // Load files with their modules; cards that lack P1=10 (6A86) get the plain load-file list.
    std::vector<gp::host::RegistryEntry> files;
    try {
      files = session.get_status(StatusScope::load_files_and_modules);
    } catch (const gp::host::CardRefusal& e) {
      if (e.sw() != iso7816::sw::kIncorrectP1P2) throw;
      files = session.get_status(StatusScope::load_files);
    }
    for (const auto& e : files) registry.push_back(entry_json(e));
    report.json["registry"] = registry;
  } else {
    report.unavailable["registry"] = "GET STATUS needs an SCP03 session: give --key, --enc/--mac/--dek or --kdf3";
  }
  report.json["unavailable"] = report.unavailable;
  if (options.json) {
    std::cout << report.json.dump(2) << "\n";
  } else {
    print_text(report.json);
  }
}

}  // namespace

void setup_gp_info(CLI::App& gp) {
  auto options = std::make_shared<GpCommonOptions>();
  auto* cmd = gp.add_subcommand("info", "Identity, card data, keys, counters, life cycle and registry of a card");
  cmd->footer(
      "GET DATA objects (CIN, IIN, CPLC, card recognition data, key information, sequence counter) are\n"
      "read without authentication; with keys, SCP03 is opened and GET STATUS lists the registry.\n"
      "Examples:\n"
      "  sefleet gp info --reader 'Virtual PCD'\n"
      "  sefleet gp info --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F --json");
  add_gp_common_options(*cmd, *options, "33");
  cmd->callback([options] { run_info(*options); });
}

}  // namespace sefleet::cli

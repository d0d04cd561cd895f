// sefleet apdu: sends raw APDUs (arguments or a script file) to a card over PC/SC or TCP, optionally
// inside an SCP03 session, and prints every exchange. Works with any ISO 7816 card: nothing here
// assumes the virtual SE.
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "card_connection.hpp"
#include "command.hpp"
#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/gp_session.hpp"
#include "iso7816/status_words.hpp"
#include "scp11_options.hpp"
#include "transport/pcsc_context.hpp"

namespace sefleet::cli {
namespace {

struct ApduOptions {
  ConnectionOptions connection;
  KeyOptions keys;
  Scp11Options scp11;
  std::vector<std::string> apdus;
  std::string script;
  bool json = false;
  bool verbose = false;
  bool expect_ok = false;
  bool list_readers = false;
};

struct ParsedApdu {
  std::string origin;  // "argument 2" or "script.apdu:14", for error messages
  iso7816::CommandApdu command;
};

// An APDU of the command line is a usage error when malformed (exit 2); one of a script file is bad
// input (exit 1).
iso7816::CommandApdu parse_apdu(const std::string& text, const std::string& origin, bool argument) {
  try {
    return iso7816::CommandApdu::parse(from_hex(text));
  } catch (const Error& e) {
    const std::string message = "'" + text + "' is not an APDU: " + e.what();
    if (argument) throw CLI::ValidationError(origin, message);
    throw Error(Errc::parse_error, origin + ": " + message);
  }
}

// Script lines: one APDU in hex per line; '#' starts a comment; blank lines are skipped.
std::vector<ParsedApdu> read_script(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(Errc::io_error, "cannot read script " + path);
  std::vector<ParsedApdu> out;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    const auto last = line.find_last_not_of(" \t\r");
    const std::string text = line.substr(first, last - first + 1);
    const std::string origin = path + ":" + std::to_string(number);
    out.push_back({origin, parse_apdu(text, origin, false)});
  }
  return out;
}

std::string response_line(const iso7816::ResponseApdu& r) {
  std::string out = "< ";
  if (!r.data.empty()) out += to_hex(r.data) + " ";
  return out + iso7816::sw::status_word_name(r.sw);
}

std::string sw_hex(std::uint16_t sw) {
  return to_hex(Bytes{static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)});
}

void list_readers(const ApduOptions& options) {
  const transport::PcscContext context;
  const auto readers = context.readers();
  if (options.json) {
    std::cout << nlohmann::json{{"readers", readers}}.dump(2) << "\n";
    return;
  }
  if (readers.empty()) std::cout << "no PC/SC reader\n";
  for (std::size_t k = 0; k < readers.size(); ++k) std::cout << k << ": " << readers[k] << "\n";
}

void run_apdu(const ApduOptions& options) {
  if (options.list_readers) {
    list_readers(options);
    return;
  }
  // Everything the user typed is checked before the card is touched.
  std::vector<ParsedApdu> apdus;
  if (!options.script.empty()) apdus = read_script(options.script);
  for (std::size_t k = 0; k < options.apdus.size(); ++k) {
    const std::string origin = "APDU argument " + std::to_string(k + 1);
    apdus.push_back({origin, parse_apdu(options.apdus[k], origin, true)});
  }
  std::optional<gp::StaticKeyResolver> resolver;
  gp::Scp03HostOptions host_options;
  Bytes aid;
  std::optional<gp::host::Scp11ChannelOptions> scp11;
  if (options.scp11.chosen()) {
    scp11 = make_scp11_channel_options(options.scp11, options.keys);
    aid = selected_aid(options.keys);
  } else if (options.keys.any()) {
    resolver = make_key_resolver(options.keys);
    host_options = make_host_options(options.keys);
    aid = selected_aid(options.keys);
  }

  auto card = open_card(options.connection);
  const Bytes atr = card->atr();
  if (!options.json) std::cout << "# " << card->description() << "  ATR " << to_hex(atr) << "\n";

  // The wire trace goes to stderr, so that stdout stays the exchange list (or the JSON) alone.
  const bool print_wire = options.verbose;
  gp::host::GpSession session(make_link(*card, [print_wire](ByteView command, ByteView response) {
    if (print_wire) std::cerr << ">> " << to_hex(command) << "\n<< " << to_hex(response) << "\n";
  }));

  nlohmann::json secure_channel = nullptr;
  if (scp11) {
    session.select(aid);
    session.open_scp11_channel(*scp11);
    secure_channel = scp11_channel_json(*scp11, session.scp11_channel().card_key());
    secure_channel["aid"] = to_hex(session.selected_aid());
    if (!options.json) {
      std::cout << "# SCP" << options.scp11.scp << " session open: SD " << to_hex(session.selected_aid())
                << ", key version " << secure_channel["kvn"].get<std::string>() << ", AES-"
                << options.scp11.key_length * 8 << " session keys\n";
    }
  } else if (resolver) {
    session.select(aid);
    session.open_secure_channel(*resolver, host_options);
    const auto& info = session.channel().host().card_info();
    secure_channel = {{"aid", to_hex(session.selected_aid())},
                      {"kvn", to_hex(Bytes{info.kvn})},
                      {"i", to_hex(Bytes{info.i})},
                      {"level", to_hex(Bytes{host_options.security_level})},
                      {"kdd", to_hex(info.key_diversification_data)}};
    if (!options.json) {
      std::cout << "# SCP03 session open: SD " << to_hex(session.selected_aid()) << ", key version "
                << to_hex(Bytes{info.kvn}) << ", i=" << to_hex(Bytes{info.i}) << ", level "
                << to_hex(Bytes{host_options.security_level}) << "\n";
    }
  }

  nlohmann::json exchanges = nlohmann::json::array();
  std::optional<std::string> failure;
  for (const auto& apdu : apdus) {
    if (!options.json) std::cout << "> " << to_hex(apdu.command.encode()) << "\n";
    const auto response = session.transmit(apdu.command);
    if (options.json) {
      exchanges.push_back({{"command", to_hex(apdu.command.encode())},
                           {"response", to_hex(response.data)},
                           {"sw", sw_hex(response.sw)},
                           {"sw_name", iso7816::sw::status_word_name(response.sw)}});
    } else {
      std::cout << response_line(response) << "\n";
    }
    if (options.expect_ok && !response.ok()) {
      failure = apdu.origin + " answered " + iso7816::sw::status_word_name(response.sw) + " (--expect-ok)";
      break;
    }
  }
  if (options.json) {
    std::cout << nlohmann::json{{"reader", card->description()},
                                {"atr", to_hex(atr)},
                                {"secure_channel", secure_channel},
                                {"exchanges", exchanges}}
                     .dump(2)
              << "\n";
  }
  if (failure) {
    std::cout.flush();
    std::cerr << "sefleet: error: " << *failure << "\n";
    throw CommandFailed{1};
  }
}

const RegisterCommand apdu_registration{
    "apdu", [](CLI::App& root) {
      auto options = std::make_shared<ApduOptions>();
      auto* cmd =
          add_command(root, "apdu", "Send APDUs to a card (PC/SC or TCP), optionally inside an SCP03 or SCP11 session");
      cmd->footer(
          "APDUs are hex, spaces allowed (quote them). With a key option the ISD (--aid) is selected, SCP03 is\n"
          "opened and every APDU is wrapped; the plain command and response are printed (-v adds the wire form\n"
          "on stderr).\n"
          "An error status word is printed, not a failure, unless --expect-ok is given.\n"
          "Examples:\n"
          "  sefleet apdu --list-readers\n"
          "  sefleet apdu --reader 'Virtual PCD' '00A4040008A000000151000000' '80CA006600'\n"
          "  sefleet apdu --tcp 127.0.0.1:9025 --key 404142434445464748494A4B4C4D4E4F '80F24002024F0000'\n"
          "  sefleet apdu --tcp 127.0.0.1:9025 --kdf3 MASTERHEX --level 13 -f script.apdu --json\n"
          "  sefleet apdu --tcp 127.0.0.1:9025 --scp 11b --card-ca card-ca.pem '80CA006600'\n"
          "  sefleet apdu --tcp 127.0.0.1:9025 --scp 11a --card-ca card-ca.pem --oce-key keystore:oce \\\n"
          "      --keystore 'pkcs11:/usr/lib/softhsm/libsofthsm2.so?token=hsm&pin-file=pin' --oce-cert oce.pem ...");
      add_connection_options(*cmd, options->connection);
      add_key_options(*cmd, options->keys);
      add_scp11_options(*cmd, options->scp11);
      cmd->add_option("apdus", options->apdus, "APDUs in hex, sent in order (after those of --script)");
      cmd->add_option("-f,--script", options->script, "File with one APDU per line ('#' comments, blank lines ignored)")
          ->check(CLI::ExistingFile);
      cmd->add_flag(
          "--json", options->json,
          "Print "
          "{\"reader\",\"atr\",\"secure_channel\",\"exchanges\":[{\"command\",\"response\",\"sw\",\"sw_name\"}]}");
      cmd->add_flag("-v,--verbose", options->verbose,
                    "Also print every APDU on the wire (>> / <<), protected form included, to stderr");
      cmd->add_flag("--expect-ok", options->expect_ok, "Stop and exit 1 at the first response that is not 9000");
      cmd->add_flag("--list-readers", options->list_readers, "List the PC/SC readers and exit");
      cmd->callback([options] { run_apdu(*options); });
    }};

}  // namespace
}  // namespace sefleet::cli

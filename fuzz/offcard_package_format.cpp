// Fuzzes the readers of the campaign files (docs/formats.md), which the management server runs on
// uploaded packages. The first input byte picks the file kind; the rest is the body, sealed here with
// a valid frame and SHA-256 trailer so that the fuzzer spends its time in the body parsers rather
// than on checksums. Invariants checked:
//  - a reader either returns or throws Error(parse_error) (never another error, never a crash);
//  - whatever a reader accepts, its writer writes, and the written file reads back to an equal value
//    (writers refuse exactly what readers refuse, so an accepted value is always writable);
//  - the frame reader refuses the sealed file under any other kind, and refuses it truncated.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "core/error.hpp"
#include "offcard/campaign/file_container.hpp"
#include "offcard/campaign/package_format.hpp"

namespace {

using sefleet::Bytes;
using sefleet::ByteView;
using sefleet::Errc;
using sefleet::Error;
using namespace sefleet::offcard;

void require(bool condition) {
  if (!condition) std::abort();
}

bool same_paut(const sefleet::gp::broadcast::Paut& a, const sefleet::gp::broadcast::Paut& b) {
  return serialize_paut_file(PautFile{Bytes{0x01}, a}) == serialize_paut_file(PautFile{Bytes{0x01}, b});
}

// Parses `file` as `kind`; on success checks the write/read round trip. Returns whether it parsed.
bool check_kind(FileKind kind, ByteView file) {
  try {
    switch (kind) {
      case FileKind::campaign_package: {
        const CampaignPackage package = parse_campaign_package(file);
        const CampaignPackage again = parse_campaign_package(serialize_campaign_package(package));
        require(serialize_campaign_package(again) == serialize_campaign_package(package));
        require(again.image == package.image && again.pse == package.pse && again.envelope == package.envelope);
        return true;
      }
      case FileKind::pse: {
        const PseFile pse = parse_pse_file(file);
        const PseFile again = parse_pse_file(serialize_pse_file(pse));
        require(again.campaign_id == pse.campaign_id && again.commands == pse.commands);
        return true;
      }
      case FileKind::paut: {
        const PautFile paut = parse_paut_file(file);
        const PautFile again = parse_paut_file(serialize_paut_file(paut));
        require(again.se_id == paut.se_id && same_paut(again.paut, paut.paut));
        return true;
      }
      case FileKind::campaign_terms: {
        const CampaignTerms terms = parse_campaign_terms(file);
        require(serialize_campaign_terms(parse_campaign_terms(serialize_campaign_terms(terms))) ==
                serialize_campaign_terms(terms));
        return true;
      }
    }
  } catch (const Error& e) {
    require(e.code() == Errc::parse_error);
    return false;
  } catch (...) {
    std::abort();
  }
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static constexpr FileKind kKinds[] = {FileKind::campaign_package, FileKind::pse, FileKind::paut,
                                        FileKind::campaign_terms};
  const FileKind kind = kKinds[data[0] % 4];
  const Bytes file = seal_file(kind, ByteView(data + 1, size - 1));

  check_kind(kind, file);

  // The frame names its kind: any other reader refuses the file before looking at the body.
  const FileKind other = kKinds[(data[0] + 1) % 4];
  require(!check_kind(other, file));

  // A truncated file never reads (the trailer no longer matches or the length runs past the end).
  try {
    open_file(ByteView(file.data(), file.size() - 1), kind);
    std::abort();
  } catch (const Error& e) {
    require(e.code() == Errc::parse_error || e.code() == Errc::integrity_error);
  }
  return 0;
}

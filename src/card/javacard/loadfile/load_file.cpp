// The `.sfjc` container (docs/formats.md "Java Card load file"): a 9-byte header (magic, format
// version, body length), the body (package, applets, classes) and the SHA-256 of everything before it
// as the file's last field. One whole-file digest rather than per-section checks: the file is read
// and written whole, so one check covers every byte, and the header's body length lets a truncated
// file be told from a damaged one before the digest is computed.
#include "card/javacard/loadfile/load_file.hpp"

#include <algorithm>
#include <string>

#include "card/javacard/loadfile/load_file_rules.hpp"
#include "core/hex.hpp"
#include "crypto/hash.hpp"

namespace sefleet::card::javacard {
namespace {

constexpr std::uint8_t kMagic[] = {'S', 'F', 'J', 'C'};
constexpr std::size_t kHeaderSize = 9;  // magic(4) version(1) body length(4)
constexpr std::size_t kDigestSize = 32;
constexpr std::size_t kMaxBodySize = kMaxLoadFileSize - kHeaderSize - kDigestSize;

[[noreturn]] void refuse(const std::string& why) {
  throw LoadError("load file: " + why);
}

// A field that needs more bytes than are left; carried up to where the reader knows whether the
// file was cut short (truncation) or announces lengths its own body does not hold (malformed).
struct Shortage {
  std::string field;
  std::size_t needed = 0;
  std::size_t left = 0;
};

class FieldReader {
 public:
  explicit FieldReader(ByteView data) : data_(data) {}

  std::uint8_t u8(const std::string& field) { return take(1, field)[0]; }
  std::uint16_t u16(const std::string& field) { return static_cast<std::uint16_t>(read_be(take(2, field))); }
  std::uint32_t u32(const std::string& field) { return static_cast<std::uint32_t>(read_be(take(4, field))); }
  // A value with a length prefix of `prefix` bytes (1, 2 or 4).
  ByteView value(std::size_t prefix, const std::string& field) {
    const std::size_t size = read_be(take(prefix, field + " length"));
    return take(size, field);
  }
  std::size_t left() const noexcept { return data_.size() - at_; }

 private:
  ByteView take(std::size_t size, const std::string& field) {
    if (left() < size) throw Shortage{field, size, left()};
    const ByteView out = data_.subspan(at_, size);
    at_ += size;
    return out;
  }

  ByteView data_;
  std::size_t at_ = 0;
};

std::string text(ByteView bytes) {
  return std::string(bytes.begin(), bytes.end());
}

// The body, field by field (throws Shortage); the result still has to pass the container rules.
LoadFile parse_body(FieldReader& reader) {
  LoadFile out;
  const ByteView aid = reader.value(1, "package AID");
  out.package_aid.assign(aid.begin(), aid.end());
  out.package_name = text(reader.value(2, "package name"));
  out.major_version = reader.u8("major version");
  out.minor_version = reader.u8("minor version");
  const std::uint8_t applets = reader.u8("applet count");
  for (std::size_t i = 1; i <= applets; ++i) {
    const std::string which = "applet " + std::to_string(i);
    AppletDeclaration applet;
    applet.class_name = text(reader.value(2, which + " class name"));
    const ByteView applet_aid = reader.value(1, which + " (" + applet.class_name + ") AID");
    applet.aid.assign(applet_aid.begin(), applet_aid.end());
    out.applets.push_back(std::move(applet));
  }
  const std::uint16_t classes = reader.u16("class count");
  for (std::size_t i = 1; i <= classes; ++i) {
    const std::string which = "class " + std::to_string(i);
    ClassBytes cls;
    cls.name = text(reader.value(2, which + " name"));
    const ByteView bytes = reader.value(4, which + " (" + cls.name + ") bytes");
    cls.bytes.assign(bytes.begin(), bytes.end());
    out.classes.push_back(std::move(cls));
  }
  return out;
}

// Where a file cut short ends: the body field the available bytes stop in, else the digest.
std::string cut_in(ByteView file, std::size_t body_size) {
  const std::size_t available = std::min(file.size(), kHeaderSize + body_size) - kHeaderSize;
  FieldReader reader(file.subspan(kHeaderSize, available));
  try {
    parse_body(reader);
  } catch (const Shortage& shortage) {
    return shortage.field;
  }
  return available < body_size ? "the bytes after the last class" : "the SHA-256";
}

void check_header(ByteView file) {
  const std::size_t magic_bytes = std::min(file.size(), sizeof kMagic);
  if (!std::equal(file.begin(), file.begin() + static_cast<std::ptrdiff_t>(magic_bytes), std::begin(kMagic))) {
    refuse("not a sefleet Java Card load file (magic " + to_hex(file.first(magic_bytes)) +
           ", expected 53464A43 \"SFJC\")");
  }
  if (file.size() < sizeof kMagic) refuse("truncated in the magic (" + std::to_string(file.size()) + " of 4 bytes)");
  if (file.size() < 5) refuse("truncated before the format version");
  if (file[4] != kLoadFileFormatVersion) {
    refuse("unknown format version " + to_hex(Bytes{file[4]}) + " (this build reads version 01)");
  }
  if (file.size() < kHeaderSize)
    refuse("truncated in the body length (" + std::to_string(file.size()) + " of 9 header bytes)");
}

void put_value(Bytes& out, std::size_t prefix, ByteView value) {
  if (prefix == 1) out.push_back(static_cast<std::uint8_t>(value.size()));
  if (prefix == 2) put_be16(out, static_cast<std::uint16_t>(value.size()));
  if (prefix == 4) put_be32(out, static_cast<std::uint32_t>(value.size()));
  append(out, value);
}

void check_name_size(const std::string& name, const std::string& what) {
  if (name.size() > 0xFFFF) refuse(what + " is longer than 65535 bytes");
}

}  // namespace

Bytes encode_load_file(const LoadFile& load_file) {
  check_load_file_rules(load_file);
  check_name_size(load_file.package_name, "the package name");
  if (load_file.applets.size() > 0xFF) refuse("more than 255 applets");
  if (load_file.classes.size() > 0xFFFF) refuse("more than 65535 classes");
  Bytes body;
  put_value(body, 1, load_file.package_aid);
  put_value(body, 2, bytes_of(load_file.package_name));
  body.push_back(load_file.major_version);
  body.push_back(load_file.minor_version);
  body.push_back(static_cast<std::uint8_t>(load_file.applets.size()));
  for (const AppletDeclaration& applet : load_file.applets) {
    check_name_size(applet.class_name, "applet class name " + applet.class_name.substr(0, 64));
    put_value(body, 2, bytes_of(applet.class_name));
    put_value(body, 1, applet.aid);
  }
  put_be16(body, static_cast<std::uint16_t>(load_file.classes.size()));
  for (const ClassBytes& cls : load_file.classes) {
    check_name_size(cls.name, "class name " + cls.name.substr(0, 64));
    if (cls.bytes.size() > kMaxBodySize) refuse("class " + cls.name + " is larger than a load file may be");
    put_value(body, 2, bytes_of(cls.name));
    put_value(body, 4, cls.bytes);
    if (body.size() > kMaxBodySize) break;  // refused just below; stop copying
  }
  if (body.size() > kMaxBodySize) {
    refuse("the classes need more than the " + std::to_string(kMaxLoadFileSize) + " bytes a load file may have");
  }
  Bytes out(std::begin(kMagic), std::end(kMagic));
  out.push_back(kLoadFileFormatVersion);
  put_be32(out, static_cast<std::uint32_t>(body.size()));
  append(out, body);
  const crypto::Digest256 digest = crypto::sha256(out);
  append(out, digest);
  return out;
}

LoadFile decode_load_file(ByteView file) {
  if (file.size() > kMaxLoadFileSize) {
    refuse(std::to_string(file.size()) + " bytes, more than the " + std::to_string(kMaxLoadFileSize) +
           " a load file may have");
  }
  check_header(file);
  const std::size_t body_size = read_be32(file, 5);
  if (body_size > kMaxBodySize) {
    refuse("the header announces a body of " + std::to_string(body_size) + " bytes, more than a load file may have");
  }
  const std::size_t total = kHeaderSize + body_size + kDigestSize;
  if (file.size() < total) {
    refuse("truncated in " + cut_in(file, body_size) + ": the header announces " + std::to_string(total) +
           " bytes, the file has " + std::to_string(file.size()));
  }
  if (file.size() > total) refuse(std::to_string(file.size() - total) + " trailing bytes after the SHA-256");
  const crypto::Digest256 digest = crypto::sha256(file.first(kHeaderSize + body_size));
  if (!std::equal(digest.begin(), digest.end(), file.begin() + static_cast<std::ptrdiff_t>(kHeaderSize + body_size))) {
    refuse("SHA-256 mismatch: the file is damaged");
  }
  FieldReader reader(file.subspan(kHeaderSize, body_size));
  LoadFile out;
  try {
    out = parse_body(reader);
  } catch (const Shortage& shortage) {
    refuse("malformed body: " + shortage.field + " needs " + std::to_string(shortage.needed) + " bytes, only " +
           std::to_string(shortage.left) + " left");
  }
  if (reader.left() != 0)
    refuse("malformed body: " + std::to_string(reader.left()) + " unexpected bytes after the last class");
  check_load_file_rules(out);
  return out;
}

}  // namespace sefleet::card::javacard

#include "card/nvm/nvm_format.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "card/nvm/crc32c.hpp"

namespace sefleet::card::nvm::format {

namespace {

constexpr std::array<std::uint8_t, 8> kFileMagic = {'S', 'E', 'F', 'L', 'N', 'V', 'M', '\n'};
constexpr std::array<std::uint8_t, 4> kSlotMagic = {'S', 'L', 'O', 'T'};

std::uint64_t read_be64(ByteView view, std::size_t offset) {
  return read_be(view.subspan(offset, 8));
}

// Fixed-size blocks end with the CRC-32C of everything before it.
void seal(Bytes& block) {
  put_be32(block, crc32c(block));
}

bool sealed(ByteView block) {
  const std::size_t body = block.size() - 4;
  return crc32c(block.first(body)) == read_be32(block, body);
}

}  // namespace

Bytes encode_file_header() {
  Bytes out(kFileMagic.begin(), kFileMagic.end());
  put_be32(out, kVersion);
  put_be32(out, static_cast<std::uint32_t>(kDataStart));
  out.resize(kFileHeaderSize - 4, 0);
  seal(out);
  return out;
}

std::string file_header_problem(ByteView header) {
  if (!std::equal(kFileMagic.begin(), kFileMagic.end(), header.begin())) {
    return "bad magic (not a sefleet NVM file, or its header is corrupt)";
  }
  if (!sealed(header)) return "header checksum mismatch (the header is corrupt)";
  const std::uint32_t version = read_be32(header, 8);
  if (version != kVersion) return "unsupported format version " + std::to_string(version);
  if (read_be32(header, 12) != kDataStart) return "unexpected record area offset";
  return {};
}

SlotBytes encode_slot_bytes(const CommitSlot& slot) {
  SlotBytes out{};  // the reserved fields stay zero
  std::copy(kSlotMagic.begin(), kSlotMagic.end(), out.begin());
  store_be<8>(out.data() + 8, slot.generation);
  store_be<8>(out.data() + 16, slot.base);
  store_be<8>(out.data() + 24, slot.end);
  store_be<8>(out.data() + 32, slot.last_sequence);
  store_be<4>(out.data() + kSlotSize - 4, crc32c(ByteView(out).first(kSlotSize - 4)));
  return out;
}

Bytes encode_slot(const CommitSlot& slot) {
  const SlotBytes bytes = encode_slot_bytes(slot);
  return Bytes(bytes.begin(), bytes.end());
}

std::optional<CommitSlot> decode_slot(ByteView bytes) {
  if (!std::equal(kSlotMagic.begin(), kSlotMagic.end(), bytes.begin()) || !sealed(bytes)) return std::nullopt;
  CommitSlot slot;
  slot.generation = read_be64(bytes, 8);
  slot.base = read_be64(bytes, 16);
  slot.end = read_be64(bytes, 24);
  slot.last_sequence = read_be64(bytes, 32);
  return slot;
}

RecordWriter::RecordWriter(RecordType type, std::uint64_t sequence) {
  framing_.reserve(512);
  reset(type, sequence);
}

// The framing is written in place, one resize per piece, rather than a byte at a time: a store that
// commits one short block per transaction encodes a record for each of them.
void RecordWriter::reset(RecordType type, std::uint64_t sequence) {
  references_.clear();
  referenced_bytes_ = 0;
  count_ = 0;
  type_ = type;
  sequence_ = sequence;
  framing_.assign(kRecordStartSize, 0);  // written by finish(), once the length and count are known
}

std::uint8_t* RecordWriter::grow(std::size_t bytes) {
  const std::size_t at = framing_.size();
  framing_.resize(at + bytes);
  return framing_.data() + at;
}

void RecordWriter::add_op(OpCode code, std::string_view key, std::optional<std::size_t> value_size) {
  encode_op_header(grow(op_header_size(key.size(), value_size.has_value())), code, key, value_size);
  ++count_;
}

void RecordWriter::add_value(ByteView value) {
  if (value.size() >= kReferencedValueSize) {
    references_.push_back(Reference{framing_.size(), value});
    referenced_bytes_ += value.size();
  } else {
    std::copy(value.begin(), value.end(), grow(value.size()));
  }
}

void RecordWriter::put(std::string_view key, ByteView value, ByteView continuation) {
  add_op(OpCode::put, key, value.size() + continuation.size());
  add_value(value);
  if (!continuation.empty()) add_value(continuation);
}

void RecordWriter::erase(std::string_view key) {
  add_op(OpCode::erase, key, std::nullopt);
}

void RecordWriter::append(std::string_view key, ByteView value) {
  add_op(OpCode::append, key, value.size());
  add_value(value);
}

void RecordWriter::copy(std::string_view key, std::string_view source) {
  add_op(OpCode::copy, key, source.size());
  std::copy(source.begin(), source.end(), grow(source.size()));  // a name: always inline, never referenced
}

void RecordWriter::finish() {
  encode_record_start(framing_.data(), type_, size() - kRecordHeaderSize, sequence_, count_);
  // The checksum runs over the pieces where they are, in order: no joined copy of the record.
  std::uint32_t crc = 0;
  std::size_t at = 0;
  for (const Reference& reference : references_) {
    crc = crc32c(ByteView(framing_).subspan(at, reference.at - at), crc);
    crc = crc32c(reference.value, crc);
    at = reference.at;
  }
  crc = crc32c(ByteView(framing_).subspan(at), crc);
  store_be<kRecordTrailerSize>(grow(kRecordTrailerSize), crc);
}

std::vector<ByteView> RecordWriter::pieces() const {
  std::vector<ByteView> out;
  pieces(out);
  return out;
}

void RecordWriter::pieces(std::vector<ByteView>& out) const {
  out.clear();
  out.reserve(2 * references_.size() + 1);
  std::size_t at = 0;
  for (const Reference& reference : references_) {
    out.push_back(ByteView(framing_).subspan(at, reference.at - at));
    out.push_back(reference.value);
    at = reference.at;
  }
  out.push_back(ByteView(framing_).subspan(at));
}

Bytes RecordWriter::bytes() const {
  Bytes out;
  out.reserve(size());
  for (const ByteView piece : pieces()) sefleet::append(out, piece);
  return out;
}

void encode_record_start(std::uint8_t* out, RecordType type, std::uint64_t payload_size, std::uint64_t sequence,
                         std::uint32_t op_count) noexcept {
  out[0] = static_cast<std::uint8_t>(type);
  out[1] = out[2] = out[3] = 0;
  store_be<4>(out + 4, payload_size);
  store_be<8>(out + 8, sequence);
  store_be<4>(out + kRecordHeaderSize, op_count);
}

std::uint8_t* encode_op_header(std::uint8_t* out, OpCode code, std::string_view key,
                               std::optional<std::size_t> value_size) noexcept {
  out[0] = static_cast<std::uint8_t>(code);
  store_be<2>(out + 1, key.size());
  std::memcpy(out + 3, key.data(), key.size());  // chars into bytes: std::copy would loop
  out += 3 + key.size();
  if (value_size) {
    store_be<4>(out, *value_size);
    out += 4;
  }
  return out;
}

std::uint64_t put_op_size(std::size_t key_size, std::size_t value_size) {
  return op_header_size(key_size, true) + value_size;
}

std::optional<ParsedRecord> parse_record(ByteView bytes, std::string& problem) {
  if (bytes.size() < kRecordHeaderSize + 4 + kRecordTrailerSize) {
    problem = "record header runs past the committed end";
    return std::nullopt;
  }
  const std::uint8_t type = bytes[0];
  const std::uint64_t payload = read_be32(bytes, 4);
  if (payload + kRecordHeaderSize + kRecordTrailerSize > bytes.size()) {
    problem = "record length " + std::to_string(payload) + " runs past the committed end";
    return std::nullopt;
  }
  const std::size_t size = payload + kRecordHeaderSize + kRecordTrailerSize;
  const ByteView record = bytes.first(size);
  if (!sealed(record)) {
    problem = "record checksum mismatch";
    return std::nullopt;
  }
  if ((type != static_cast<std::uint8_t>(RecordType::snapshot) &&
       type != static_cast<std::uint8_t>(RecordType::transaction)) ||
      bytes[1] != 0 || bytes[2] != 0 || bytes[3] != 0 || payload < 4) {
    problem = "malformed record header";
    return std::nullopt;
  }
  ParsedRecord out{static_cast<RecordType>(type), read_be64(record, 8), {}, size};
  const ByteView body = record.subspan(kRecordHeaderSize, payload);
  const std::uint32_t count = read_be32(body, 0);
  std::size_t at = 4;
  const auto need = [&](std::size_t n) { return at + n <= body.size(); };
  for (std::uint32_t i = 0; i < count; ++i) {
    if (!need(3)) break;
    const std::uint8_t code = body[at];
    const std::size_t key_size = read_be16(body, at + 1);
    at += 3;
    const bool transaction_only =
        code == static_cast<std::uint8_t>(OpCode::append) || code == static_cast<std::uint8_t>(OpCode::copy);
    if (code < static_cast<std::uint8_t>(OpCode::put) || code > static_cast<std::uint8_t>(OpCode::copy) ||
        (transaction_only && type != static_cast<std::uint8_t>(RecordType::transaction)) || key_size == 0 ||
        key_size > kMaxKeySize || !need(key_size)) {
      problem = "malformed operation " + std::to_string(i);
      return std::nullopt;
    }
    RecordOp op{static_cast<OpCode>(code),
                std::string(body.begin() + static_cast<std::ptrdiff_t>(at),
                            body.begin() + static_cast<std::ptrdiff_t>(at + key_size)),
                {}};
    at += key_size;
    if (op.code != OpCode::erase) {
      if (!need(4)) break;
      const std::size_t value_size = read_be32(body, at);
      at += 4;
      const bool bad_source = op.code == OpCode::copy && (value_size == 0 || value_size > kMaxKeySize);
      if (value_size > kMaxValueSize || bad_source || !need(value_size)) {
        problem = "malformed value in operation " + std::to_string(i);
        return std::nullopt;
      }
      op.value = body.subspan(at, value_size);
      at += value_size;
    }
    out.ops.push_back(std::move(op));
  }
  if (out.ops.size() != count || at != body.size()) {
    problem = "operation list does not match the record length";
    return std::nullopt;
  }
  return out;
}

}  // namespace sefleet::card::nvm::format

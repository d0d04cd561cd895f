// The byte layout of an NVM state file (docs/nvm.md describes it byte by byte). Pure encoding and
// decoding, no I/O: the store decides what to write where and when to sync.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.hpp"

namespace sefleet::card::nvm::format {

inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kFileHeaderSize = 64;
inline constexpr std::size_t kSlotSize = 64;
inline constexpr std::uint64_t kSlotOffsets[2] = {64, 128};
inline constexpr std::uint64_t kDataStart = 192;  // first byte of the record area

inline constexpr std::size_t kMaxKeySize = 1024;
inline constexpr std::size_t kMaxValueSize = 16 * 1024 * 1024;

inline constexpr std::size_t kRecordHeaderSize = 16;  // type, 3 zero bytes, payload length, sequence
inline constexpr std::size_t kRecordTrailerSize = 4;  // CRC-32C

// Writes the low N bytes of `value` big-endian at `out`. A fixed width, so that each field is one
// byte-swapped store: a short block's commit frames its record and its slot with a dozen of them.
template <std::size_t N>
inline void store_be(std::uint8_t* out, std::uint64_t value) noexcept {
  static_assert(N == 2 || N == 4 || N == 8);
  if constexpr (std::endian::native == std::endian::little && N == 8) {
    const std::uint64_t swapped = __builtin_bswap64(value);
    std::memcpy(out, &swapped, N);
  } else if constexpr (std::endian::native == std::endian::little && N == 4) {
    const std::uint32_t swapped = __builtin_bswap32(static_cast<std::uint32_t>(value));
    std::memcpy(out, &swapped, N);
  } else if constexpr (std::endian::native == std::endian::little && N == 2) {
    const std::uint16_t swapped = __builtin_bswap16(static_cast<std::uint16_t>(value));
    std::memcpy(out, &swapped, N);
  } else {
    for (std::size_t i = 0; i < N; ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * (N - 1 - i)));
  }
}

// Written once when the file is formatted, never rewritten.
Bytes encode_file_header();
// Empty when `header` (kFileHeaderSize bytes) is a valid header, otherwise what is wrong with it.
std::string file_header_problem(ByteView header);

// A commit slot says which bytes of the record area are committed. Two slots alternate (generation
// g lives in slot g % 2), so a torn slot write leaves the previous commit intact in the other slot.
struct CommitSlot {
  std::uint64_t generation = 0;
  std::uint64_t base = kDataStart;  // first committed record
  std::uint64_t end = kDataStart;   // one past the last committed record
  std::uint64_t last_sequence = 0;  // sequence number of the last committed record (0: none yet)
};

Bytes encode_slot(const CommitSlot& slot);
// The same in a fixed array: a commit writes its slot without a heap allocation.
using SlotBytes = std::array<std::uint8_t, kSlotSize>;
SlotBytes encode_slot_bytes(const CommitSlot& slot);
// nullopt when the slot's magic or checksum is wrong (never written, torn, or corrupt).
std::optional<CommitSlot> decode_slot(ByteView bytes);

enum class RecordType : std::uint8_t {
  snapshot = 1,     // the whole state, written by compaction; only ever the first record at `base`
  transaction = 2,  // the changes of one committed transaction
};

// append adds its bytes at the end of the object's value (creating the object when it is missing):
// a value that grows by small pieces costs each commit only the new piece. copy gives the key the
// value the object named by its operand has before the transaction (replacing any value the key has):
// a rename (copy and erase of the source) records two names instead of the whole value. Both in
// transaction records only.
enum class OpCode : std::uint8_t { put = 1, erase = 2, append = 3, copy = 4 };

// The start of a record at `out` (kRecordStartSize bytes): its type, 3 zero bytes, the payload's
// length (what follows the header, the checksum excluded), its sequence number and its op count.
inline constexpr std::size_t kRecordStartSize = kRecordHeaderSize + 4;
void encode_record_start(std::uint8_t* out, RecordType type, std::uint64_t payload_size, std::uint64_t sequence,
                         std::uint32_t op_count) noexcept;
// The bytes of an op's header: the op code, the key's length and the key, and (put, append, copy) the
// value's length.
constexpr std::size_t op_header_size(std::size_t key_size, bool has_value) noexcept {
  return 1 + 2 + key_size + (has_value ? 4 : 0);
}
// Writes an op's header at `out` (op_header_size bytes) and returns where its value goes.
std::uint8_t* encode_op_header(std::uint8_t* out, OpCode code, std::string_view key,
                               std::optional<std::size_t> value_size) noexcept;

// Serializes one record: begin, any number of put/erase, finish. A record can hold megabytes of
// values that already sit in the store's own buffers, so values of kReferencedValueSize bytes or
// more are not copied into it: the record is a sequence of pieces (its framing, with the small values
// inline, and the large values where they are), written to the device as one gathered write. The
// values must therefore stay alive and unchanged until the record has been written.
class RecordWriter {
 public:
  static constexpr std::size_t kReferencedValueSize = 512;

  RecordWriter(RecordType type, std::uint64_t sequence);
  // Starts a new record in the same object: the buffers keep their capacity, so a store that writes
  // one small record per commit builds it without allocating.
  void reset(RecordType type, std::uint64_t sequence);
  // The value is `value` followed by `continuation` (a snapshot of an object with bytes appended in
  // the same commit joins the two without copying either).
  void put(std::string_view key, ByteView value, ByteView continuation = {});
  void erase(std::string_view key);
  void append(std::string_view key, ByteView value);
  // `key` gets the value `source` has before this record (source: 1 to kMaxKeySize bytes).
  void copy(std::string_view key, std::string_view source);
  // Patches the length and count in and appends the checksum; nothing may be added afterwards.
  void finish();

  // The finished record: its bytes are the concatenation of pieces(), size() in total. The views
  // are valid while the writer and the referenced values are.
  std::vector<ByteView> pieces() const;
  // The same into `out` (cleared first), whose capacity a caller can keep from one record to the next.
  void pieces(std::vector<ByteView>& out) const;
  std::size_t size() const noexcept { return framing_.size() + referenced_bytes_; }
  // The record as one buffer (a copy), for tests and diagnostics.
  Bytes bytes() const;

 private:
  struct Reference {
    std::size_t at;  // where in framing_ the value belongs
    ByteView value;
  };
  // The framing grown by `bytes`, returning where they start.
  std::uint8_t* grow(std::size_t bytes);
  // The op code, the key and (put, append) the value's length.
  void add_op(OpCode code, std::string_view key, std::optional<std::size_t> value_size);
  void add_value(ByteView value);
  RecordType type_ = RecordType::transaction;
  std::uint64_t sequence_ = 0;
  Bytes framing_;
  std::vector<Reference> references_;
  std::size_t referenced_bytes_ = 0;
  std::uint32_t count_ = 0;
};

// Bytes one put of this key and value adds to a record (for the compaction size estimate).
std::uint64_t put_op_size(std::size_t key_size, std::size_t value_size);
inline constexpr std::uint64_t kEmptyRecordSize = kRecordStartSize + kRecordTrailerSize;

struct RecordOp {
  OpCode code;
  std::string key;
  // Into the buffer the record was parsed from (put: the value, append: the bytes added, copy: the
  // source's key); empty for erase.
  ByteView value;
};

struct ParsedRecord {
  RecordType type;
  std::uint64_t sequence;
  std::vector<RecordOp> ops;
  std::size_t size;  // total bytes, header to checksum
};

// Parses the record at the start of `bytes`. On failure returns nullopt and sets `problem`.
std::optional<ParsedRecord> parse_record(ByteView bytes, std::string& problem);

}  // namespace sefleet::card::nvm::format

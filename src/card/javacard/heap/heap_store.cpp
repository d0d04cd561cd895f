// The heap's NVM records: encoding of object headers and data chunks, commits, and the reload of
// every persistent object when the card is opened.
//
// Header record "jc/o/<handle, 8 hex digits>" (big-endian):
//   version(1)=1 kind(1) flags(1) context(1) owner(2) length(4) class-name-length(2) class-name
// The class name is the instance's or statics' class, or a reference array's element class (empty for
// primitive arrays). Data chunk "jc/o/<handle>/<chunk, 4 hex digits>":
// the elements of bytes [chunk*128, chunk*128+128) of the object's data, each big-endian.
#include <algorithm>
#include <cstdio>
#include <cstring>

#include "card/javacard/heap/heap.hpp"
#include "card/javacard/vm/runtime_class.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/virtual_clock.hpp"
#include "core/error.hpp"

namespace sefleet::card::javacard::heap {

namespace {

inline constexpr std::uint8_t kHeaderVersion = 1;
// The flags a header stores (the rest is bookkeeping of the running VM).
inline constexpr std::uint8_t kStoredFlags =
    flag::kPersistent | flag::kTransient | flag::kGlobal | flag::kTemporaryEntryPoint | flag::kPermanentEntryPoint;

std::uint32_t chunk_count(const Object& object) {
  return static_cast<std::uint32_t>((object.byte_size() + kChunkBytes - 1) / kChunkBytes);
}

// Host-order RAM data <-> big-endian stored data, element by element.
void convert_elements(const std::uint8_t* in, std::uint8_t* out, std::size_t size, std::size_t element) {
  if (element == 1) {
    if (size > 0) std::memcpy(out, in, size);  // an empty array may have no storage (null)
    return;
  }
  for (std::size_t i = 0; i < size; i += element) {
    if (element == 2) {
      std::uint16_t value;
      std::memcpy(&value, in + i, 2);
      out[i] = static_cast<std::uint8_t>(value >> 8);
      out[i + 1] = static_cast<std::uint8_t>(value);
    } else {
      std::uint32_t value;
      std::memcpy(&value, in + i, 4);
      out[i] = static_cast<std::uint8_t>(value >> 24);
      out[i + 1] = static_cast<std::uint8_t>(value >> 16);
      out[i + 2] = static_cast<std::uint8_t>(value >> 8);
      out[i + 3] = static_cast<std::uint8_t>(value);
    }
  }
}

void decode_elements(const std::uint8_t* in, std::uint8_t* out, std::size_t size, std::size_t element) {
  if (element == 1) {
    if (size > 0) std::memcpy(out, in, size);  // an empty array may have no storage (null)
    return;
  }
  for (std::size_t i = 0; i < size; i += element) {
    if (element == 2) {
      const auto value = static_cast<std::uint16_t>((in[i] << 8) | in[i + 1]);
      std::memcpy(out + i, &value, 2);
    } else {
      const std::uint32_t value = (static_cast<std::uint32_t>(in[i]) << 24) |
                                  (static_cast<std::uint32_t>(in[i + 1]) << 16) |
                                  (static_cast<std::uint32_t>(in[i + 2]) << 8) | in[i + 3];
      std::memcpy(out + i, &value, 4);
    }
  }
}

[[noreturn]] void corrupt(std::string_view key, std::string_view what) {
  throw Error(Errc::integrity_error, "Java Card heap record " + std::string(key) + ": " + std::string(what));
}

bool valid_kind(std::uint8_t kind) {
  return kind >= static_cast<std::uint8_t>(ObjectKind::instance) &&
         kind <= static_cast<std::uint8_t>(ObjectKind::array_reference);
}

std::optional<std::uint32_t> parse_hex(std::string_view text, std::size_t digits) {
  if (text.size() != digits) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : text) {
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value |= static_cast<std::uint32_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
  }
  return value;
}

}  // namespace

std::string object_key(Ref ref) {
  char key[16];
  std::snprintf(key, sizeof key, "%08x", ref);
  return std::string(kObjectKeyPrefix) + key;
}

std::string chunk_key(Ref ref, std::uint32_t chunk) {
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "/%04x", chunk);
  return object_key(ref) + suffix;
}

Bytes Heap::encode_header(const Object& object) const {
  Bytes out;
  out.push_back(kHeaderVersion);
  out.push_back(static_cast<std::uint8_t>(object.kind));
  out.push_back(object.flags & kStoredFlags);
  out.push_back(object.context);
  put_be16(out, object.owner);
  put_be32(out, static_cast<std::uint32_t>(object.length));
  const std::string_view name = object.cls != nullptr ? std::string_view(object.cls->name) : std::string_view();
  put_be16(out, static_cast<std::uint16_t>(name.size()));
  out.insert(out.end(), name.begin(), name.end());
  return out;
}

Bytes Heap::encode_chunk(const Object& object, std::uint32_t chunk) const {
  const std::size_t begin = static_cast<std::size_t>(chunk) * kChunkBytes;
  const std::size_t end = std::min(begin + kChunkBytes, object.byte_size());
  Bytes out(end - begin);
  convert_elements(object.bytes() + begin, out.data(), out.size(), element_size(object.kind));
  return out;
}

template <typename Writes>
void Heap::commit_to_store(Writes&& writes) {
  if (store_ == nullptr) return;
  if (store_->in_transaction()) {
    writes();  // joins the transaction its opener commits (see heap.hpp)
    return;
  }
  nvm::run_transaction(*store_, writes);
  clock_->charge(SeOperation::transaction_commit);
}

void Heap::flush() {
  if (dirty_chunks_.empty() && dirty_headers_.empty() && erased_.empty()) return;
  commit_to_store([&] {
    for (const auto& [ref, chunks] : erased_) {
      store_->erase(object_key(ref));
      for (std::uint32_t chunk = 0; chunk < chunks; ++chunk) store_->erase(chunk_key(ref, chunk));
    }
    for (const Ref ref : dirty_headers_) {
      if (const Object* object = find(ref)) store_->write(object_key(ref), encode_header(*object));
    }
    for (const ChunkKey key : dirty_chunks_) {
      const auto ref = static_cast<Ref>(key >> 32);
      const auto chunk = static_cast<std::uint32_t>(key & 0xFFFFFFFFu);
      const Object* object = find(ref);
      if (object != nullptr && object->persistent_data())
        store_->write(chunk_key(ref, chunk), encode_chunk(*object, chunk));
    }
  });
  dirty_chunks_.clear();
  dirty_headers_.clear();
  erased_.clear();
}

void Heap::flush_outside_transaction(Ref ref, const Object& object, std::size_t offset, std::size_t size) {
  const std::size_t first = offset / kChunkBytes;
  const std::size_t last = (offset + size - 1) / kChunkBytes;
  commit_to_store([&] {
    for (std::size_t chunk = first; chunk <= last; ++chunk) {
      const std::size_t begin = chunk * kChunkBytes;
      const std::size_t end = std::min(begin + kChunkBytes, object.byte_size());
      // RAM content of the chunk with the transaction's journalled writes taken back out.
      Bytes ram(object.bytes() + begin, object.bytes() + end);
      for (auto entry = undo_.rbegin(); entry != undo_.rend(); ++entry) {
        if (entry->ref != ref) continue;
        const std::size_t from = std::max<std::size_t>(entry->offset, begin);
        const std::size_t to = std::min<std::size_t>(entry->offset + entry->size, end);
        if (from >= to) continue;
        std::memcpy(ram.data() + (from - begin), undo_pool_.data() + entry->pool + (from - entry->offset), to - from);
      }
      Bytes stored(ram.size());
      convert_elements(ram.data(), stored.data(), ram.size(), element_size(object.kind));
      store_->write(chunk_key(ref, static_cast<std::uint32_t>(chunk)), stored);
    }
  });
}

void Heap::load(const ClassByName& classes) {
  if (store_ == nullptr) return;
  const auto& state = store_->committed();
  for (auto it = state.lower_bound(kObjectKeyPrefix); it != state.end() && it->first.starts_with(kObjectKeyPrefix);
       ++it) {
    const std::string& key = it->first;
    const std::string_view rest = std::string_view(key).substr(kObjectKeyPrefix.size());
    const auto handle = parse_hex(rest.substr(0, std::min<std::size_t>(8, rest.size())), 8);
    if (!handle || *handle == 0) corrupt(key, "the handle is not 8 lowercase hex digits");
    const Ref ref = *handle;
    const ByteView value = it->second;
    if (rest.size() == 8) {
      // Header.
      if (value.size() < 12 || value[0] != kHeaderVersion) corrupt(key, "unknown header format");
      if (!valid_kind(value[1])) corrupt(key, "unknown object kind");
      const std::size_t name_length = read_be16(value, 10);
      if (value.size() != 12 + name_length) corrupt(key, "header length does not match its class name");
      auto object = std::make_unique<Object>();
      object->kind = static_cast<ObjectKind>(value[1]);
      object->flags = value[2] & kStoredFlags;
      object->context = value[3];
      object->owner = read_be16(value, 4);
      object->length = static_cast<std::int32_t>(read_be32(value, 6));
      const std::string name(value.begin() + 12, value.end());
      if ((object->flags & flag::kPersistent) == 0) corrupt(key, "a stored object without the persistent flag");
      if (object->length < 0 || object->length > 0xFFFF) corrupt(key, "length out of range");
      if (!name.empty()) {
        object->cls = classes(name);
        if (object->cls == nullptr) corrupt(key, "class " + name + " is not on the card");
      }
      if (object->kind == ObjectKind::instance || object->kind == ObjectKind::statics) {
        if (object->cls == nullptr) corrupt(key, "an instance without a class");
        const std::int32_t slots =
            object->kind == ObjectKind::instance ? object->cls->instance_slots : object->cls->static_slots;
        if (slots != object->length) corrupt(key, "the layout of " + name + " changed");
      }
      object->data = std::make_unique<std::uint8_t[]>(std::max<std::size_t>(object->byte_size(), 1));
      if (ref >= table_.size()) table_.resize(static_cast<std::size_t>(ref) + 1);
      if (table_[ref]) corrupt(key, "handle used twice");
      charge_capacity_on_load(*object);
      if ((object->flags & flag::kTransient) != 0) transient_arrays_.insert(ref);
      table_[ref] = std::move(object);
      ++live_count_;
      continue;
    }
    // Data chunk.
    if (rest.size() != 13 || rest[8] != '/') corrupt(key, "malformed chunk key");
    const auto chunk = parse_hex(rest.substr(9), 4);
    if (!chunk) corrupt(key, "malformed chunk index");
    Object* object = find(ref);
    if (object == nullptr) corrupt(key, "data without an object header");
    if (!object->persistent_data()) corrupt(key, "data stored for a transient or RAM-only object");
    if (*chunk >= chunk_count(*object)) corrupt(key, "chunk beyond the object's length");
    const std::size_t begin = static_cast<std::size_t>(*chunk) * kChunkBytes;
    const std::size_t expected = std::min(kChunkBytes, object->byte_size() - begin);
    if (value.size() != expected) corrupt(key, "chunk of the wrong size");
    decode_elements(value.data(), object->bytes() + begin, value.size(), element_size(object->kind));
  }
  free_handles_.clear();
  for (std::size_t ref = table_.size(); ref-- > 1;) {
    if (!table_[ref]) free_handles_.push_back(static_cast<Ref>(ref));
  }
}

void Heap::charge_capacity_on_load(const Object& object) {
  const bool transient = (object.flags & flag::kTransient) != 0;
  persistent_bytes_ += kObjectOverhead + (transient ? 0 : object.byte_size());
  if (transient) transient_bytes_ += object.byte_size();
}

}  // namespace sefleet::card::javacard::heap

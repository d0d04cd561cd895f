#include "card/state/image_store.hpp"

#include <algorithm>
#include <cstdio>

#include "card/nvm/nvm_store.hpp"
#include "card/nvm/prefault.hpp"
#include "core/error.hpp"
#include "crypto/hash.hpp"

namespace sefleet::card {
namespace {

namespace bc = gp::broadcast;

// Object names (docs/card-state.md). Everything lives under "img/": CardState refuses unknown
// objects under its own "isd/" prefix, and this keeps the two owners apart.
constexpr std::string_view kImagePrefix = "img/";
// The names WRITE BLOCK touches are at most 15 characters, so building and comparing them needs no
// heap allocation (the standard library keeps strings that short inside the object).
constexpr std::string_view kStaging = "img/staging";
constexpr std::string_view kSegmentPrefix = "img/staged/";
constexpr std::string_view kBlockSizes = "img/block-sizes";
constexpr std::string_view kActivePrefix = "img/active/";
constexpr std::string_view kChunkInfix = "/chunk/";
// Format 1 of the active image record: its DATASEND is in chunks of kActiveChunkSize bytes (the last
// one shorter). Format 2: in chunks of any size, numbered from 0 without a gap, so that an activation
// can turn the staged segments into the image's chunks by renaming them (ImageStore::activate_staged).
// Format 1 is still read; every activation writes format 2.
constexpr std::uint8_t kImageRecordFixedChunks = 1;
constexpr std::uint8_t kImageRecordFormat = 2;
// Format 2 of the staging record dropped the bytes and blocks received (the segments and the list of
// block lengths hold them), so that WRITE BLOCK does not rewrite the record; its segments are always
// kStagingSegmentSize bytes. Format 3 adds the segment size after the total length (a short stream
// is one segment). Format 2 is still read; every change writes format 3.
constexpr std::uint8_t kStagingFormatFixedSegments = 2;
constexpr std::uint8_t kStagingFormat = 3;
constexpr std::size_t kStagingFixedSize = 1 + 1 + 16 + 4 + 1 + 1;  // format 2; format 3 has 4 more
constexpr std::size_t kSegmentSizeBytes = 4;
constexpr std::size_t kActiveFixedSize = 1 + 1 + 4 + 4 + 32 + 1;
constexpr std::size_t kBlockSizeBytes = 4;
// What an activation adds to the state besides the stream's bytes (its record, the chunk's name and
// framing), with plenty to spare: the room open_staging leaves in front of its snapshot.
constexpr std::uint64_t kActivationRoomMargin = 1024;
// The journal a staged stream may fill before a commit compacts it, per byte of the stream: each
// block's record adds 72 bytes of framing and length, so blocks of 72 bytes or more stay within twice
// the stream (the fleet's are about 240).
constexpr std::uint64_t kJournalPerStagedByte = 2;

std::string hex_number(unsigned value, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "%0*X", digits, value);
  return text;
}

std::string segment_name(std::size_t index) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string name(kSegmentPrefix);
  for (int shift = 12; shift >= 0; shift -= 4) name.push_back(kDigits[(index >> shift) & 0xF]);
  return name;
}
// The segment sizes a list of block lengths makes: whole blocks, a new segment when the next block
// does not fit in the current one (of at most `segment_size` bytes).
std::vector<std::size_t> segment_sizes(const std::vector<std::uint32_t>& blocks, std::size_t segment_size) {
  std::vector<std::size_t> sizes;
  for (const std::uint32_t block : blocks) {
    if (sizes.empty() || sizes.back() + block > segment_size) sizes.push_back(0);
    sizes.back() += block;
  }
  return sizes;
}
std::string active_name(bc::ImageType type) {
  return std::string(kActivePrefix) + hex_number(static_cast<unsigned>(type), 2);
}
std::string chunk_name(bc::ImageType type, std::size_t index) {
  return active_name(type) + std::string(kChunkInfix) + hex_number(static_cast<unsigned>(index), 4);
}
std::size_t chunk_count(std::size_t length) {
  return (length + kActiveChunkSize - 1) / kActiveChunkSize;
}

bool is_image_type(std::uint8_t value) {
  return value >= 0x01 && value <= 0x04;
}

[[noreturn]] void corrupt_image(const nvm::NvmStore& store, std::string_view object, const std::string& problem) {
  throw Error(Errc::integrity_error,
              "image store in " + store.name() + ": object '" + std::string(object) + "' " + problem);
}

// The segment size a new staging of `total_length` bytes gets.
std::uint32_t segment_size_for(std::uint32_t total_length) {
  return total_length <= kWholeStreamStagingLimit ? total_length : static_cast<std::uint32_t>(kStagingSegmentSize);
}

Bytes encode_staging(const StagingRecord& r) {
  Bytes out{kStagingFormat, static_cast<std::uint8_t>(r.profile)};
  append(out, r.campaign_id);
  put_be32(out, r.total_length);
  put_be32(out, r.segment_size);
  out.push_back(static_cast<std::uint8_t>(r.state));
  out.push_back(static_cast<std::uint8_t>(r.bk_mac.size()));
  append(out, r.bk_mac.view());
  return out;
}

// The record alone: `received` and `blocks` are filled in from the segments and the list at load.
StagingRecord decode_staging(const nvm::NvmStore& store, ByteView v) {
  const bool fixed_segments = !v.empty() && v[0] == kStagingFormatFixedSegments;
  const std::size_t fixed_size = kStagingFixedSize + (fixed_segments ? 0 : kSegmentSizeBytes);
  if (v.size() < fixed_size || (v[0] != kStagingFormat && !fixed_segments))
    corrupt_image(store, kStaging, "has a bad size or format");
  StagingRecord r;
  if (v[1] != 0x03 && v[1] != 0x04) corrupt_image(store, kStaging, "names an unknown profile");
  r.profile = static_cast<bc::Profile>(v[1]);
  std::copy_n(v.begin() + 2, 16, r.campaign_id.begin());
  r.total_length = read_be32(v, 18);
  std::size_t at = 22;
  if (!fixed_segments) {
    r.segment_size = read_be32(v, at);
    at += kSegmentSizeBytes;
  }
  const std::uint8_t state = v[at];
  if (state < 0x01 || state > 0x03) corrupt_image(store, kStaging, "names an unknown state");
  r.state = static_cast<StagingState>(state);
  const std::size_t mac_size = v[at + 1];
  if (v.size() != fixed_size + mac_size) corrupt_image(store, kStaging, "has a bad BK-MAC length");
  r.bk_mac = SecretBytes(v.subspan(fixed_size));
  if (r.total_length == 0 || r.total_length > kStagingCapacity)
    corrupt_image(store, kStaging, "has a bad total length");
  // The size open_staging gives, or the fixed one of format 2 (kept when such a record is rewritten).
  if (r.segment_size != kStagingSegmentSize && r.segment_size != segment_size_for(r.total_length))
    corrupt_image(store, kStaging, "has a bad segment size");
  return r;
}

struct DecodedActive {
  ActiveImage image;
  bool fixed_chunks = false;  // format 1: chunks of kActiveChunkSize bytes
};

ActiveImage active_image(const bc::ImageManifest& manifest, std::uint32_t datasend_length,
                         const crypto::Digest256& sha256) {
  ActiveImage image;
  image.type = manifest.type;
  image.version = manifest.version;
  image.datasend_length = datasend_length;
  image.sha256 = sha256;
  image.name = manifest.name;
  return image;
}

Bytes encode_active(const ActiveImage& image) {
  Bytes out{kImageRecordFormat, static_cast<std::uint8_t>(image.type)};
  put_be32(out, image.version);
  put_be32(out, image.datasend_length);
  append(out, image.sha256);
  out.push_back(static_cast<std::uint8_t>(image.name.size()));
  append(out, ByteView(reinterpret_cast<const std::uint8_t*>(image.name.data()), image.name.size()));
  return out;
}

DecodedActive decode_active(const nvm::NvmStore& store, std::string_view name, ByteView v) {
  if (v.size() < kActiveFixedSize || (v[0] != kImageRecordFormat && v[0] != kImageRecordFixedChunks) ||
      !is_image_type(v[1])) {
    corrupt_image(store, name, "has a bad size, format or image type");
  }
  DecodedActive decoded;
  decoded.fixed_chunks = v[0] == kImageRecordFixedChunks;
  ActiveImage& image = decoded.image;
  image.type = static_cast<bc::ImageType>(v[1]);
  image.version = read_be32(v, 2);
  image.datasend_length = read_be32(v, 6);
  std::copy_n(v.begin() + 10, 32, image.sha256.begin());
  if (v.size() != kActiveFixedSize + v[42]) corrupt_image(store, name, "has a bad name length");
  image.name.assign(reinterpret_cast<const char*>(v.data()) + kActiveFixedSize, v[42]);
  if (name != active_name(image.type)) corrupt_image(store, name, "holds another image type");
  return decoded;
}

// The hex number after `prefix` in `name`, or nullopt when it is not exactly `digits` upper-case digits.
std::optional<unsigned> parse_suffix(std::string_view name, std::size_t at, int digits) {
  const std::string_view suffix = name.substr(at);
  if (suffix.size() != static_cast<std::size_t>(digits)) return std::nullopt;
  unsigned value = 0;
  for (const char c : suffix) {
    if (c >= '0' && c <= '9')
      value = value * 16 + static_cast<unsigned>(c - '0');
    else if (c >= 'A' && c <= 'F')
      value = value * 16 + static_cast<unsigned>(c - 'A' + 10);
    else
      return std::nullopt;
  }
  return value;
}

}  // namespace

ImageStore::ImageStore(nvm::NvmStore& store) : store_(store) {
  load();
}

void ImageStore::load() {
  staging_.reset();
  active_.clear();
  chunks_.clear();
  const auto& all = store_.committed();
  // First pass: records; second: segments, block list and chunks against them.
  std::map<bc::ImageType, bool> fixed_chunks;
  for (auto it = all.lower_bound(kActivePrefix); it != all.end() && it->first.starts_with(kActivePrefix); ++it) {
    if (it->first.find(kChunkInfix) != std::string::npos) continue;
    const DecodedActive decoded = decode_active(store_, it->first, it->second);
    active_[decoded.image.type] = decoded.image;
    chunks_[decoded.image.type] = 0;
    fixed_chunks[decoded.image.type] = decoded.fixed_chunks;
  }
  load_staging();
  std::map<bc::ImageType, std::uint64_t> chunk_bytes;
  for (auto it = all.lower_bound(kImagePrefix); it != all.end() && it->first.starts_with(kImagePrefix); ++it) {
    const std::string& name = it->first;
    if (name == kStaging || name == kBlockSizes || name.starts_with(kSegmentPrefix)) continue;  // load_staging
    if (name.starts_with(kActivePrefix)) {
      const std::size_t infix = name.find(kChunkInfix);
      if (infix == std::string::npos) continue;  // a record, checked above
      const auto type = parse_suffix(name.substr(0, infix), kActivePrefix.size(), 2);
      const auto index = parse_suffix(name, infix + kChunkInfix.size(), 4);
      const auto owner = type ? active_.find(static_cast<bc::ImageType>(*type)) : active_.end();
      // The names sort by index, so the chunks of an image come in order: numbered from 0 without a
      // gap, none empty, and in format 1 no more than the fixed chunk size makes.
      if (!index || owner == active_.end() || *index != chunks_[owner->first] || it->second.empty() ||
          (fixed_chunks[owner->first] && *index >= chunk_count(owner->second.datasend_length))) {
        corrupt_image(store_, name, "is not a chunk of an active image");
      }
      chunk_bytes[owner->first] += it->second.size();
      chunks_[owner->first] += 1;
    } else {
      corrupt_image(store_, name, "is not an image store object");
    }
  }
  for (const auto& [type, image] : active_) {
    if (chunk_bytes[type] != image.datasend_length)
      corrupt_image(store_, active_name(type), "does not match its chunks");
  }
}

// The record, then the segments (numbered from 0 without a gap) and the list of block lengths: the
// segments must be exactly what appending the listed blocks makes.
void ImageStore::load_staging() {
  const auto& all = store_.committed();
  segments_ = 0;
  last_segment_size_ = 0;
  if (const auto it = all.find(kStaging); it != all.end()) staging_ = decode_staging(store_, it->second);
  std::vector<std::size_t> segments;
  for (auto it = all.lower_bound(kSegmentPrefix); it != all.end() && it->first.starts_with(kSegmentPrefix); ++it) {
    const auto index = parse_suffix(it->first, kSegmentPrefix.size(), 4);
    if (!index || !staging_ || *index != segments.size()) {
      corrupt_image(store_, it->first, "is not a segment of the staging record");
    }
    segments.push_back(it->second.size());
  }
  std::vector<std::uint32_t> blocks;
  if (const auto it = all.find(kBlockSizes); it != all.end()) {
    const Bytes& list = it->second;
    if (!staging_ || list.empty() || list.size() % kBlockSizeBytes != 0 || list.size() / kBlockSizeBytes > 65536) {
      corrupt_image(store_, kBlockSizes, "is not the block list of a staging record");
    }
    for (std::size_t at = 0; at < list.size(); at += kBlockSizeBytes) {
      const std::uint32_t size = read_be32(list, at);
      if (size == 0 || size > kStagingSegmentSize) corrupt_image(store_, kBlockSizes, "lists a block of a bad size");
      blocks.push_back(size);
    }
  }
  if (!staging_) return;
  std::uint64_t staged_bytes = 0;
  for (const std::size_t size : segments) staged_bytes += size;
  if (segments != segment_sizes(blocks, staging_->segment_size) || staged_bytes > staging_->total_length ||
      (staging_->state != StagingState::receiving && staged_bytes != staging_->total_length)) {
    corrupt_image(store_, kStaging, "does not match its segments and block list");
  }
  staging_->received = static_cast<std::uint32_t>(staged_bytes);
  staging_->blocks = static_cast<std::uint32_t>(blocks.size());
  segments_ = segments.size();
  last_segment_size_ = segments.empty() ? 0 : segments.back();
}

const ActiveImage* ImageStore::find_active(bc::ImageType type) const {
  const auto it = active_.find(type);
  return it == active_.end() ? nullptr : &it->second;
}

void ImageStore::write_staging_record(const StagingRecord& record) {
  store_.write(kStaging, encode_staging(record));
}

void ImageStore::erase_staging_objects() {
  for (std::size_t i = 0; i < segments_; ++i) store_.erase(segment_name(i));
  store_.erase(kBlockSizes);
  store_.erase(kStaging);
}

void ImageStore::open_staging(bc::Profile profile, const bc::CampaignId& campaign_id, std::uint32_t total_length) {
  if (total_length == 0 || total_length > kStagingCapacity) {
    throw Error(Errc::invalid_argument, "image store: staging length out of range");
  }
  StagingRecord record;
  record.profile = profile;
  record.campaign_id = campaign_id;
  record.total_length = total_length;
  record.segment_size = segment_size_for(total_length);
  // A stream staged as one segment is activated where it is, and its activation compacts the state
  // (activate_staged). Without a plan, the journal of its blocks (the stream and a third more for
  // short blocks) would be compacted once or twice on the way, each time a snapshot of the stream
  // so far, and the activation's snapshot would land behind the journal. Instead this commit compacts
  // with room in front for the activated state, and the journal may hold the whole stream: the
  // blocks are appended and the activation's snapshot goes to the front of the medium, which shrinks
  // to it. A longer stream (64 KB blocks, each a segment that keeps its buffer) keeps the usual rule.
  const bool planned = record.segment_size == total_length;
  nvm::run_transaction(store_, [&] {
    if (staging_) erase_staging_objects();
    write_staging_record(record);
    if (planned) store_.compact_at_commit(total_length + kActivationRoomMargin);
  });
  if (planned) store_.allow_journal(kJournalPerStagedByte * total_length);
  staging_ = std::move(record);
  segments_ = 0;
  last_segment_size_ = 0;
}

void ImageStore::append_block(ByteView chunk) {
  append_block(Bytes(chunk.begin(), chunk.end()));
}

void ImageStore::append_block(Bytes&& chunk) {
  if (!staging_ || staging_->state != StagingState::receiving) {
    throw Error(Errc::state_error, "image store: no staging is receiving");
  }
  if (chunk.empty() || chunk.size() > kStagingSegmentSize) {
    throw Error(Errc::invalid_argument,
                "image store: a block is 1 to " + std::to_string(kStagingSegmentSize) + " bytes");
  }
  if (chunk.size() > staging_->total_length - staging_->received || staging_->blocks >= 65536) {
    throw Error(Errc::invalid_argument, "image store: block beyond the staging length");
  }
  const std::size_t size = chunk.size();
  std::array<std::uint8_t, kBlockSizeBytes> length{};
  for (std::size_t i = 0; i < kBlockSizeBytes; ++i) {
    length[i] = static_cast<std::uint8_t>(size >> (8 * (kBlockSizeBytes - 1 - i)));
  }
  const std::size_t segment_size = staging_->segment_size;
  const bool new_segment = segments_ == 0 || last_segment_size_ + size > segment_size;
  const std::size_t segment = new_segment ? segments_ : segments_ - 1;
  // A segment is filled by many short blocks: giving its first block the segment's whole capacity
  // lets the committed object grow in place instead of being copied each time its vector doubles. A
  // block that leaves no room for another of its size (a 64 KB extended block in a 64 KiB segment)
  // keeps its own buffer: reserving would copy it for nothing.
  if (new_segment) {
    if (size * 2 <= segment_size) {
      chunk.reserve(segment_size);
      // The segment keeps its bytes for as long as the card does: its pages are fresh memory, mapped
      // here at once rather than one page fault every sixteen blocks.
      nvm::prefault_for_writing(chunk.data() + size, segment_size - size);
    }
    nvm::run_transaction(store_, [&] {
      store_.append(segment_name(segment), std::move(chunk));
      store_.append(kBlockSizes, length);
    });
  } else {
    // The commonest WRITE BLOCK: two appends to objects that exist, committed as one short record.
    const std::string name = segment_name(segment);
    const nvm::NvmStore::Append appends[] = {{name, chunk}, {kBlockSizes, length}};
    store_.commit_appends(appends);
  }
  staging_->received += static_cast<std::uint32_t>(size);
  staging_->blocks += 1;
  segments_ = segment + 1;
  last_segment_size_ = new_segment ? size : last_segment_size_ + size;
}

void ImageStore::complete_staging(ByteView bk_mac) {
  if (!staging_ || staging_->state != StagingState::receiving || staging_->received != staging_->total_length) {
    throw Error(Errc::state_error, "image store: staging is not fully received");
  }
  StagingRecord next = *staging_;
  next.state = StagingState::complete;
  next.bk_mac = SecretBytes(bk_mac);
  nvm::run_transaction(store_, [&] { write_staging_record(next); });
  staging_ = std::move(next);
}

void ImageStore::mark_verified() {
  if (!staging_ || staging_->state == StagingState::receiving) {
    throw Error(Errc::state_error, "image store: staging is not complete");
  }
  if (staging_->state == StagingState::verified) return;
  StagingRecord next = *staging_;
  next.state = StagingState::verified;
  nvm::run_transaction(store_, [&] { write_staging_record(next); });
  staging_ = std::move(next);
}

void ImageStore::discard_staging() {
  if (!staging_) return;
  // The journal the stream was allowed (open_staging) is dead bytes now: the usual compaction rule
  // again, so that this commit rewrites the state and the medium shrinks, as an activation's does.
  store_.allow_journal(0);
  nvm::run_transaction(store_, [&] { erase_staging_objects(); });
  forget_staging();
}

void ImageStore::forget_staging() noexcept {
  staging_.reset();
  segments_ = 0;
  last_segment_size_ = 0;
}

void ImageStore::activated(ActiveImage&& image, std::size_t chunks) {
  chunks_[image.type] = chunks;
  active_[image.type] = std::move(image);
  forget_staging();
}

SecretBytes ImageStore::staged_stream() const {
  SecretBytes out;
  if (!staging_) return out;
  out.resize(staging_->received);
  const auto& all = store_.committed();
  for (std::size_t i = 0, at = 0; i < segments_; ++i) {
    const auto it = all.find(segment_name(i));
    if (it == all.end() || it->second.empty() || it->second.size() > out.size() - at) {
      corrupt_image(store_, segment_name(i), "is missing or too long");
    }
    std::copy(it->second.begin(), it->second.end(), out.data() + at);
    at += it->second.size();
  }
  return out;
}

ByteView ImageStore::staged_stream_in_place() const {
  if (!staging_ || segments_ != 1) return {};
  const auto& all = store_.committed();
  const auto it = all.find(segment_name(0));
  if (it == all.end() || it->second.size() != staging_->received) {
    corrupt_image(store_, segment_name(0), "is missing or does not hold the stream");
  }
  return it->second;
}

void ImageStore::activate(const bc::ImageManifest& manifest, ByteView datasend) {
  if (datasend.empty() || datasend.size() > kStagingCapacity) {
    throw Error(Errc::invalid_argument, "image store: image size out of range");
  }
  ActiveImage image = active_image(manifest, static_cast<std::uint32_t>(datasend.size()), crypto::sha256(datasend));
  const std::size_t previous_chunks = chunk_objects(image.type);
  const std::size_t chunks = chunk_count(datasend.size());
  nvm::run_transaction(store_, [&] {
    for (std::size_t i = chunks; i < previous_chunks; ++i) store_.erase(chunk_name(image.type, i));
    for (std::size_t i = 0, at = 0; at < datasend.size(); ++i, at += kActiveChunkSize) {
      store_.write(chunk_name(image.type, i), datasend.subspan(at, std::min(kActiveChunkSize, datasend.size() - at)));
    }
    store_.write(active_name(image.type), encode_active(image));
    if (staging_) erase_staging_objects();
  });
  activated(std::move(image), chunks);
}

void ImageStore::activate_staged(const bc::ImageManifest& manifest) {
  if (!staging_ || staging_->state == StagingState::receiving || segments_ == 0) {
    throw Error(Errc::state_error, "image store: no complete staging to activate");
  }
  const auto& all = store_.committed();
  crypto::Sha256 digest;
  for (std::size_t i = 0; i < segments_; ++i) {
    const auto it = all.find(segment_name(i));
    if (it == all.end()) corrupt_image(store_, segment_name(i), "is missing");
    digest.update(it->second);
  }
  ActiveImage image = active_image(manifest, staging_->received, digest.finish());
  const std::size_t previous_chunks = chunk_objects(image.type);
  const std::size_t chunks = segments_;
  nvm::run_transaction(store_, [&] {
    // A chunk the new image also has is replaced by the move; the ones beyond it are erased.
    for (std::size_t i = chunks; i < previous_chunks; ++i) store_.erase(chunk_name(image.type, i));
    for (std::size_t i = 0; i < chunks; ++i) store_.move(segment_name(i), chunk_name(image.type, i));
    store_.write(active_name(image.type), encode_active(image));
    store_.erase(kBlockSizes);
    store_.erase(kStaging);
    // The journal now holds the image as hundreds of appends (a third more than its bytes) behind an
    // older snapshot: rewriting the state once here frees that, as the image's own record did when
    // activation copied it (it made the journal larger than a snapshot).
    store_.compact_at_commit();
  });
  activated(std::move(image), chunks);
}

std::size_t ImageStore::chunk_objects(bc::ImageType type) const {
  const auto it = chunks_.find(type);
  return it == chunks_.end() ? 0 : it->second;
}

SecretBytes ImageStore::active_datasend(bc::ImageType type) const {
  SecretBytes out;
  const ActiveImage* image = find_active(type);
  if (image == nullptr) return out;
  for (std::size_t i = 0; i < chunk_objects(type); ++i) {
    const auto value = store_.get(chunk_name(type, i));
    if (!value) corrupt_image(store_, chunk_name(type, i), "is missing");
    out.append(*value);
  }
  return out;
}

}  // namespace sefleet::card

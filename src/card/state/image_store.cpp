#include "card/state/image_store.hpp"

#include <algorithm>
#include <cstdio>

#include "card/nvm/nvm_store.hpp"
#include "core/error.hpp"
#include "crypto/hash.hpp"

namespace sefleet::card {
namespace {

namespace bc = gp::broadcast;

// Object names (docs/card-state.md). Everything lives under "img/": CardState refuses unknown
// objects under its own "isd/" prefix, and this keeps the two owners apart.
constexpr std::string_view kPrefix = "img/";
constexpr std::string_view kStaging = "img/staging";
constexpr std::string_view kBlockPrefix = "img/staging/block/";
constexpr std::string_view kActivePrefix = "img/active/";
constexpr std::string_view kChunkInfix = "/chunk/";
constexpr std::uint8_t kRecordFormat = 1;
constexpr std::size_t kStagingFixedSize = 1 + 1 + 16 + 4 + 4 + 4 + 1 + 1;
constexpr std::size_t kActiveFixedSize = 1 + 1 + 4 + 4 + 32 + 1;

std::string hex_number(unsigned value, int digits) {
  char text[16];
  std::snprintf(text, sizeof text, "%0*X", digits, value);
  return text;
}

std::string block_name(std::uint32_t index) {
  return std::string(kBlockPrefix) + hex_number(index, 4);
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

[[noreturn]] void corrupt(const nvm::NvmStore& store, std::string_view object, const std::string& problem) {
  throw Error(Errc::integrity_error,
              "image store in " + store.name() + ": object '" + std::string(object) + "' " + problem);
}

Bytes encode_staging(const StagingRecord& r) {
  Bytes out{kRecordFormat, static_cast<std::uint8_t>(r.profile)};
  append(out, r.campaign_id);
  put_be32(out, r.total_length);
  put_be32(out, r.received);
  put_be32(out, r.blocks);
  out.push_back(static_cast<std::uint8_t>(r.state));
  out.push_back(static_cast<std::uint8_t>(r.bk_mac.size()));
  append(out, r.bk_mac.view());
  return out;
}

StagingRecord decode_staging(const nvm::NvmStore& store, ByteView v) {
  if (v.size() < kStagingFixedSize || v[0] != kRecordFormat) corrupt(store, kStaging, "has a bad size or format");
  StagingRecord r;
  if (v[1] != 0x03 && v[1] != 0x04) corrupt(store, kStaging, "names an unknown profile");
  r.profile = static_cast<bc::Profile>(v[1]);
  std::copy_n(v.begin() + 2, 16, r.campaign_id.begin());
  r.total_length = read_be32(v, 18);
  r.received = read_be32(v, 22);
  r.blocks = read_be32(v, 26);
  const std::uint8_t state = v[30];
  if (state < 0x01 || state > 0x03) corrupt(store, kStaging, "names an unknown state");
  r.state = static_cast<StagingState>(state);
  const std::size_t mac_size = v[31];
  if (v.size() != kStagingFixedSize + mac_size) corrupt(store, kStaging, "has a bad BK-MAC length");
  r.bk_mac = SecretBytes(v.subspan(kStagingFixedSize));
  if (r.total_length == 0 || r.total_length > kStagingCapacity || r.received > r.total_length || r.blocks > 65536 ||
      (r.state != StagingState::receiving && r.received != r.total_length)) {
    corrupt(store, kStaging, "has inconsistent lengths");
  }
  return r;
}

Bytes encode_active(const ActiveImage& image) {
  Bytes out{kRecordFormat, static_cast<std::uint8_t>(image.type)};
  put_be32(out, image.version);
  put_be32(out, image.datasend_length);
  append(out, image.sha256);
  out.push_back(static_cast<std::uint8_t>(image.name.size()));
  append(out, ByteView(reinterpret_cast<const std::uint8_t*>(image.name.data()), image.name.size()));
  return out;
}

ActiveImage decode_active(const nvm::NvmStore& store, std::string_view name, ByteView v) {
  if (v.size() < kActiveFixedSize || v[0] != kRecordFormat || !is_image_type(v[1])) {
    corrupt(store, name, "has a bad size, format or image type");
  }
  ActiveImage image;
  image.type = static_cast<bc::ImageType>(v[1]);
  image.version = read_be32(v, 2);
  image.datasend_length = read_be32(v, 6);
  std::copy_n(v.begin() + 10, 32, image.sha256.begin());
  if (v.size() != kActiveFixedSize + v[42]) corrupt(store, name, "has a bad name length");
  image.name.assign(reinterpret_cast<const char*>(v.data()) + kActiveFixedSize, v[42]);
  if (name != active_name(image.type)) corrupt(store, name, "holds another image type");
  return image;
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
  const auto& all = store_.committed();
  if (const auto it = all.find(kStaging); it != all.end()) staging_ = decode_staging(store_, it->second);
  // First pass: records; second: blocks and chunks against them.
  for (auto it = all.lower_bound(kActivePrefix); it != all.end() && it->first.starts_with(kActivePrefix); ++it) {
    if (it->first.find(kChunkInfix) != std::string::npos) continue;
    const ActiveImage image = decode_active(store_, it->first, it->second);
    active_[image.type] = image;
  }
  std::uint64_t staged_bytes = 0;
  std::uint32_t staged_blocks = 0;
  std::map<bc::ImageType, std::uint64_t> chunk_bytes;
  for (auto it = all.lower_bound(kPrefix); it != all.end() && it->first.starts_with(kPrefix); ++it) {
    const std::string& name = it->first;
    if (name == kStaging) continue;
    if (name.starts_with(kBlockPrefix)) {
      const auto index = parse_suffix(name, kBlockPrefix.size(), 4);
      if (!index || !staging_ || *index >= staging_->blocks || it->second.empty()) {
        corrupt(store_, name, "is not a block of the staging record");
      }
      staged_bytes += it->second.size();
      ++staged_blocks;
    } else if (name.starts_with(kActivePrefix)) {
      const std::size_t infix = name.find(kChunkInfix);
      if (infix == std::string::npos) continue;  // a record, checked above
      const auto type = parse_suffix(name.substr(0, infix), kActivePrefix.size(), 2);
      const auto index = parse_suffix(name, infix + kChunkInfix.size(), 4);
      const auto owner = type ? active_.find(static_cast<bc::ImageType>(*type)) : active_.end();
      if (!index || owner == active_.end() || *index >= chunk_count(owner->second.datasend_length)) {
        corrupt(store_, name, "is not a chunk of an active image");
      }
      chunk_bytes[owner->first] += it->second.size();
    } else {
      corrupt(store_, name, "is not an image store object");
    }
  }
  if (staging_ && (staged_blocks != staging_->blocks || staged_bytes != staging_->received)) {
    corrupt(store_, kStaging, "does not match its blocks");
  }
  for (const auto& [type, image] : active_) {
    if (chunk_bytes[type] != image.datasend_length) corrupt(store_, active_name(type), "does not match its chunks");
  }
}

const ActiveImage* ImageStore::find_active(bc::ImageType type) const {
  const auto it = active_.find(type);
  return it == active_.end() ? nullptr : &it->second;
}

void ImageStore::write_staging_record(const StagingRecord& record) {
  store_.write(kStaging, encode_staging(record));
}

void ImageStore::open_staging(bc::Profile profile, const bc::CampaignId& campaign_id, std::uint32_t total_length) {
  if (total_length == 0 || total_length > kStagingCapacity) {
    throw Error(Errc::invalid_argument, "image store: staging length out of range");
  }
  StagingRecord record;
  record.profile = profile;
  record.campaign_id = campaign_id;
  record.total_length = total_length;
  nvm::run_transaction(store_, [&] {
    if (staging_) {
      for (std::uint32_t i = 0; i < staging_->blocks; ++i) store_.erase(block_name(i));
    }
    write_staging_record(record);
  });
  staging_ = std::move(record);
}

void ImageStore::append_block(ByteView chunk) {
  append_block(Bytes(chunk.begin(), chunk.end()));
}

void ImageStore::append_block(Bytes&& chunk) {
  if (!staging_ || staging_->state != StagingState::receiving) {
    throw Error(Errc::state_error, "image store: no staging is receiving");
  }
  if (chunk.empty() || chunk.size() > staging_->total_length - staging_->received || staging_->blocks >= 65536) {
    throw Error(Errc::invalid_argument, "image store: block beyond the staging length");
  }
  StagingRecord next = *staging_;
  next.received += static_cast<std::uint32_t>(chunk.size());
  next.blocks += 1;
  nvm::run_transaction(store_, [&] {
    store_.write(block_name(staging_->blocks), std::move(chunk));
    write_staging_record(next);
  });
  staging_ = std::move(next);
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
  nvm::run_transaction(store_, [&] {
    for (std::uint32_t i = 0; i < staging_->blocks; ++i) store_.erase(block_name(i));
    store_.erase(kStaging);
  });
  staging_.reset();
}

SecretBytes ImageStore::staged_stream() const {
  SecretBytes out;
  if (!staging_) return out;
  out.resize(staging_->received);
  std::size_t at = 0;
  const auto& all = store_.committed();
  for (std::uint32_t i = 0; i < staging_->blocks; ++i) {
    const auto it = all.find(block_name(i));
    if (it == all.end() || it->second.size() > out.size() - at)
      corrupt(store_, block_name(i), "is missing or too long");
    std::copy(it->second.begin(), it->second.end(), out.data() + at);
    at += it->second.size();
  }
  return out;
}

void ImageStore::activate(const bc::ImageManifest& manifest, ByteView datasend) {
  if (datasend.empty() || datasend.size() > kStagingCapacity) {
    throw Error(Errc::invalid_argument, "image store: image size out of range");
  }
  ActiveImage image;
  image.type = manifest.type;
  image.version = manifest.version;
  image.datasend_length = static_cast<std::uint32_t>(datasend.size());
  image.sha256 = crypto::sha256(datasend);
  image.name = manifest.name;
  const ActiveImage* previous = find_active(image.type);
  nvm::run_transaction(store_, [&] {
    if (previous != nullptr) {
      for (std::size_t i = 0; i < chunk_count(previous->datasend_length); ++i) store_.erase(chunk_name(image.type, i));
    }
    for (std::size_t i = 0, at = 0; at < datasend.size(); ++i, at += kActiveChunkSize) {
      store_.write(chunk_name(image.type, i), datasend.subspan(at, std::min(kActiveChunkSize, datasend.size() - at)));
    }
    store_.write(active_name(image.type), encode_active(image));
    if (staging_) {
      for (std::uint32_t i = 0; i < staging_->blocks; ++i) store_.erase(block_name(i));
      store_.erase(kStaging);
    }
  });
  active_[image.type] = std::move(image);
  staging_.reset();
}

SecretBytes ImageStore::active_datasend(bc::ImageType type) const {
  SecretBytes out;
  const ActiveImage* image = find_active(type);
  if (image == nullptr) return out;
  for (std::size_t i = 0; i < chunk_count(image->datasend_length); ++i) {
    const auto value = store_.get(chunk_name(type, i));
    if (!value) corrupt(store_, chunk_name(type, i), "is missing");
    out.append(*value);
  }
  return out;
}

}  // namespace sefleet::card

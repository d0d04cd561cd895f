// The card's images and the broadcast staging area (broadcast-channel.md §5.1-5.4), persisted in the
// card's NvmStore under "img/" (object names and encodings: docs/card-state.md). Every change is ONE
// NvmStore transaction, so a power loss leaves the store exactly before or after it: in particular the
// activation of a new image writes it, records its version and digest, and erases the previous image
// of that type and the staging in the same transaction, so the previous image stays active until the
// commit.
//
// The staged stream grows by NVM appends (NvmStore::append records only the new bytes): WRITE BLOCK is
// one transaction that appends the block to the current segment of the stream and its length to the
// list of block lengths, nothing else. The staging record is written when staging opens and when its
// state changes, never per block: the bytes and blocks received are what the segments and the list
// hold. A segment holds whole blocks, at most the staging's segment size; a block that does not fit
// starts the next one. A stream of at most kWholeStreamStagingLimit bytes is staged as ONE segment
// (its segment size is the stream's length, reserved by the first block), so AUTHORIZE ACTION reads
// it where it is: the integrity code, the manifest and the digest need no joined copy of the stream.
// A longer stream is cut into segments of kStagingSegmentSize bytes, so a 64 KB block arrives in a
// segment of its own and its buffer becomes that object without a copy. Segments keep each object
// below the NVM object limit (16 MiB, while staging holds up to 32 MiB) and make erasing the staging
// a handful of erasures. Active images are kept in chunks for the same reason: an activation of the
// staged stream renames its segments into the image's chunks (no copy of the image); an image that is
// not the staged stream (an opened envelope) is cut into chunks of kActiveChunkSize bytes.
//
// Policy (what is allowed when) belongs to the ISD; this class only keeps the records consistent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/bytes.hpp"
#include "core/secret.hpp"
#include "gp/broadcast/campaign_messages.hpp"
#include "gp/broadcast/image_manifest.hpp"

namespace sefleet::card {

namespace nvm {
class NvmStore;
}

// The most bytes a campaign may stage (C6 above it answers 6A84): room for a 16 MiB image, its
// profile-4 envelope and headroom.
inline constexpr std::uint32_t kStagingCapacity = 32u * 1024 * 1024;
// An active image written from a buffer is stored in chunks of this size (the last one shorter); one
// activated from the staging keeps the staged segments as its chunks.
inline constexpr std::size_t kActiveChunkSize = 64 * 1024;
// The staged stream is stored in segments of whole blocks, at most this many bytes each (also the
// largest block: a WRITE BLOCK's data is below it).
inline constexpr std::size_t kStagingSegmentSize = 64 * 1024;
// A stream of at most this many bytes is one segment of its own length. Above it, appending 64 KB
// blocks into one object would copy each of them, where 64 KiB segments take their buffers; below
// it, the joined copy that verification would otherwise make costs more than those copies.
inline constexpr std::size_t kWholeStreamStagingLimit = 1024 * 1024;

enum class StagingState : std::uint8_t {
  receiving = 0x01,  // broadcast mode is (or was) loading it; garbage once that context ended
  complete = 0x02,   // CHANGE MODE back accepted it: awaiting AUTHORIZE ACTION
  verified = 0x03,   // AUTHORIZE ACTION 02 verified it; kept until a later 01 activates it
};

struct StagingRecord {
  gp::broadcast::Profile profile = gp::broadcast::Profile::campaign_key;
  gp::broadcast::CampaignId campaign_id{};
  std::uint32_t total_length = 0;  // C6
  std::uint32_t received = 0;      // bytes appended so far (the segments' sizes added up)
  std::uint32_t blocks = 0;        // blocks appended so far (= the next block number; the list's length)
  // The most bytes one segment holds: the total length for a stream of at most
  // kWholeStreamStagingLimit bytes, else kStagingSegmentSize (and always that in a format-2 record).
  std::uint32_t segment_size = kStagingSegmentSize;
  StagingState state = StagingState::receiving;
  SecretBytes bk_mac;  // profile 3, once complete: the key of the integrity code
};

struct ActiveImage {
  gp::broadcast::ImageType type = gp::broadcast::ImageType::os;
  std::uint32_t version = 0;
  std::uint32_t datasend_length = 0;
  std::array<std::uint8_t, 32> sha256{};  // of the DATASEND
  std::string name;
};

class ImageStore {
 public:
  // Loads and validates the "img/" objects. Throws Error(integrity_error) naming a malformed object.
  explicit ImageStore(nvm::NvmStore& store);
  ImageStore(const ImageStore&) = delete;
  ImageStore& operator=(const ImageStore&) = delete;

  const std::optional<StagingRecord>& staging() const noexcept { return staging_; }
  // Active images by type (ascending).
  const std::map<gp::broadcast::ImageType, ActiveImage>& active() const noexcept { return active_; }
  const ActiveImage* find_active(gp::broadcast::ImageType type) const;

  // Replaces any staging (record and blocks) by an empty one in state `receiving`. Throws
  // Error(invalid_argument) for a length of 0 or above kStagingCapacity.
  void open_staging(gp::broadcast::Profile profile, const gp::broadcast::CampaignId& campaign_id,
                    std::uint32_t total_length);
  // Appends the next block (one transaction: the bytes to the current segment or a new one, the length
  // to the list). Throws Error(state_error) unless staging is `receiving`, and Error(invalid_argument)
  // for an empty chunk, one above kStagingSegmentSize or one beyond the total length.
  void append_block(ByteView chunk);
  // The same, keeping `chunk`'s buffer when it starts a segment (no copy of the data).
  void append_block(Bytes&& chunk);
  // receiving -> complete (all bytes received); `bk_mac` is kept for profile 3 (empty for profile 4).
  void complete_staging(ByteView bk_mac);
  // complete -> verified.
  void mark_verified();
  // Erases the staging record and its blocks (nothing to do when absent).
  void discard_staging();
  // The staged stream, the blocks concatenated (a secret: it may be a plain image).
  SecretBytes staged_stream() const;
  // The staged stream where it is, when it is one segment (a stream of at most
  // kWholeStreamStagingLimit bytes always is); empty otherwise (use staged_stream()). Valid until the
  // next change of the staging.
  ByteView staged_stream_in_place() const;

  // Makes `datasend` (already verified and parsed by the caller) the active image of its type, erases
  // the previous image of that type and the staging, all in one transaction. `datasend` may be the
  // staged stream in place: it is digested and copied into the image's chunks before the commit
  // frees the staging.
  void activate(const gp::broadcast::ImageManifest& manifest, ByteView datasend);
  // Makes the staged stream (complete or verified, already verified and parsed by the caller as the
  // DATASEND) the active image of the manifest's type in one transaction, without copying it: its
  // segments become the image's chunks by NVM renames, and the previous image of that type and the
  // rest of the staging are erased. Throws Error(state_error) without a complete staging.
  void activate_staged(const gp::broadcast::ImageManifest& manifest);
  // The DATASEND of the active image of `type` (empty when none).
  SecretBytes active_datasend(gp::broadcast::ImageType type) const;

 private:
  void load();
  void load_staging();
  void write_staging_record(const StagingRecord& record);
  // Erases the record, the segments and the list (inside the caller's transaction).
  void erase_staging_objects();
  // The chunk objects of the active image of `type` (0 when none).
  std::size_t chunk_objects(gp::broadcast::ImageType type) const;
  // After a committed activation: `image`, in `chunks` chunk objects, is the active one of its type,
  // and there is no staging.
  void activated(ActiveImage&& image, std::size_t chunks);
  void forget_staging() noexcept;

  nvm::NvmStore& store_;
  std::optional<StagingRecord> staging_;
  std::size_t segments_ = 0;           // segments of the staged stream
  std::size_t last_segment_size_ = 0;  // bytes in the last one
  std::map<gp::broadcast::ImageType, ActiveImage> active_;
  std::map<gp::broadcast::ImageType, std::size_t> chunks_;  // chunk objects of each active image
};

}  // namespace sefleet::card

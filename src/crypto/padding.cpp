#include "crypto/padding.hpp"

#include "core/error.hpp"
#include "crypto/aes.hpp"

namespace sefleet::crypto {

std::string_view padding_name(BlockPadding padding) noexcept {
  switch (padding) {
    case BlockPadding::none:
      return "no padding";
    case BlockPadding::iso9797_m1:
      return "ISO 9797-1 method 1";
    case BlockPadding::iso9797_m2:
      return "ISO 9797-1 method 2";
    case BlockPadding::pkcs5:
      return "PKCS#5";
  }
  return "unknown";
}

Bytes padding_suffix(BlockPadding padding, std::size_t length, std::size_t block) {
  if (block == 0 || block > 255) throw Error(Errc::invalid_argument, "padding: block size must be 1..255");
  const std::size_t remainder = length % block;
  switch (padding) {
    case BlockPadding::none:
      if (length == 0 || remainder != 0) {
        throw Error(Errc::invalid_argument, "no padding: the data (" + std::to_string(length) +
                                                " bytes) must be a positive multiple of " + std::to_string(block));
      }
      return {};
    case BlockPadding::iso9797_m1:
      if (length == 0) return Bytes(block, 0x00);
      return Bytes(remainder == 0 ? 0 : block - remainder, 0x00);
    case BlockPadding::iso9797_m2: {
      Bytes suffix(block - remainder, 0x00);
      suffix[0] = 0x80;
      return suffix;
    }
    case BlockPadding::pkcs5: {
      const std::size_t count = block - remainder;
      return Bytes(count, static_cast<std::uint8_t>(count));
    }
  }
  throw Error(Errc::invalid_argument, "unknown padding");
}

Bytes pad(BlockPadding padding, ByteView data, std::size_t block) {
  const Bytes suffix = padding_suffix(padding, data.size(), block);
  Bytes out;
  out.reserve(data.size() + suffix.size());
  out.assign(data.begin(), data.end());
  out.insert(out.end(), suffix.begin(), suffix.end());
  return out;
}

std::optional<std::size_t> unpadded_length(BlockPadding padding, ByteView padded, std::size_t block,
                                           std::string* reason) {
  const auto refuse = [&](const std::string& why) -> std::optional<std::size_t> {
    if (reason != nullptr) *reason = why;
    return std::nullopt;
  };
  if (block == 0 || padded.empty() || padded.size() % block != 0) {
    return refuse(std::string(padding_name(padding)) + ": length " + std::to_string(padded.size()) +
                  " is not a positive multiple of " + std::to_string(block));
  }
  switch (padding) {
    case BlockPadding::none:
    case BlockPadding::iso9797_m1:
      return padded.size();
    case BlockPadding::iso9797_m2:
      return unpadded_size(padded, PaddingPolicy::strict, block, reason);
    case BlockPadding::pkcs5: {
      const std::size_t count = padded.back();
      if (count == 0 || count > block) {
        return refuse("PKCS#5 padding: last byte " + std::to_string(count) + " is not 1.." + std::to_string(block));
      }
      for (std::size_t i = padded.size() - count; i < padded.size(); ++i) {
        if (padded[i] != count) return refuse("PKCS#5 padding: the padding bytes differ");
      }
      return padded.size() - count;
    }
  }
  return refuse("unknown padding");
}

}  // namespace sefleet::crypto

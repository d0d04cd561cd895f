// Block-cipher padding schemes of ISO/IEC 9797-1 and PKCS#5, for ciphers and CBC-MACs of any block size.
//   none        no padding: the data must already be a multiple of the block size.
//   iso9797_m1  method 1: zero bytes up to a multiple of the block size (none when already aligned); empty
//               data becomes one block of zeros. Not removable: the zeros cannot be told from the data.
//   iso9797_m2  method 2: 80, then zero bytes up to a multiple (always at least one byte).
//   pkcs5       PKCS#5/#7: N bytes of value N, 1 <= N <= block size (always at least one byte).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.hpp"

namespace sefleet::crypto {

enum class BlockPadding { none, iso9797_m1, iso9797_m2, pkcs5 };

std::string_view padding_name(BlockPadding padding) noexcept;

// The bytes to append to a message of `length` bytes. Throws Error(Errc::invalid_argument) for `none`
// when the length is not a multiple of `block`, or is zero.
Bytes padding_suffix(BlockPadding padding, std::size_t length, std::size_t block);

// data || padding_suffix(padding, data.size(), block).
Bytes pad(BlockPadding padding, ByteView data, std::size_t block);

// The length of the message inside `padded`, or nullopt (and the reason) when the padding is malformed or
// `padded` is not a positive multiple of the block size. `none` and `iso9797_m1` return padded.size().
std::optional<std::size_t> unpadded_length(BlockPadding padding, ByteView padded, std::size_t block,
                                           std::string* reason = nullptr);

}  // namespace sefleet::crypto

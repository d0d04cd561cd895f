#include "crypto/cmac.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/error.hpp"
#include "core/secret.hpp"
#include "crypto/xor_blocks.hpp"

namespace sefleet::crypto {

namespace {

constexpr std::array<std::uint8_t, kAesBlock> kZeroBlock{};

// Doubling in GF(2^128) as SP 800-38B §6.1 derives the subkeys: shift left by one bit and, when the
// bit shifted out was set, XOR the constant 0x87 into the last byte. The XOR is masked rather than
// branched on, so the subkey derivation takes the same time whatever the key.
std::array<std::uint8_t, kAesBlock> doubled(const std::array<std::uint8_t, kAesBlock>& in) {
  std::array<std::uint8_t, kAesBlock> out{};
  for (std::size_t i = 0; i + 1 < kAesBlock; ++i) {
    out[i] = static_cast<std::uint8_t>((in[i] << 1) | (in[i + 1] >> 7));
  }
  out[kAesBlock - 1] = static_cast<std::uint8_t>(in[kAesBlock - 1] << 1);
  const auto carry_mask = static_cast<std::uint8_t>(0u - (in[0] >> 7));
  out[kAesBlock - 1] ^= static_cast<std::uint8_t>(0x87 & carry_mask);
  return out;
}

// Where the CBC-MAC pass writes the ciphertext it does not need (only the last block's output, the
// tag, is kept, and that one is enciphered in the object's own buffer). Per thread, as the objects
// are; large enough that one OpenSSL call covers many blocks.
constexpr std::size_t kScratchSize = 4096;
thread_local std::array<std::uint8_t, kScratchSize> t_scratch;

}  // namespace

Cmac::Cmac(ByteView key)
    : cipher_([&]() -> ByteView {
        if (!is_aes_key_size(key.size())) {
          throw Error(Errc::invalid_argument, "CMAC key must be 16, 24 or 32 bytes, got " + std::to_string(key.size()));
        }
        return key;
      }()) {
  std::array<std::uint8_t, kAesBlock> l{};
  cipher_.cbc_encrypt_begin(kZeroBlock);
  cipher_.cbc_encrypt_continue(kZeroBlock, l.data());  // L = AES(K, 0^128)
  k1_ = doubled(l);
  k2_ = doubled(k1_);
  secure_zero(l.data(), l.size());
}

Cmac::~Cmac() {
  secure_zero(k1_.data(), k1_.size());
  secure_zero(k2_.data(), k2_.size());
  secure_zero(pending_.data(), pending_.size());
}

void Cmac::begin() {
  secure_zero(pending_.data(), pending_size_);
  pending_size_ = 0;
  chain_started_ = false;
}

void Cmac::encipher(ByteView in, std::uint8_t* out) {
  // The chain restarts from the zero IV lazily, so that a MAC costs one re-initialisation of the
  // cipher context however begin() and finish() are paired.
  if (!chain_started_) {
    cipher_.cbc_encrypt_begin(kZeroBlock);
    chain_started_ = true;
  }
  cipher_.cbc_encrypt_continue(in, out);
}

void Cmac::absorb_pending() {
  // Only called with whole blocks that are known not to be the last; enciphered in place.
  encipher(ByteView(pending_.data(), pending_size_), pending_.data());
  secure_zero(pending_.data(), pending_size_);
  pending_size_ = 0;
}

void Cmac::absorb(ByteView blocks) {
  // The caller's bytes must stay as they are, so the discarded CBC output goes to the scratch area,
  // which is wiped afterwards: its last block is a chaining value of this MAC.
  std::size_t used = 0;
  while (!blocks.empty()) {
    const std::size_t n = std::min(blocks.size(), kScratchSize);
    encipher(blocks.first(n), t_scratch.data());
    used = std::max(used, n);
    blocks = blocks.subspan(n);
  }
  secure_zero(t_scratch.data(), used);
}

void Cmac::update(ByteView data) {
  if (pending_size_ + data.size() <= kPendingSize) {
    if (!data.empty()) std::memcpy(pending_.data() + pending_size_, data.data(), data.size());
    pending_size_ += data.size();
    return;
  }
  // More than the buffer holds: complete the buffered bytes to whole blocks and encipher them (they
  // are not the last, since data follows), then the caller's whole blocks in place, except the last
  // block, partial or full, which waits in the buffer for finish().
  const std::size_t fill = std::min((kAesBlock - pending_size_ % kAesBlock) % kAesBlock, data.size());
  std::memcpy(pending_.data() + pending_size_, data.data(), fill);
  pending_size_ += fill;
  data = data.subspan(fill);
  absorb_pending();
  const std::size_t tail = data.size() % kAesBlock == 0 ? std::min(data.size(), kAesBlock) : data.size() % kAesBlock;
  absorb(data.first(data.size() - tail));
  std::memcpy(pending_.data(), data.data() + data.size() - tail, tail);
  pending_size_ = tail;
}

Mac16 Cmac::finish() {
  // The buffer holds the message's last block (and maybe whole blocks before it). A complete last
  // block is XORed with K1; a partial or empty one is padded with 80 00.. and XORed with K2.
  const std::size_t before_last = pending_size_ == 0 ? 0 : (pending_size_ - 1) / kAesBlock * kAesBlock;
  const std::size_t last_size = pending_size_ - before_last;
  std::uint8_t* last = pending_.data() + before_last;
  const auto& subkey = last_size == kAesBlock ? k1_ : k2_;
  if (last_size < kAesBlock) {
    last[last_size] = 0x80;
    std::memset(last + last_size + 1, 0, kAesBlock - last_size - 1);
  }
  detail::xor_blocks(last, last, subkey.data(), kAesBlock);
  const std::size_t total = before_last + kAesBlock;
  encipher(ByteView(pending_.data(), total), pending_.data());
  Mac16 tag{};
  std::copy_n(pending_.data() + before_last, kAesBlock, tag.begin());
  pending_size_ = total;  // so that begin() wipes everything this MAC left in the buffer
  begin();                // ready for the next message
  return tag;
}

Mac16 Cmac::compute(ByteView data) {
  begin();
  update(data);
  return finish();
}

Mac16 Cmac::compute(std::initializer_list<ByteView> parts) {
  begin();
  for (const auto& part : parts) update(part);
  return finish();
}

Mac16 aes_cmac(ByteView key, ByteView data) {
  return Cmac(key).compute(data);
}

}  // namespace sefleet::crypto

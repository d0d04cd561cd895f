#include "card/runtime/transient_memory.hpp"

#include <algorithm>

#include "core/secret.hpp"

namespace sefleet::card {

TransientMemory::~TransientMemory() {
  clear_all();
}

Bytes& TransientMemory::buffer(ByteView aid, TransientScope scope, std::string_view name) {
  Key key{Bytes(aid.begin(), aid.end()), scope, std::string(name)};
  return buffers_[std::move(key)];
}

void TransientMemory::wipe(Bytes& buffer) noexcept {
  if (!buffer.empty()) secure_zero(buffer.data(), buffer.size());
  buffer.clear();
}

void TransientMemory::clear_on_deselect(ByteView aid) noexcept {
  for (auto& [key, bytes] : buffers_) {
    if (key.scope == TransientScope::clear_on_deselect && std::ranges::equal(key.aid, aid)) wipe(bytes);
  }
}

void TransientMemory::clear_all() noexcept {
  for (auto& [key, bytes] : buffers_) wipe(bytes);
}

}  // namespace sefleet::card

// Java Card transient memory for the applets of one card: named buffers keyed by (applet AID, scope,
// name). A buffer is created empty on first use; "cleared" means its bytes are wiped (they may hold
// session secrets) and it is emptied, as a freshly created one.
//  - CLEAR_ON_DESELECT buffers of an applet are cleared when the applet is no longer selected on any
//    logical channel (a multi-selectable applet's buffers are shared by its channels, as a Java Card
//    context's are) and on power-up/reset.
//  - CLEAR_ON_RESET buffers survive deselection and are cleared on power-up/reset only.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include "card/runtime/applet.hpp"
#include "core/bytes.hpp"

namespace sefleet::card {

class TransientMemory {
 public:
  TransientMemory() = default;
  TransientMemory(const TransientMemory&) = delete;
  TransientMemory& operator=(const TransientMemory&) = delete;
  ~TransientMemory();

  Bytes& buffer(ByteView aid, TransientScope scope, std::string_view name);
  // Every CLEAR_ON_DESELECT buffer of the applet with `aid`.
  void clear_on_deselect(ByteView aid) noexcept;
  // Every buffer of every applet (power-up, reset, power-off).
  void clear_all() noexcept;

 private:
  struct Key {
    Bytes aid;
    TransientScope scope;
    std::string name;
    bool operator<(const Key& other) const {
      return std::tie(aid, scope, name) < std::tie(other.aid, other.scope, other.name);
    }
  };
  static void wipe(Bytes& buffer) noexcept;

  std::map<Key, Bytes> buffers_;
};

}  // namespace sefleet::card

#include "card/applets/counter_applet.hpp"

#include <chrono>
#include <limits>
#include <string>
#include <thread>

#include "card/runtime/persistent_memory.hpp"
#include "iso7816/status_words.hpp"

namespace sefleet::card::applets {
namespace {

namespace sw = iso7816::sw;
constexpr std::uint8_t kInsSelect = 0xA4;

// A persistent object of this instance (the runtime keeps it in the instance's namespace and erases
// it when the instance is deleted).
constexpr std::string_view kCounterObject = "counter";

Bytes encode_counter(std::uint32_t value) {
  Bytes out;
  put_be32(out, value);
  return out;
}

}  // namespace

std::uint32_t CounterApplet::read_counter(AppletContext& ctx) const {
  const auto stored = ctx.persistent().read(kCounterObject);
  if (!stored) return start_value_;
  if (stored->size() != 4) throw StatusWordError(sw::kUnknown, "counter applet: stored counter is not 4 bytes");
  return read_be32(*stored, 0);
}

void CounterApplet::install(AppletContext& ctx) {
  increment_task_ = ctx.deferred().create_task(DeferredTaskOptions{"increment", false, 0},
                                               [this](AppletContext& task) { run_increment(task); });
}

void CounterApplet::run_increment(AppletContext& ctx) {
  // The wall-clock wait stands for work that takes time; it is not charged to the virtual clock.
  std::this_thread::sleep_for(std::chrono::milliseconds(10 * task_delay_units_));
  const std::uint32_t value = read_counter(ctx);
  if (value == std::numeric_limits<std::uint32_t>::max())
    throw StatusWordError(sw::kConditionsNotSatisfied, "counter full");
  ctx.persistent().write(kCounterObject, encode_counter(value + 1));  // inside the task's transaction
}

iso7816::ResponseApdu CounterApplet::increment_later(const iso7816::CommandApdu& command, AppletContext& ctx) {
  if (command.p1 > kCounterMaxDelayUnits || command.p2 != 0x00) return iso7816::ResponseApdu(sw::kIncorrectP1P2);
  if (!command.data.empty()) return iso7816::ResponseApdu(sw::kWrongLength);
  const std::uint32_t value = read_counter(ctx);
  if (value == std::numeric_limits<std::uint32_t>::max()) return iso7816::ResponseApdu(sw::kConditionsNotSatisfied);
  task_delay_units_ = command.p1;
  ctx.deferred().schedule(*increment_task_);  // 6985 when it is still pending
  return iso7816::ResponseApdu(encode_counter(value), sw::kOk);
}

iso7816::ResponseApdu CounterApplet::process(const iso7816::CommandApdu& command, AppletContext& ctx) {
  // Any logical channel: the class byte's channel bits are the runtime's business.
  if (!command.is_proprietary_class() && command.ins == kInsSelect) {
    Bytes fci{0x6F, static_cast<std::uint8_t>(2 + ctx.aid().size()), 0x84, static_cast<std::uint8_t>(ctx.aid().size())};
    append(fci, ctx.aid());
    return iso7816::ResponseApdu(std::move(fci), sw::kOk);
  }
  if (!command.is_proprietary_class()) return iso7816::ResponseApdu(sw::kClaNotSupported);
  if (command.ins == kCounterInsIncrementLater) return increment_later(command, ctx);
  if (command.ins != kCounterInsEcho && command.ins != kCounterInsIncrement && command.ins != kCounterInsRead) {
    return iso7816::ResponseApdu(sw::kInsNotSupported);
  }
  if (command.p1 != 0x00 || command.p2 != 0x00) return iso7816::ResponseApdu(sw::kIncorrectP1P2);
  if (command.ins == kCounterInsEcho) return iso7816::ResponseApdu(command.data, sw::kOk);
  if (!command.data.empty()) return iso7816::ResponseApdu(sw::kWrongLength);

  const std::uint32_t value = read_counter(ctx);
  if (command.ins == kCounterInsRead) return iso7816::ResponseApdu(encode_counter(value), sw::kOk);
  if (value == std::numeric_limits<std::uint32_t>::max()) {
    return iso7816::ResponseApdu(sw::kConditionsNotSatisfied);  // it never wraps
  }
  ctx.persistent().write(kCounterObject, encode_counter(value + 1));  // atomic: a one-write transaction
  return iso7816::ResponseApdu(encode_counter(value + 1), sw::kOk);
}

std::unique_ptr<Applet> make_counter_applet(ByteView install_parameters) {
  if (install_parameters.empty()) return std::make_unique<CounterApplet>(0);
  if (install_parameters.size() != 4) {
    throw StatusWordError(sw::kWrongData, "counter applet: install parameters are empty or a 4-byte start value");
  }
  return std::make_unique<CounterApplet>(read_be32(install_parameters, 0));
}

}  // namespace sefleet::card::applets

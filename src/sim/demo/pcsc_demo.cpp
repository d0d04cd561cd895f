#include "sim/demo/pcsc_demo.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <memory>
#include <thread>

#include "core/error.hpp"
#include "transport/pcsc_channel.hpp"
#include "transport/pcsc_context.hpp"
#include "transport/stop_signal.hpp"
#include "transport/vpcd_card_link.hpp"

namespace sefleet::sim::demo {
namespace {

constexpr std::chrono::milliseconds kCardWait{10000};

// One fleet member inserted in a vpcd reader slot for the lifetime of this object.
class PcscFleetEndpoint final : public offcard::terminal::SeEndpoint {
 public:
  // Its own PC/SC context: pcsc-lite contexts are not to be shared between threads.
  PcscFleetEndpoint(const SePlan& plan, std::string reader, transport::HostPort vpcd)
      : plan_(plan),
        context_(std::make_shared<const transport::PcscContext>()),
        reader_(std::move(reader)),
        vpcd_(std::move(vpcd)) {
    insert();
  }
  ~PcscFleetEndpoint() override {
    channel_.reset();
    inner_.reset();
    remove();
  }
  std::string name() const override { return plan_.name; }

  transport::CardChannel& connect() override {
    channel_.reset();
    inner_.reset();
    inner_ = std::make_unique<transport::PcscChannel>(context_, reader_);
    channel_ = std::make_unique<CuttingChannel>(*this);
    return *channel_;
  }

 private:
  // Counts commands and, at the planned point, pulls the card: the link stops (vpcd sees the card
  // gone), the card loses its RAM (fleet reopen), and the card is inserted again for the next attempt.
  class CuttingChannel final : public transport::CardChannel {
   public:
    explicit CuttingChannel(PcscFleetEndpoint& owner) : owner_(owner) {}
    Bytes transmit(ByteView command) override {
      if (owner_.plan_.cut_after && !owner_.cut_done_ && owner_.sent_ >= *owner_.plan_.cut_after) {
        owner_.cut_done_ = true;
        owner_.remove();
        owner_.plan_.fleet->reopen(owner_.plan_.index);
        owner_.insert();
        throw Error(Errc::io_error,
                    owner_.plan_.name + ": card removed from " + owner_.reader_ + " (planned power cut)");
      }
      ++owner_.sent_;
      return owner_.inner_->transmit(command);
    }
    Bytes atr() override { return owner_.inner_->atr(); }
    void reset() override { owner_.inner_->reset(); }
    std::string description() const override { return owner_.inner_->description(); }

   private:
    PcscFleetEndpoint& owner_;
  };

  void insert() {
    stop_ = std::make_unique<transport::StopSignal>();
    transport::VpcdCardLinkOptions link_options;
    link_options.max_connect_attempts = 20;
    link_ = std::make_unique<transport::VpcdCardLink>(plan_.fleet->card(plan_.index).endpoint(), vpcd_, link_options);
    thread_ = std::thread([this] {
      try {
        link_->run(*stop_);
      } catch (const std::exception&) {
        link_failed_ = true;  // seen by the wait below (the card never shows up)
      }
    });
    if (!context_->wait_for_card(reader_, transport::CardPresence::present, kCardWait)) {
      remove();
      throw Error(Errc::io_error, plan_.name + ": the card did not appear in " + reader_ + " (vpcd at " +
                                      vpcd_.to_string() + (link_failed_ ? " unreachable" : "") + ")");
    }
  }

  void remove() {
    if (!link_) return;
    stop_->request();
    if (thread_.joinable()) thread_.join();
    link_.reset();
    // The next card on this slot must not be mistaken for this one.
    (void)context_->wait_for_card(reader_, transport::CardPresence::absent, kCardWait);
  }

  SePlan plan_;
  std::shared_ptr<const transport::PcscContext> context_;
  std::string reader_;
  transport::HostPort vpcd_;
  std::unique_ptr<transport::StopSignal> stop_;
  std::unique_ptr<transport::VpcdCardLink> link_;
  std::thread thread_;
  std::atomic<bool> link_failed_{false};
  std::size_t sent_ = 0;
  bool cut_done_ = false;
  std::unique_ptr<transport::PcscChannel> inner_;
  std::unique_ptr<CuttingChannel> channel_;
};

}  // namespace

DemoResult run_pcsc_demo(DemoOptions options, const transport::HostPort& vpcd,
                         const std::function<void(const DemoResult&)>& hold) {
  std::shared_ptr<const transport::PcscContext> context;
  try {
    context = std::make_shared<const transport::PcscContext>();
  } catch (const Error& e) {
    throw Error(Errc::io_error, std::string("--pcsc needs a running pcscd with the vpcd driver: ") + e.what());
  }
  std::vector<std::string> readers;
  for (const auto& reader : context->readers()) {
    if (reader.find("Virtual PCD") != std::string::npos) readers.push_back(reader);
  }
  if (readers.empty()) {
    throw Error(Errc::not_found,
                "--pcsc: pcscd lists no vpcd reader (\"Virtual PCD ...\"); install vsmartcard-vpcd "
                "or start tests/support/pcsc_sandbox.sh");
  }
  std::sort(readers.begin(), readers.end());  // "... 00 00" is slot 0
  options.terminals = std::min(options.terminals, readers.size());
  options.transport_name = "pcsc (vpcd)";
  options.endpoint_factory = [readers, vpcd](const SePlan& plan, std::size_t terminal) {
    transport::HostPort slot = vpcd;
    slot.port = static_cast<std::uint16_t>(vpcd.port + terminal);
    return std::unique_ptr<offcard::terminal::SeEndpoint>(
        std::make_unique<PcscFleetEndpoint>(plan, readers.at(terminal), slot));
  };
  return run_demo(options, hold);
}

}  // namespace sefleet::sim::demo

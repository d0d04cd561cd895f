// The Java Card-style applet API: persistent transactions (JCSystem rules, commit capacity, costs,
// per-applet namespaces), the APDU object's Le rules, exceptions -> status words, the virtual clock
// and the splitting helper.
#include <gtest/gtest.h>

#include "card/nvm/memory_device.hpp"
#include "card/nvm/nvm_store.hpp"
#include "card/runtime/apdu.hpp"
#include "card/runtime/deferred_split.hpp"
#include "card/runtime/persistent_memory.hpp"
#include "card/unit/deferred_test_support.hpp"

namespace sefleet::card {
namespace {

using iso7816::CommandApdu;
using iso7816::ResponseApdu;
using Reason = TransactionError::Reason;

nvm::NvmStore memory_store() {
  auto device = std::make_unique<nvm::MemoryDevice>();
  nvm::NvmStore::format(*device);
  return nvm::NvmStore(std::move(device));
}

Reason reason_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const TransactionError& e) {
    EXPECT_EQ(e.sw(), 0x6F00);
    return e.reason();
  }
  ADD_FAILURE() << "no TransactionError";
  return Reason::illegal_use;
}

const Bytes kAidA = from_hex("A000000001AA");
const Bytes kAidB = from_hex("A000000001BB");

TEST(AppletApiTransactions, JavaCardRules) {
  auto store = memory_store();
  VirtualClock clock;
  PersistentMemory memory(&store, clock);
  memory.bind(kAidA);
  EXPECT_EQ(reason_of([&] { memory.commit_transaction(); }), Reason::not_in_progress);
  EXPECT_EQ(reason_of([&] { memory.abort_transaction(); }), Reason::not_in_progress);
  memory.begin_transaction();
  EXPECT_EQ(memory.transaction_depth(), 1u);
  EXPECT_EQ(reason_of([&] { memory.begin_transaction(); }), Reason::in_progress);
  EXPECT_EQ(reason_of([&] { memory.write_nonatomic("x", Bytes{1}); }), Reason::illegal_use);
  memory.write("a", Bytes{1, 2});
  memory.abort_transaction();
  EXPECT_EQ(memory.transaction_depth(), 0u);
  EXPECT_FALSE(memory.read("a"));
  memory.begin_transaction();
  memory.write("a", Bytes{3});
  memory.erase("missing");
  memory.commit_transaction();
  EXPECT_EQ(memory.read("a"), Bytes{3});
  EXPECT_EQ(store.committed().count("app/A000000001AA/a"), 1u);
}

TEST(AppletApiTransactions, CommitCapacityIsAccountedAndOverflowRefused) {
  auto store = memory_store();
  VirtualClock clock;
  PersistentMemory memory(&store, clock, 64);
  memory.bind(kAidA);
  EXPECT_EQ(memory.max_commit_capacity(), 64u);
  EXPECT_EQ(memory.unused_commit_capacity(), 64u);
  memory.begin_transaction();
  memory.write("k", Bytes(20, 0x11));  // 20 + 1 + 8 journalled
  EXPECT_EQ(memory.unused_commit_capacity(), 64u - 29u);
  EXPECT_EQ(reason_of([&] { memory.write("big", Bytes(40, 0x22)); }), Reason::buffer_full);
  EXPECT_EQ(memory.transaction_depth(), 1u);  // still open, the refused change not made
  EXPECT_EQ(memory.unused_commit_capacity(), 64u - 29u);
  memory.commit_transaction();
  EXPECT_EQ(memory.read("k"), Bytes(20, 0x11));
  EXPECT_FALSE(memory.read("big"));
  EXPECT_EQ(reason_of([&] { memory.write("huge", Bytes(64, 0x33)); }), Reason::buffer_full);
}

TEST(AppletApiTransactions, NamesAreNamespacedPerApplet) {
  auto store = memory_store();
  VirtualClock clock;
  PersistentMemory memory(&store, clock);
  memory.bind(kAidA);
  memory.write("key", Bytes{0xA});
  memory.bind(kAidB);
  EXPECT_FALSE(memory.read("key"));
  memory.write("key", Bytes{0xB});
  memory.bind(kAidA);
  EXPECT_EQ(memory.read("key"), Bytes{0xA});
  EXPECT_THROW(memory.write("", Bytes{1}), Error);
}

TEST(AppletApiTransactions, CostsAreChargedAtomicVersusNonAtomic) {
  auto store = memory_store();
  test::FlatCostModel model(1000);
  VirtualClock clock(&model);
  PersistentMemory memory(&store, clock);
  memory.bind(kAidA);
  auto cost = [&](const std::function<void()>& call) {
    const auto start = clock.now_ns();
    call();
    return clock.now_ns() - start;
  };
  EXPECT_EQ(cost([&] { memory.write("a", Bytes(10, 0)); }), model.cost_ns(SeOperation::nvm_write_atomic, 10));
  EXPECT_EQ(cost([&] { memory.write_nonatomic("b", Bytes(10, 0)); }),
            model.cost_ns(SeOperation::nvm_write_nonatomic, 10));
  EXPECT_EQ(cost([&] { memory.read("a"); }), model.cost_ns(SeOperation::nvm_read, 10));
  memory.begin_transaction();
  memory.write("c", Bytes(4, 0));
  EXPECT_EQ(cost([&] { memory.commit_transaction(); }), model.cost_ns(SeOperation::transaction_commit, 0));
}

TEST(AppletApiTransactions, WithoutAStoreReadsFindNothingAndWritesAre6A84) {
  VirtualClock clock;
  PersistentMemory memory(nullptr, clock);
  memory.bind(kAidA);
  EXPECT_FALSE(memory.read("a"));
  try {
    memory.write("a", Bytes{1});
    ADD_FAILURE();
  } catch (const StatusWordError& e) {
    EXPECT_EQ(e.sw(), 0x6A84);
  }
  memory.begin_transaction();  // transactions still follow the rules
  EXPECT_EQ(reason_of([&] { memory.begin_transaction(); }), Reason::in_progress);
  memory.commit_transaction();
}

// An applet that misbehaves on purpose, per INS.
class ApiProbe final : public Applet {
 public:
  ResponseApdu process(const CommandApdu& command, AppletContext& ctx) override {
    switch (command.ins) {
      case 0xA4:
        return ResponseApdu(0x9000);
      case 0x01:  // leaves a transaction open: the runtime aborts it, the SW stands
        ctx.persistent().begin_transaction();
        ctx.persistent().write("left", Bytes{1});
        return ResponseApdu(0x9000);
      case 0x02:
        throw StatusWordError(0x6A80, "bad data");
      case 0x03:
        ctx.persistent().commit_transaction();
        return ResponseApdu(0x9000);  // TransactionError
      case 0x04:
        throw std::runtime_error("bug");
      case 0x05:
        throw 42;
      case 0x06:  // both return data and outgoing data: an applet bug
        ctx.apdu()->set_outgoing(Bytes{1});
        return ResponseApdu(Bytes{2}, 0x9000);
      case 0x07:
        ctx.apdu()->set_outgoing(Bytes(300, 0x77));
        return ResponseApdu(0x9000);
      case 0x08:
        ctx.apdu()->set_outgoing_no_chaining(ctx.apdu()->incoming());
        return ResponseApdu(0x9000);
      case 0x09:
        ctx.apdu()->set_outgoing(Bytes{1});
        return ResponseApdu(0x6A82);  // error SW: no data
      default:
        return ResponseApdu(0x6D00);
    }
  }
};

class AppletApiRuntime : public ::testing::Test {
 protected:
  AppletApiRuntime() : card_(VirtualCard::open(std::make_unique<nvm::MemoryDevice>(test::personalized_medium()))) {
    RegistryEntry entry;
    entry.aid = test::kCounterAid;
    card_.runtime().install_applet(std::move(entry), std::make_unique<ApiProbe>());
    card_.runtime().power_on();
    EXPECT_EQ(send(test::select_counter()).sw, 0x9000);
  }
  ResponseApdu send(const CommandApdu& command) {
    return ResponseApdu::parse(card_.runtime().transmit(command.encode()));
  }
  VirtualCard card_;
};

TEST_F(AppletApiRuntime, AnOpenTransactionIsAbortedWhenProcessReturns) {
  EXPECT_EQ(send(CommandApdu(0x80, 0x01, 0, 0)).sw, 0x9000);
  EXPECT_FALSE(card_.store().in_transaction());
  EXPECT_FALSE(card_.store().get(PersistentMemory::namespace_prefix(test::kCounterAid) + "left"));
  EXPECT_EQ(send(CommandApdu(0x80, 0x01, 0, 0)).sw, 0x9000);  // a new one can begin: nothing stayed open
}

TEST_F(AppletApiRuntime, ExceptionsBecomeStatusWords) {
  EXPECT_EQ(send(CommandApdu(0x80, 0x02, 0, 0)).sw, 0x6A80);
  EXPECT_EQ(send(CommandApdu(0x80, 0x03, 0, 0)).sw, 0x6F00);
  EXPECT_EQ(send(CommandApdu(0x80, 0x04, 0, 0)).sw, 0x6F00);
  EXPECT_EQ(send(CommandApdu(0x80, 0x05, 0, 0)).sw, 0x6F00);
  EXPECT_EQ(send(CommandApdu(0x80, 0x06, 0, 0, {}, 256)).sw, 0x6F00);
}

TEST_F(AppletApiRuntime, OutgoingDataAndLeHandling) {
  // Longer than Ne: the runtime chains with 61xx.
  const auto first = send(CommandApdu(0x80, 0x07, 0, 0, {}, 256));
  EXPECT_EQ(first.sw, 0x612C);
  EXPECT_EQ(first.data.size(), 256u);
  // No-chaining echo: fits Ne -> data; no Le -> 6700; Ne too small -> 6Cxx with the exact length.
  const auto echo = send(CommandApdu(0x80, 0x08, 0, 0, from_hex("0102030405"), 5));
  EXPECT_EQ(echo.sw, 0x9000);
  EXPECT_EQ(echo.data, from_hex("0102030405"));
  EXPECT_EQ(send(CommandApdu(0x80, 0x08, 0, 0, from_hex("0102030405"))).sw, 0x6700);
  EXPECT_EQ(send(CommandApdu(0x80, 0x08, 0, 0, from_hex("0102030405"), 3)).sw, 0x6C05);
  CommandApdu extended(0x80, 0x08, 0, 0, from_hex("0102030405"), 3);
  extended.extended = true;
  EXPECT_EQ(send(extended).sw, 0x6700);
  // An error status word carries no data.
  const auto refused = send(CommandApdu(0x80, 0x09, 0, 0, {}, 256));
  EXPECT_EQ(refused.sw, 0x6A82);
  EXPECT_TRUE(refused.data.empty());
}

TEST(AppletApiApdu, NeAndOutgoingLimits) {
  const CommandApdu case1(0x80, 0x10, 0, 0);
  Apdu no_le(case1);
  EXPECT_EQ(no_le.ne(), 0u);
  EXPECT_FALSE(no_le.has_le());
  EXPECT_NO_THROW(no_le.set_outgoing_no_chaining({}));
  const CommandApdu le00(0x80, 0x10, 0, 0, {}, 256);
  Apdu full(le00);
  EXPECT_EQ(full.ne(), 256u);
  EXPECT_NO_THROW(full.set_outgoing_no_chaining(Bytes(256, 1)));
  try {
    full.append_outgoing(Bytes(kMaxOutgoing, 0));
    ADD_FAILURE();
  } catch (const StatusWordError& e) {
    EXPECT_EQ(e.sw(), 0x6700);
  }
  EXPECT_EQ(full.take_outgoing().size(), 256u);
  EXPECT_FALSE(full.outgoing_set());
}

TEST(AppletApiClock, OperationNamesRoundTripAndChargeUsesTheModel) {
  for (std::size_t i = 0; i < kSeOperationCount; ++i) {
    const auto op = static_cast<SeOperation>(i);
    EXPECT_EQ(parse_se_operation(se_operation_name(op)), op);
  }
  EXPECT_EQ(se_operation_name(SeOperation::ecdsa_sign), "ecdsa_sign");
  EXPECT_FALSE(parse_se_operation("ECDSA_SIGN"));
  VirtualClock clock;
  clock.charge(SeOperation::ecdsa_sign);
  EXPECT_EQ(clock.now_ns(), 0u);
  test::FlatCostModel model(10);
  clock.set_model(&model);
  clock.charge(SeOperation::sha256, 5);
  EXPECT_EQ(clock.now_ns(), model.cost_ns(SeOperation::sha256, 5));
  clock.advance_ns(7);
  EXPECT_EQ(clock.now_ns(), model.cost_ns(SeOperation::sha256, 5) + 7);
}

TEST(AppletApiCrypto, ChargesEachOperation) {
  test::FlatCostModel model(100);
  VirtualClock clock(&model);
  crypto::DeterministicRandom random(from_hex("01"));
  AppletCrypto crypto(clock, random);
  const auto key = crypto.generate_p256();
  const auto signature = crypto.ecdsa_sign(key, from_hex("00"));
  EXPECT_TRUE(crypto.ecdsa_verify(key.public_key(), from_hex("00"), signature));
  EXPECT_FALSE(crypto.ecdsa_verify(key.public_key(), from_hex("01"), signature));
  const auto expected = model.cost_ns(SeOperation::ec_keygen, 0) + model.cost_ns(SeOperation::ecdsa_sign, 0) +
                        2 * model.cost_ns(SeOperation::ecdsa_verify, 0);
  EXPECT_EQ(clock.now_ns(), expected);
  const auto before = clock.now_ns();
  const Bytes plain(32, 0x42);
  const Bytes cipher = crypto.aes_cbc_encrypt(Bytes(16, 1), Bytes(16, 0), plain);
  EXPECT_EQ(crypto.aes_cbc_decrypt(Bytes(16, 1), Bytes(16, 0), cipher), plain);
  EXPECT_EQ(clock.now_ns() - before, 2 * model.cost_ns(SeOperation::aes_cbc, 32));
}

TEST(DeferredSplit, ByTimeBudgetAndByPriority) {
  const std::vector<DeclaredOperation> ops = {{"sign", 32, 9, true},
                                              {"persist", 5, 1, false},
                                              {"log", 30, 0, false},
                                              {"precompute", 27, 2, false},
                                              {"counter", 3, 0, false}};
  const auto by_time = split_by_time_budget(ops, 40);
  auto names = [](const std::vector<DeclaredOperation>& group) {
    std::vector<std::string> out;
    for (const auto& op : group) out.push_back(op.name);
    return out;
  };
  EXPECT_EQ(names(by_time.now), (std::vector<std::string>{"sign", "precompute"}));
  EXPECT_EQ(names(by_time.deferred), (std::vector<std::string>{"persist", "log", "counter"}));
  const auto none = split_by_time_budget(ops, 0);
  EXPECT_EQ(none.now.size(), ops.size());
  const auto by_priority = split_by_priority(ops, 2);
  EXPECT_EQ(names(by_priority.now), (std::vector<std::string>{"sign", "precompute"}));
  EXPECT_EQ(names(by_priority.deferred), (std::vector<std::string>{"persist", "log", "counter"}));
}

}  // namespace
}  // namespace sefleet::card

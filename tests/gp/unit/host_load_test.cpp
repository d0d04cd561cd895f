// The host-side loading builders (INSTALL [for load], LOAD blocks): exact bytes, BER lengths of the
// C4 data block, block numbering (wrapping after FF) and refusals.
#include <gtest/gtest.h>

#include "core/error.hpp"
#include "core/hex.hpp"
#include "gp/host/load.hpp"

namespace sefleet::gp::host {
namespace {

TEST(HostLoad, InstallForLoad) {
  InstallForLoadRequest request;
  request.load_file_aid = from_hex("A0000001510001");
  EXPECT_EQ(to_hex(make_install_for_load(request).encode()),
            "80E60200"
            "0C"
            "07A0000001510001"
            "00"
            "00"
            "00"
            "00"
            "00");
  request.security_domain_aid = from_hex("A000000151000000");
  request.data_block_hash = Bytes(32, 0xAB);
  request.load_parameters = from_hex("EF04C6020400");
  EXPECT_EQ(to_hex(make_install_for_load(request).encode()),
            "80E60200"
            "3A"
            "07A0000001510001"
            "08A000000151000000"
            "20" +
                to_hex(Bytes(32, 0xAB)) +
                "06EF04C6020400"
                "00"
                "00");
  const Bytes data = make_install_for_load(request).data;
  EXPECT_EQ(to_hex(ByteView(data).first(17)), "07A000000151000108A000000151000000");
  EXPECT_EQ(data[17], 0x20);
  EXPECT_EQ(Bytes(data.begin() + 18, data.begin() + 50), Bytes(32, 0xAB));
  EXPECT_EQ(to_hex(ByteView(data).subspan(50)),
            "06EF04C6020400"
            "00");
}

TEST(HostLoad, InstallForLoadRefusals) {
  InstallForLoadRequest request;
  request.load_file_aid = from_hex("A000000151");
  EXPECT_NO_THROW(make_install_for_load(request));
  request.load_file_aid = from_hex("A0000001");
  EXPECT_THROW(make_install_for_load(request), Error);
  request.load_file_aid = Bytes(17, 0xA0);
  EXPECT_THROW(make_install_for_load(request), Error);
  request.load_file_aid = from_hex("A000000151");
  request.security_domain_aid = from_hex("A0");
  EXPECT_THROW(make_install_for_load(request), Error);
  request.security_domain_aid.clear();
  request.load_parameters = Bytes(256, 0);
  EXPECT_THROW(make_install_for_load(request), Error);
}

TEST(HostLoad, DataBlockLengths) {
  EXPECT_EQ(to_hex(load_file_data_block(from_hex("0102"))), "C4020102");
  EXPECT_EQ(to_hex(ByteView(load_file_data_block(Bytes(0x7F, 0))).first(2)), "C47F");
  EXPECT_EQ(to_hex(ByteView(load_file_data_block(Bytes(0x80, 0))).first(3)), "C48180");
  EXPECT_EQ(to_hex(ByteView(load_file_data_block(Bytes(0xFF, 0))).first(3)), "C481FF");
  EXPECT_EQ(to_hex(ByteView(load_file_data_block(Bytes(0x100, 0))).first(4)), "C4820100");
  EXPECT_EQ(to_hex(ByteView(load_file_data_block(Bytes(0x10000, 0))).first(5)), "C483010000");
  EXPECT_EQ(load_file_data_block(Bytes(0x10000, 0)).size(), 0x10000u + 5);
}

TEST(HostLoad, BlocksAreNumberedAndTheLastIsMarked) {
  const Bytes file(500, 0x5A);
  const auto commands = make_load_commands(file, 200);
  ASSERT_EQ(commands.size(), 3u);  // 504 bytes of data block: 200 + 200 + 104
  Bytes joined;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    EXPECT_EQ(commands[i].cla, 0x80);
    EXPECT_EQ(commands[i].ins, 0xE8);
    EXPECT_EQ(commands[i].p1, i + 1 == commands.size() ? 0x80 : 0x00);
    EXPECT_EQ(commands[i].p2, i);
    append(joined, commands[i].data);
  }
  EXPECT_EQ(commands[2].data.size(), 104u);
  EXPECT_EQ(joined, load_file_data_block(file));
  EXPECT_EQ(to_hex(make_load_commands(from_hex("CAFE"))[0].encode()),
            "80E88000"
            "04"
            "C402CAFE"
            "00");
}

TEST(HostLoad, BlockNumbersWrapAfterFF) {
  const auto commands = make_load_commands(Bytes(300, 0x01), 1);
  ASSERT_EQ(commands.size(), 304u);  // C4 82 012C + 300 bytes
  EXPECT_EQ(commands[255].p2, 0xFF);
  EXPECT_EQ(commands[256].p2, 0x00);
  EXPECT_EQ(commands[303].p2, 0x2F);
  EXPECT_EQ(commands[303].p1, 0x80);
  EXPECT_EQ(commands[302].p1, 0x00);
}

TEST(HostLoad, Refusals) {
  EXPECT_THROW(make_load_commands({}, 100), Error);
  EXPECT_THROW(make_load_commands(Bytes(10, 0), 0), Error);
  EXPECT_THROW(make_load_commands(Bytes(10, 0), kMaxLoadBlockSize + 1), Error);
  EXPECT_NO_THROW(make_load_commands(Bytes(10, 0), kMaxLoadBlockSize));
}

}  // namespace
}  // namespace sefleet::gp::host

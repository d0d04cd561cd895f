// GET DATA DF70: the image inventory (docs/broadcast-wire.md "Image inventory", docs/isd.md), public
// like the other GET DATA objects so terminals and servers can take stock without a session:
//   DF70 L { E2 L { 82 01 type | 84 04 version | 85 04 DATASEND length | CC 20 SHA-256 | 86 nn name }
//              per active image, ascending type
//            E3 L { C1 10 campaign id | C0 01 profile | C6 04 total length | 87 04 bytes received
//                   | 88 01 state (01 receiving, 02 complete, 03 verified) }  when something is staged }
// Abandoned staging (its broadcast context ended) is erased first, so it is never reported.
#include "card/isd/isd_command.hpp"
#include "iso7816/tlv.hpp"

namespace sefleet::card::isd {
namespace {

iso7816::Tlv be32_field(iso7816::Tag tag, std::uint32_t value) {
  Bytes out;
  put_be32(out, value);
  return iso7816::Tlv::primitive(tag, std::move(out));
}

iso7816::Tlv byte_field(iso7816::Tag tag, std::uint8_t value) {
  return iso7816::Tlv::primitive(tag, Bytes{value});
}

}  // namespace

Bytes image_inventory(const IsdCall& call) {
  discard_abandoned_staging(call);
  const ImageStore& images = call.state.images();
  std::vector<iso7816::Tlv> objects;
  for (const auto& [type, image] : images.active()) {
    objects.push_back(
        iso7816::Tlv::constructed(0xE2, {byte_field(0x82, static_cast<std::uint8_t>(type)),
                                         be32_field(0x84, image.version), be32_field(0x85, image.datasend_length),
                                         iso7816::Tlv::primitive(0xCC, Bytes(image.sha256.begin(), image.sha256.end())),
                                         iso7816::Tlv::primitive(0x86, Bytes(image.name.begin(), image.name.end()))}));
  }
  if (const auto& staging = images.staging()) {
    objects.push_back(iso7816::Tlv::constructed(
        0xE3, {iso7816::Tlv::primitive(0xC1, Bytes(staging->campaign_id.begin(), staging->campaign_id.end())),
               byte_field(0xC0, static_cast<std::uint8_t>(staging->profile)), be32_field(0xC6, staging->total_length),
               be32_field(0x87, staging->received), byte_field(0x88, static_cast<std::uint8_t>(staging->state))}));
  }
  Bytes value;
  for (const auto& object : objects) object.encode_to(value);
  Bytes out;
  iso7816::encode_tag(out, 0xDF70);
  iso7816::encode_length(out, value.size());
  append(out, value);
  return out;
}

}  // namespace sefleet::card::isd

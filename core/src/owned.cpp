#include "mqttws/owned.hpp"

#include <utility>

#include "mqttws/codec.hpp"
#include "property_codec.hpp"
#include "wire.hpp"

namespace mqttws {

// The ownership model (bytes are the value, the view is decoded from them, moves hand the
// buffer over) is detail::owned_encoding's; what is left here is how each kind of object gets
// its bytes, and owned_publish's in-place edits.

// -- owned_publish ---------------------------------------------------------------------------

std::error_code owned_publish::make(const publish& p, protocol_version v, owned_publish& out) {
  std::vector<std::uint8_t> bytes;
  MQTTWS_TRY(encode(p, v, bytes));
  // encode() refuses anything decode() would reject, so decoding cannot fail; assign()
  // checks anyway, so that a codec bug shows up as an error here rather than as an empty
  // view later.
  return out.encoding_.assign(std::move(bytes), v);
}

std::error_code owned_publish::adopt(std::vector<std::uint8_t> bytes, protocol_version v,
                                     owned_publish& out) {
  return out.encoding_.assign(std::move(bytes), v);
}

std::error_code owned_publish::adopt_without_ids(std::string_view encoded, const publish& p,
                                                const std::uint32_t* drop, std::size_t n,
                                                owned_publish& out) {
  // [fixed header][topic][packet id if QoS > 0][Property Length][properties][payload]: only
  // the properties change, and with them the two lengths.
  fixed_header h;
  bool complete = false;
  if (parse_fixed_header(encoded, h, complete) || !complete) return errc::truncated_packet;
  const std::size_t ids = p.qos == qos::at_most_once ? 0 : 2;
  const std::size_t head_end =
      static_cast<std::size_t>(p.topic.data() + p.topic.size() - encoded.data()) + ids;
  if (head_end > encoded.size()) return errc::truncated_packet;
  detail::reader r(encoded.substr(head_end));
  std::uint32_t length = 0;
  MQTTWS_TRY(r.varint(length));
  const std::size_t block_at = static_cast<std::size_t>(r.pos() - encoded.data());
  if (length > encoded.size() - block_at) return errc::truncated_packet;
  std::vector<std::uint8_t> block;
  detail::append_properties_without_ids(encoded.substr(block_at, length), drop, n, block);
  const std::string_view payload = encoded.substr(block_at + length);
  const auto new_length = static_cast<std::uint32_t>(block.size());
  const auto remaining = static_cast<std::uint32_t>(
      head_end - h.size + detail::varint_size(new_length) + block.size() + payload.size());
  std::uint8_t head[1 + 4];  // the first byte and the new Remaining Length
  detail::byte_writer hw(head);
  hw.u8(static_cast<std::uint8_t>(encoded[0]));
  hw.varint(remaining);
  std::uint8_t plen[4];
  detail::byte_writer pw(plen);
  pw.varint(new_length);
  std::vector<std::uint8_t> bytes;
  bytes.reserve(1 + detail::varint_size(remaining) + remaining);
  detail::append(bytes, head, static_cast<std::size_t>(hw.pos() - head));
  detail::append(bytes, encoded.substr(h.size, head_end - h.size));
  detail::append(bytes, plen, static_cast<std::size_t>(pw.pos() - plen));
  detail::append(bytes, block.data(), block.size());
  detail::append(bytes, payload);
  return out.encoding_.assign(std::move(bytes), protocol_version::v5);
}

void owned_publish::set_packet_id(std::uint16_t id) {
  if (id == 0) return;
  encoding_.edit([id](std::vector<std::uint8_t>& bytes, publish& view) {
    if (view.qos == qos::at_most_once) return;
    fixed_header h;
    bool complete = false;
    if (parse_fixed_header(as_chars(bytes.data(), bytes.size()), h, complete) || !complete) {
      return;  // cannot happen: the bytes decoded
    }
    // Variable header: Topic Name (two-byte length + bytes), then the Packet Identifier.
    const std::size_t at = h.size + 2 + view.topic.size();
    bytes[at] = static_cast<std::uint8_t>(id >> 8);
    bytes[at + 1] = static_cast<std::uint8_t>(id);
    view.packet_id = id;
  });
}

void owned_publish::set_dup(bool dup) {
  encoding_.edit([dup](std::vector<std::uint8_t>& bytes, publish& view) {
    // DUP must be 0 for QoS 0 (MQTT-3.3.1-2); setting it would make bytes decode() rejects.
    if (view.qos == qos::at_most_once) return;
    constexpr std::uint8_t dup_bit = 0x08;
    bytes[0] = static_cast<std::uint8_t>(dup ? (bytes[0] | dup_bit) : (bytes[0] & ~dup_bit));
    view.dup = dup;
  });
}

// -- owned_properties ------------------------------------------------------------------------

std::error_code owned_properties::make(const properties& p, property_context ctx,
                                       owned_properties& out) {
  std::size_t content = 0;
  MQTTWS_TRY(detail::validate_properties(p, ctx, content));
  // The Property Length is a Variable Byte Integer; encode() makes the same check (through
  // the packet's Remaining Length, which includes it).
  if (content > detail::max_varint) return errc::value_out_of_range;
  const auto length = static_cast<std::uint32_t>(content);

  // Kept with its Property Length prefix: decode_properties() reads exactly that form, so the
  // view comes from the same code path that decodes properties off the wire.
  std::vector<std::uint8_t> bytes(detail::varint_size(length) + content);
  detail::byte_writer w(bytes.data());
  detail::write_properties(w, p, content);
  return out.encoding_.assign(std::move(bytes), ctx);  // cannot fail: just validated
}

}  // namespace mqttws

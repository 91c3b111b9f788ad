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

std::error_code owned_publish::adopt_received(std::string_view encoded, protocol_version v,
                                             const std::uint32_t* drop, std::size_t n,
                                             owned_publish& out) {
  std::vector<std::uint8_t> bytes;
  if (n == 0) {
    detail::append(bytes, encoded);
    return out.encoding_.assign(std::move(bytes), v);
  }
  if (v != protocol_version::v5) return errc::properties_require_v5;
  // [fixed header][topic][packet id if QoS > 0][Property Length][properties][payload]: only
  // the properties change, and with them the two lengths. The result is decoded by assign(),
  // which is what checks it; here only the lengths the layout is read from.
  fixed_header h;
  bool complete = false;
  if (parse_fixed_header(encoded, h, complete) || !complete ||
      encoded.size() < h.packet_size()) {
    return errc::truncated_packet;
  }
  if (encoded.size() > h.packet_size()) return errc::trailing_bytes;  // as decode() says
  if (h.type != packet_type::publish) return errc::invalid_packet_type;
  detail::reader r(encoded.substr(h.size));
  std::string_view topic;
  MQTTWS_TRY(r.binary(topic));
  if ((h.flags & 0x06) != 0) {  // QoS 1 or 2: a Packet Identifier follows
    std::uint16_t id = 0;
    MQTTWS_TRY(r.u16(id));
  }
  const auto head_end = static_cast<std::size_t>(r.pos() - encoded.data());
  std::uint32_t length = 0;
  MQTTWS_TRY(r.varint(length));
  if (length > r.remaining()) return errc::truncated_packet;
  const auto block_at = static_cast<std::size_t>(r.pos() - encoded.data());
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
  bytes.reserve(1 + detail::varint_size(remaining) + remaining);
  detail::append(bytes, head, static_cast<std::size_t>(hw.pos() - head));
  detail::append(bytes, encoded.substr(h.size, head_end - h.size));
  detail::append(bytes, plen, static_cast<std::size_t>(pw.pos() - plen));
  detail::append(bytes, block.data(), block.size());
  detail::append(bytes, payload);
  return out.encoding_.assign(std::move(bytes), v);
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

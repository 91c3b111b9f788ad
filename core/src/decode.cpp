// Decoding: one function per packet reads the variable header and payload of a packet whose
// fixed header has already been parsed and whose bytes are all present.
#include "mqttws/codec.hpp"
#include "mqttws/topic.hpp"
#include "property_codec.hpp"
#include "wire.hpp"

namespace mqttws {
namespace {

using namespace detail;

bool is_v5(protocol_version v) { return v == protocol_version::v5; }

std::error_code read_packet_id(reader& r, std::uint16_t& id) {
  MQTTWS_TRY(r.u16(id));
  return id != 0 ? std::error_code() : errc::packet_id_zero;
}

std::error_code read_reason(reader& r, packet_type t, reason_code& c) {
  std::uint8_t b;
  MQTTWS_TRY(r.u8(b));
  c = static_cast<reason_code>(b);
  return is_allowed(c, t) ? std::error_code() : errc::invalid_reason_code;
}

std::error_code no_trailing(const reader& r) {
  return r.empty() ? std::error_code() : errc::trailing_bytes;
}

std::error_code read_connect(reader& r, connect& p) {
  std::string_view name;
  std::uint8_t level;
  MQTTWS_TRY(r.binary(name));
  MQTTWS_TRY(r.u8(level));
  if (name == "MQTT") {
    if (level != 4 && level != 5) return errc::unsupported_protocol_version;
  } else if (name == "MQIsdp") {
    if (level != 3) return errc::unsupported_protocol_version;
  } else {
    return errc::invalid_protocol_name;
  }
  const auto v = static_cast<protocol_version>(level);
  p.version = v;

  std::uint8_t f;
  MQTTWS_TRY(r.u8(f));
  if (f & 0x01) return errc::invalid_connect_flags;  // reserved, MQTT-3.1.2-3
  const bool has_will = f & 0x04;
  const auto will_qos = static_cast<std::uint8_t>((f >> 3) & 0x03);
  const bool will_retain = f & 0x20;
  const bool has_password = f & 0x40;
  const bool has_username = f & 0x80;
  if (will_qos == 3) return errc::invalid_qos;  // MQTT-3.1.2-14
  if (!has_will && (will_qos != 0 || will_retain)) return errc::invalid_connect_flags;
  if (!is_v5(v) && has_password && !has_username) return errc::invalid_connect_flags;
  p.clean_start = f & 0x02;

  MQTTWS_TRY(r.u16(p.keep_alive));
  if (is_v5(v)) MQTTWS_TRY(read_properties(r, property_context::connect, p.props));
  MQTTWS_TRY(r.utf8(p.client_id));
  if (has_will) {
    will_message& w = p.will.emplace();
    w.qos = static_cast<qos>(will_qos);
    w.retain = will_retain;
    if (is_v5(v)) MQTTWS_TRY(read_properties(r, property_context::will, w.props));
    MQTTWS_TRY(r.binary(w.topic));
    MQTTWS_TRY(validate_topic_name(w.topic));
    MQTTWS_TRY(r.binary(w.payload));
  }
  if (has_username) MQTTWS_TRY(r.utf8(p.username.emplace()));
  if (has_password) MQTTWS_TRY(r.binary(p.password.emplace()));
  return no_trailing(r);
}

std::error_code read_connack(reader& r, protocol_version v, connack& p) {
  std::uint8_t ack_flags, rc;
  MQTTWS_TRY(r.u8(ack_flags));
  if (ack_flags & 0xFE) return errc::invalid_connack_flags;  // MQTT-3.2.2-1
  p.session_present = ack_flags & 0x01;
  MQTTWS_TRY(r.u8(rc));
  if (is_v5(v)) {
    p.code = static_cast<reason_code>(rc);
    if (!is_allowed(p.code, packet_type::connack)) return errc::invalid_reason_code;
    MQTTWS_TRY(read_properties(r, property_context::connack, p.props));
  } else if (!from_v311_connack(rc, p.code)) {
    return errc::invalid_reason_code;
  }
  // MQTT-3.2.2-4 / 3.2.2-6: a refused connection never has a session present.
  if (p.session_present && !is_success(p.code)) return errc::invalid_connack_flags;
  return no_trailing(r);
}

std::error_code read_publish(reader& r, std::uint8_t flags, protocol_version v, publish& p) {
  p.retain = flags & 0x01;
  p.dup = flags & 0x08;
  const auto q = static_cast<std::uint8_t>((flags >> 1) & 0x03);
  if (q == 3) return errc::invalid_qos;  // MQTT-3.3.1-4
  p.qos = static_cast<qos>(q);
  if (p.qos == qos::at_most_once && p.dup) return errc::invalid_fixed_header_flags;  // 3.3.1-2
  MQTTWS_TRY(r.binary(p.topic));
  if (p.qos != qos::at_most_once) MQTTWS_TRY(read_packet_id(r, p.packet_id));
  if (is_v5(v)) MQTTWS_TRY(read_properties(r, property_context::publish, p.props));
  // An empty topic needs a Topic Alias (MQTT 5); otherwise the name must be valid (which
  // includes its UTF-8 check: one pass over the bytes).
  if (!p.topic.empty() || !p.props.topic_alias) MQTTWS_TRY(validate_topic_name(p.topic));
  p.payload = r.rest();
  return {};
}

template <packet_type T>
std::error_code read_pub_response(reader& r, protocol_version v, basic_pub_response<T>& p) {
  MQTTWS_TRY(read_packet_id(r, p.packet_id));
  // MQTT 5: the reason code may be omitted when 0, and the properties when there are none.
  if (is_v5(v) && !r.empty()) {
    MQTTWS_TRY(read_reason(r, T, p.code));
    if (!r.empty()) MQTTWS_TRY(read_properties(r, context_of(T), p.props));
  }
  return no_trailing(r);
}

// The payload of SUBSCRIBE and UNSUBSCRIBE: entries that each start with a valid Topic Filter,
// `rest_of_entry(filter)` reading what follows it; at least one (MQTT-3.8.3-3, MQTT-3.10.3-2).
// `out` is a view of the payload's bytes.
template <class List, class F>
std::error_code read_filter_entries(reader& r, F&& rest_of_entry, List& out) {
  const std::string_view payload(r.pos(), r.remaining());
  std::size_t count = 0;
  while (!r.empty()) {
    std::string_view filter;
    MQTTWS_TRY(r.utf8(filter));
    MQTTWS_TRY(validate_topic_filter(filter));
    MQTTWS_TRY(rest_of_entry(filter));
    ++count;
  }
  if (count == 0) return errc::empty_subscription_list;
  out = List::from_wire(payload, count);
  return {};
}

// The payload of SUBACK and UNSUBACK (MQTT 5): one reason code per filter, at least one, each
// one `allowed` accepts. `out` is a view of the payload's bytes.
template <class Allowed>
std::error_code read_reason_codes(reader& r, Allowed&& allowed, reason_code_list& out) {
  const std::string_view codes = r.rest();
  if (codes.empty()) return errc::empty_subscription_list;
  for (char b : codes) {
    if (!allowed(static_cast<reason_code>(static_cast<std::uint8_t>(b)))) {
      return errc::invalid_reason_code;
    }
  }
  out = reason_code_list::from_wire(codes, codes.size());
  return {};
}

std::error_code read_subscribe(reader& r, protocol_version v, subscribe& p) {
  MQTTWS_TRY(read_packet_id(r, p.packet_id));
  if (is_v5(v)) MQTTWS_TRY(read_properties(r, property_context::subscribe, p.props));
  const auto options = [&](std::string_view filter) -> std::error_code {
    std::uint8_t o;
    MQTTWS_TRY(r.u8(o));
    if ((o & 0x03) == 3) return errc::invalid_qos;
    if (is_v5(v)) {
      // Bits 6-7 reserved (MQTT-3.8.3-5), Retain Handling 3 is a Protocol Error, and so is
      // No Local on a shared subscription (MQTT-3.8.3-4).
      if ((o & 0xC0) || ((o >> 4) & 0x03) == 3) return errc::invalid_subscribe_options;
      if ((o & 0x04) && parse_shared_subscription(filter)) return errc::invalid_subscribe_options;
    } else if (o & 0xFC) {
      return errc::invalid_subscribe_options;  // MQTT-3-8.3-4 (3.1.1): upper bits reserved
    }
    return {};
  };
  return read_filter_entries(r, options, p.subscriptions);
}

std::error_code read_suback(reader& r, protocol_version v, suback& p) {
  MQTTWS_TRY(read_packet_id(r, p.packet_id));
  if (is_v5(v)) MQTTWS_TRY(read_properties(r, property_context::suback, p.props));
  return read_reason_codes(
      r,
      [v](reason_code c) {
        return is_v5(v) ? is_allowed(c, packet_type::suback)
                        : (c == reason_code::granted_qos_0 || c == reason_code::granted_qos_1 ||
                           c == reason_code::granted_qos_2 || c == reason_code::unspecified_error);
      },
      p.codes);
}

std::error_code read_unsubscribe(reader& r, protocol_version v, unsubscribe& p) {
  MQTTWS_TRY(read_packet_id(r, p.packet_id));
  if (is_v5(v)) MQTTWS_TRY(read_properties(r, property_context::unsubscribe, p.props));
  const auto nothing_more = [](std::string_view) { return std::error_code(); };
  return read_filter_entries(r, nothing_more, p.filters);
}

std::error_code read_unsuback(reader& r, protocol_version v, unsuback& p) {
  MQTTWS_TRY(read_packet_id(r, p.packet_id));
  if (!is_v5(v)) return no_trailing(r);  // 3.1.1: no properties, no codes
  MQTTWS_TRY(read_properties(r, property_context::unsuback, p.props));
  return read_reason_codes(
      r, [](reason_code c) { return is_allowed(c, packet_type::unsuback); }, p.codes);
}

// DISCONNECT and AUTH: MQTT 5 may omit the reason code (0) and the properties.
template <class P>
std::error_code read_reason_only(reader& r, protocol_version v, packet_type t, P& p) {
  if (is_v5(v) && !r.empty()) {
    MQTTWS_TRY(read_reason(r, t, p.code));
    if (!r.empty()) MQTTWS_TRY(read_properties(r, context_of(t), p.props));
  }
  return no_trailing(r);
}

// Fixed header flags the spec reserves (section 2.1.3): fixed values for all but PUBLISH.
bool flags_valid(packet_type t, std::uint8_t flags) {
  switch (t) {
    case packet_type::publish: return true;  // checked field by field in read_publish
    case packet_type::pubrel:
    case packet_type::subscribe:
    case packet_type::unsubscribe: return flags == 0x02;
    default: return flags == 0;
  }
}

}  // namespace

std::error_code parse_fixed_header(std::string_view bytes, fixed_header& out, bool& complete) {
  complete = false;
  if (bytes.empty()) return {};
  const auto first = static_cast<std::uint8_t>(bytes[0]);
  if ((first >> 4) == 0) return errc::invalid_packet_type;
  std::uint32_t value = 0;
  for (std::size_t i = 1; i <= 4; ++i) {
    if (i >= bytes.size()) return {};
    const auto b = static_cast<std::uint8_t>(bytes[i]);
    value |= std::uint32_t{b & 0x7Fu} << (7 * (i - 1));
    if ((b & 0x80) == 0) {
      if (i > 1 && b == 0) return errc::malformed_remaining_length;  // not minimal
      out.type = static_cast<packet_type>(first >> 4);
      out.flags = first & 0x0F;
      out.remaining_length = value;
      out.size = static_cast<std::uint8_t>(i + 1);
      complete = true;
      return {};
    }
  }
  return errc::malformed_remaining_length;
}

namespace {

/// The fixed header of exactly one whole packet in `bytes`, checked.
std::error_code whole_packet(std::string_view bytes, protocol_version v, fixed_header& h) {
  bool complete;
  MQTTWS_TRY(parse_fixed_header(bytes, h, complete));
  if (!complete || bytes.size() < h.packet_size()) return errc::truncated_packet;
  if (bytes.size() > h.packet_size()) return errc::trailing_bytes;
  if (h.type == packet_type::auth && !is_v5(v)) return errc::invalid_packet_type;
  if (!flags_valid(h.type, h.flags)) return errc::invalid_fixed_header_flags;
  return {};
}

}  // namespace

std::error_code decode_publish(std::string_view bytes, protocol_version v, publish& out) {
  fixed_header h;
  MQTTWS_TRY(whole_packet(bytes, v, h));
  if (h.type != packet_type::publish) return errc::invalid_packet_type;
  out = publish{};
  reader r(bytes.data() + h.size, bytes.data() + bytes.size());
  return read_publish(r, h.flags, v, out);
}

std::error_code decode(std::string_view bytes, protocol_version v, packet& out) {
  fixed_header h;
  MQTTWS_TRY(whole_packet(bytes, v, h));
  reader r(bytes.data() + h.size, bytes.data() + bytes.size());
  switch (h.type) {
    case packet_type::connect: return read_connect(r, out.emplace<connect>());
    case packet_type::connack: return read_connack(r, v, out.emplace<connack>());
    case packet_type::publish: return read_publish(r, h.flags, v, out.emplace<publish>());
    case packet_type::puback: return read_pub_response(r, v, out.emplace<puback>());
    case packet_type::pubrec: return read_pub_response(r, v, out.emplace<pubrec>());
    case packet_type::pubrel: return read_pub_response(r, v, out.emplace<pubrel>());
    case packet_type::pubcomp: return read_pub_response(r, v, out.emplace<pubcomp>());
    case packet_type::subscribe: return read_subscribe(r, v, out.emplace<subscribe>());
    case packet_type::suback: return read_suback(r, v, out.emplace<suback>());
    case packet_type::unsubscribe: return read_unsubscribe(r, v, out.emplace<unsubscribe>());
    case packet_type::unsuback: return read_unsuback(r, v, out.emplace<unsuback>());
    case packet_type::pingreq: out.emplace<pingreq>(); return no_trailing(r);
    case packet_type::pingresp: out.emplace<pingresp>(); return no_trailing(r);
    case packet_type::disconnect:
      return read_reason_only(r, v, packet_type::disconnect, out.emplace<disconnect>());
    case packet_type::auth: return read_reason_only(r, v, packet_type::auth, out.emplace<auth>());
  }
  return errc::invalid_packet_type;
}

std::error_code decode_properties(std::string_view bytes, property_context ctx,
                                  properties& out) {
  out = properties{};
  if (bytes.empty()) return {};
  detail::reader r(bytes);
  if (std::error_code ec = detail::read_properties(r, ctx, out)) return ec;
  return r.empty() ? std::error_code() : std::error_code(errc::trailing_bytes);
}

}  // namespace mqttws

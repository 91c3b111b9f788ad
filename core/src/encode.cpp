// Encoding: each packet is validated once, then written twice through the same template,
// first into a size_counter (to learn the Remaining Length) and then into the output.
#include <memory>
#include <type_traits>

#include "mqttws/codec.hpp"
#include "mqttws/topic.hpp"
#include "property_codec.hpp"
#include "wire.hpp"

namespace mqttws {
namespace {

using namespace detail;

bool is_v5(protocol_version v) { return v == protocol_version::v5; }

// Property content sizes, found while validating and used by both writing passes.
struct sizes {
  std::size_t props = 0;
  std::size_t will_props = 0;
};

template <class W>
void write_props(W& w, const properties& p, std::size_t content_size) {
  if constexpr (W::writes) {
    write_properties(w, p, content_size);
  } else {
    w.varint(static_cast<std::uint32_t>(content_size));
    w.skip(content_size);
  }
}

std::error_code check_props(const properties& p, property_context ctx, protocol_version v,
                            std::size_t& content_size) {
  if (!is_v5(v)) return p.empty() ? std::error_code() : errc::properties_require_v5;
  // Beyond the largest Variable Byte Integer the Property Length cannot be written.
  MQTTWS_TRY(validate_properties(p, ctx, content_size));
  return content_size <= max_varint ? std::error_code() : errc::value_out_of_range;
}

std::error_code check_qos(qos q) {
  return static_cast<std::uint8_t>(q) <= 2 ? std::error_code() : errc::invalid_qos;
}

std::error_code check_packet_id(std::uint16_t id) {
  return id != 0 ? std::error_code() : errc::packet_id_zero;
}

// MQTT 5 may omit a success reason code without properties; 3.1.1 has neither.
std::error_code check_reason(reason_code c, const properties& p, packet_type t,
                             protocol_version v, std::size_t& content_size) {
  if (!is_v5(v)) {
    return c == reason_code::success && p.empty() ? std::error_code()
                                                  : errc::properties_require_v5;
  }
  if (!is_allowed(c, t)) return errc::invalid_reason_code;
  return check_props(p, context_of(t), v, content_size);
}

template <class W>
void write_reason_and_props(W& w, reason_code c, const properties& p, protocol_version v,
                            std::size_t content_size) {
  if (!is_v5(v)) return;
  const bool has_props = content_size != 0;  // validation found no property to write
  if (c == reason_code::success && !has_props) return;
  w.u8(static_cast<std::uint8_t>(c));
  if (has_props) write_props(w, p, content_size);
}

// ---- per packet: fixed header flags, validation, body -----------------------------------

std::uint8_t flags(const connect&) { return 0; }
std::error_code validate(const connect& p, protocol_version v, sizes& s) {
  if (p.version != v) return errc::unsupported_protocol_version;
  if (v != protocol_version::v31 && v != protocol_version::v311 && v != protocol_version::v5) {
    return errc::unsupported_protocol_version;
  }
  MQTTWS_TRY(check_utf8(p.client_id));
  if (p.username) MQTTWS_TRY(check_utf8(*p.username));
  if (p.password) {
    MQTTWS_TRY(check_binary(*p.password));
    if (!is_v5(v) && !p.username) return errc::invalid_connect_flags;  // MQTT-3.1.2-22
  }
  if (p.will) {
    MQTTWS_TRY(validate_topic_name(p.will->topic));
    MQTTWS_TRY(check_binary(p.will->payload));
    MQTTWS_TRY(check_qos(p.will->qos));
    MQTTWS_TRY(check_props(p.will->props, property_context::will, v, s.will_props));
  }
  return check_props(p.props, property_context::connect, v, s.props);
}
template <class W>
void write_body(W& w, const connect& p, protocol_version v, sizes& s) {
  w.binary(v == protocol_version::v31 ? "MQIsdp" : "MQTT");
  w.u8(static_cast<std::uint8_t>(v));
  unsigned f = 0;
  if (p.username) f |= 0x80;
  if (p.password) f |= 0x40;
  if (p.will) {
    f |= 0x04 | (static_cast<unsigned>(p.will->qos) << 3);
    if (p.will->retain) f |= 0x20;
  }
  if (p.clean_start) f |= 0x02;
  w.u8(static_cast<std::uint8_t>(f));
  w.u16(p.keep_alive);
  if (is_v5(v)) write_props(w, p.props, s.props);
  w.binary(p.client_id);
  if (p.will) {
    if (is_v5(v)) write_props(w, p.will->props, s.will_props);
    w.binary(p.will->topic);
    w.binary(p.will->payload);
  }
  if (p.username) w.binary(*p.username);
  if (p.password) w.binary(*p.password);
}

std::uint8_t flags(const connack&) { return 0; }
std::error_code validate(const connack& p, protocol_version v, sizes& s) {
  if (p.session_present && !is_success(p.code)) return errc::invalid_connack_flags;
  if (!is_v5(v)) {
    std::uint8_t rc;
    if (!to_v311_connack(p.code, rc)) return errc::invalid_reason_code;
    return check_props(p.props, property_context::connack, v, s.props);
  }
  if (!is_allowed(p.code, packet_type::connack)) return errc::invalid_reason_code;
  return check_props(p.props, property_context::connack, v, s.props);
}
template <class W>
void write_body(W& w, const connack& p, protocol_version v, sizes& s) {
  w.u8(p.session_present ? 1 : 0);
  std::uint8_t rc = static_cast<std::uint8_t>(p.code);
  if (!is_v5(v)) to_v311_connack(p.code, rc);
  w.u8(rc);
  if (is_v5(v)) write_props(w, p.props, s.props);
}

std::uint8_t flags(const publish& p) {
  return static_cast<std::uint8_t>((p.dup ? 0x08 : 0) | (static_cast<std::uint8_t>(p.qos) << 1) |
                                   (p.retain ? 0x01 : 0));
}
std::error_code validate(const publish& p, protocol_version v, sizes& s) {
  MQTTWS_TRY(check_qos(p.qos));
  if (p.qos == qos::at_most_once) {
    if (p.dup) return errc::invalid_fixed_header_flags;  // MQTT-3.3.1-2
  } else {
    MQTTWS_TRY(check_packet_id(p.packet_id));
  }
  // An empty topic name is only meaningful together with a Topic Alias (MQTT 5, 3.3.2.3.4).
  if (!p.topic.empty() || !is_v5(v) || !p.props.topic_alias) {
    MQTTWS_TRY(validate_topic_name(p.topic));
  }
  return check_props(p.props, property_context::publish, v, s.props);
}
template <class W>
void write_body(W& w, const publish& p, protocol_version v, sizes& s) {
  w.binary(p.topic);
  if (p.qos != qos::at_most_once) w.u16(p.packet_id);
  if (is_v5(v)) write_props(w, p.props, s.props);
  w.bytes(p.payload);
}

template <packet_type T>
std::uint8_t flags(const basic_pub_response<T>&) {
  return T == packet_type::pubrel ? 0x02 : 0;
}
template <packet_type T>
std::error_code validate(const basic_pub_response<T>& p, protocol_version v, sizes& s) {
  MQTTWS_TRY(check_packet_id(p.packet_id));
  return check_reason(p.code, p.props, T, v, s.props);
}
template <class W, packet_type T>
void write_body(W& w, const basic_pub_response<T>& p, protocol_version v, sizes& s) {
  w.u16(p.packet_id);
  write_reason_and_props(w, p.code, p.props, v, s.props);
}

std::uint8_t subscribe_options_byte(const subscribe_options& o) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(o.max_qos) | (o.no_local ? 0x04 : 0) |
                                   (o.retain_as_published ? 0x08 : 0) |
                                   (static_cast<std::uint8_t>(o.retain_handling) << 4));
}

std::uint8_t flags(const subscribe&) { return 0x02; }
std::error_code validate(const subscribe& p, protocol_version v, sizes& s) {
  MQTTWS_TRY(check_packet_id(p.packet_id));
  if (p.subscriptions.empty()) return errc::empty_subscription_list;  // MQTT-3.8.3-2
  for (const subscription& sub : p.subscriptions) {
    MQTTWS_TRY(validate_topic_filter(sub.filter));
    const subscribe_options& o = sub.options;
    MQTTWS_TRY(check_qos(o.max_qos));
    if (static_cast<std::uint8_t>(o.retain_handling) > 2) return errc::invalid_subscribe_options;
    const bool v5_options = o.no_local || o.retain_as_published ||
                            o.retain_handling != retain_handling::send_on_subscribe;
    if (!is_v5(v) && v5_options) return errc::invalid_subscribe_options;
    // MQTT-3.8.3-4: No Local on a shared subscription is a Protocol Error.
    if (o.no_local && parse_shared_subscription(sub.filter)) return errc::invalid_subscribe_options;
  }
  return check_props(p.props, property_context::subscribe, v, s.props);
}
template <class W>
void write_body(W& w, const subscribe& p, protocol_version v, sizes& s) {
  w.u16(p.packet_id);
  if (is_v5(v)) write_props(w, p.props, s.props);
  for (const subscription& sub : p.subscriptions) {
    w.binary(sub.filter);
    w.u8(subscribe_options_byte(sub.options));
  }
}

bool is_v311_suback_code(reason_code c) {
  return c == reason_code::granted_qos_0 || c == reason_code::granted_qos_1 ||
         c == reason_code::granted_qos_2 || c == reason_code::unspecified_error;
}

std::uint8_t flags(const suback&) { return 0; }
std::error_code validate(const suback& p, protocol_version v, sizes& s) {
  MQTTWS_TRY(check_packet_id(p.packet_id));
  if (p.codes.empty()) return errc::empty_subscription_list;
  for (reason_code c : p.codes) {
    const bool ok = is_v5(v) ? is_allowed(c, packet_type::suback) : is_v311_suback_code(c);
    if (!ok) return errc::invalid_reason_code;
  }
  return check_props(p.props, property_context::suback, v, s.props);
}
template <class W>
void write_body(W& w, const suback& p, protocol_version v, sizes& s) {
  w.u16(p.packet_id);
  if (is_v5(v)) write_props(w, p.props, s.props);
  for (reason_code c : p.codes) w.u8(static_cast<std::uint8_t>(c));
}

std::uint8_t flags(const unsubscribe&) { return 0x02; }
std::error_code validate(const unsubscribe& p, protocol_version v, sizes& s) {
  MQTTWS_TRY(check_packet_id(p.packet_id));
  if (p.filters.empty()) return errc::empty_subscription_list;  // MQTT-3.10.3-2
  for (std::string_view f : p.filters) MQTTWS_TRY(validate_topic_filter(f));
  return check_props(p.props, property_context::unsubscribe, v, s.props);
}
template <class W>
void write_body(W& w, const unsubscribe& p, protocol_version v, sizes& s) {
  w.u16(p.packet_id);
  if (is_v5(v)) write_props(w, p.props, s.props);
  for (std::string_view f : p.filters) w.binary(f);
}

std::uint8_t flags(const unsuback&) { return 0; }
std::error_code validate(const unsuback& p, protocol_version v, sizes& s) {
  MQTTWS_TRY(check_packet_id(p.packet_id));
  if (!is_v5(v)) {
    return p.codes.empty() && p.props.empty() ? std::error_code() : errc::properties_require_v5;
  }
  if (p.codes.empty()) return errc::empty_subscription_list;
  for (reason_code c : p.codes) {
    if (!is_allowed(c, packet_type::unsuback)) return errc::invalid_reason_code;
  }
  return check_props(p.props, property_context::unsuback, v, s.props);
}
template <class W>
void write_body(W& w, const unsuback& p, protocol_version v, sizes& s) {
  w.u16(p.packet_id);
  if (!is_v5(v)) return;
  write_props(w, p.props, s.props);
  for (reason_code c : p.codes) w.u8(static_cast<std::uint8_t>(c));
}

std::uint8_t flags(const pingreq&) { return 0; }
std::error_code validate(const pingreq&, protocol_version, sizes&) { return {}; }
template <class W>
void write_body(W&, const pingreq&, protocol_version, sizes&) {}

std::uint8_t flags(const pingresp&) { return 0; }
std::error_code validate(const pingresp&, protocol_version, sizes&) { return {}; }
template <class W>
void write_body(W&, const pingresp&, protocol_version, sizes&) {}

std::uint8_t flags(const disconnect&) { return 0; }
std::error_code validate(const disconnect& p, protocol_version v, sizes& s) {
  return check_reason(p.code, p.props, packet_type::disconnect, v, s.props);
}
template <class W>
void write_body(W& w, const disconnect& p, protocol_version v, sizes& s) {
  write_reason_and_props(w, p.code, p.props, v, s.props);
}

std::uint8_t flags(const auth&) { return 0; }
std::error_code validate(const auth& p, protocol_version v, sizes& s) {
  if (!is_v5(v)) return errc::invalid_packet_type;  // AUTH does not exist before MQTT 5
  return check_reason(p.code, p.props, packet_type::auth, v, s.props);
}
template <class W>
void write_body(W& w, const auth& p, protocol_version v, sizes& s) {
  write_reason_and_props(w, p.code, p.props, v, s.props);
}

// Position of T in the `packet` variant, which is its packet type minus one.
template <class T, class... Ts>
constexpr std::size_t index_in(const std::variant<Ts...>*) {
  std::size_t i = 0;
  bool found = false;
  ((found = found || std::is_same_v<T, Ts>, i += found ? 0 : 1), ...);
  return i;
}
template <class T>
constexpr packet_type type_of_struct() {
  return static_cast<packet_type>(index_in<T>(static_cast<const packet*>(nullptr)) + 1);
}

template <class T>
std::error_code size_of(const T& p, protocol_version v, std::size_t& remaining, sizes& s) {
  MQTTWS_TRY(validate(p, v, s));
  size_counter c;
  write_body(c, p, v, s);
  if (c.size() > max_remaining_length) return errc::value_out_of_range;
  remaining = c.size();
  return {};
}

template <class T>
std::error_code encode_one(const T& p, protocol_version v, std::vector<std::uint8_t>& out) {
  sizes s;
  std::size_t remaining = 0;
  MQTTWS_TRY(size_of(p, v, remaining, s));
  const auto rl = static_cast<std::uint32_t>(remaining);
  const std::size_t total = 1 + varint_size(rl) + remaining;
  auto write = [&](std::uint8_t* dst) {
    byte_writer w(dst);
    w.u8(static_cast<std::uint8_t>((static_cast<std::uint8_t>(type_of_struct<T>()) << 4) |
                                   flags(p)));
    w.varint(rl);
    write_body(w, p, v, s);
  };
  // Built apart and appended in one copy (detail::append): resize() would first zero-fill
  // what is about to be overwritten, a byte loop in the wasm build that cost more than the
  // encoding itself. Small packets on the stack, larger ones in a scratch block.
  constexpr std::size_t stack_limit = 512;
  if (total <= stack_limit) {
    std::uint8_t buf[stack_limit];
    write(buf);
    detail::append(out, buf, total);
  } else {
    const std::unique_ptr<std::uint8_t[]> scratch(new std::uint8_t[total]);
    write(scratch.get());
    detail::append(out, scratch.get(), total);
  }
  return {};
}

template <class T>
std::error_code size_one(const T& p, protocol_version v, std::size_t& size) {
  sizes s;
  std::size_t remaining = 0;
  MQTTWS_TRY(size_of(p, v, remaining, s));
  size = 1 + varint_size(static_cast<std::uint32_t>(remaining)) + remaining;
  return {};
}

}  // namespace

std::error_code encode(const packet& p, protocol_version v, std::vector<std::uint8_t>& out) {
  return std::visit([&](const auto& x) { return encode_one(x, v, out); }, p);
}

std::error_code encoded_size(const packet& p, protocol_version v, std::size_t& size) {
  return std::visit([&](const auto& x) { return size_one(x, v, size); }, p);
}

#define MQTTWS_ENCODE_OVERLOAD(T)                                                   \
  std::error_code encode(const T& p, protocol_version v, std::vector<std::uint8_t>& out) { \
    return encode_one(p, v, out);                                                   \
  }                                                                                 \
  std::error_code encoded_size(const T& p, protocol_version v, std::size_t& size) {  \
    return size_one(p, v, size);                                                    \
  }
MQTTWS_ENCODE_OVERLOAD(connect)
MQTTWS_ENCODE_OVERLOAD(connack)
MQTTWS_ENCODE_OVERLOAD(publish)
MQTTWS_ENCODE_OVERLOAD(puback)
MQTTWS_ENCODE_OVERLOAD(pubrec)
MQTTWS_ENCODE_OVERLOAD(pubrel)
MQTTWS_ENCODE_OVERLOAD(pubcomp)
MQTTWS_ENCODE_OVERLOAD(subscribe)
MQTTWS_ENCODE_OVERLOAD(suback)
MQTTWS_ENCODE_OVERLOAD(unsubscribe)
MQTTWS_ENCODE_OVERLOAD(unsuback)
MQTTWS_ENCODE_OVERLOAD(pingreq)
MQTTWS_ENCODE_OVERLOAD(pingresp)
MQTTWS_ENCODE_OVERLOAD(disconnect)
MQTTWS_ENCODE_OVERLOAD(auth)
#undef MQTTWS_ENCODE_OVERLOAD

}  // namespace mqttws

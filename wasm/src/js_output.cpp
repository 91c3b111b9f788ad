// The core's results as JavaScript values.
#include "js_output.hpp"

#include <string>
#include <variant>

#include "js_object.hpp"
#include "mqttws/error.hpp"
#include "mqttws/reason_code.hpp"

namespace mqttws::wasm {

namespace {

using emscripten::val;
using emscripten::typed_memory_view;

const char* errc_name(errc e) {
  // No default: a new errc must be named here (-Wswitch).
  switch (e) {
    case errc::malformed_remaining_length: return "malformed_remaining_length";
    case errc::packet_too_large: return "packet_too_large";
    case errc::invalid_packet_type: return "invalid_packet_type";
    case errc::invalid_fixed_header_flags: return "invalid_fixed_header_flags";
    case errc::truncated_packet: return "truncated_packet";
    case errc::trailing_bytes: return "trailing_bytes";
    case errc::invalid_utf8: return "invalid_utf8";
    case errc::null_character: return "null_character";
    case errc::string_too_long: return "string_too_long";
    case errc::invalid_qos: return "invalid_qos";
    case errc::packet_id_zero: return "packet_id_zero";
    case errc::invalid_protocol_name: return "invalid_protocol_name";
    case errc::unsupported_protocol_version: return "unsupported_protocol_version";
    case errc::invalid_connect_flags: return "invalid_connect_flags";
    case errc::invalid_connack_flags: return "invalid_connack_flags";
    case errc::invalid_reason_code: return "invalid_reason_code";
    case errc::invalid_subscribe_options: return "invalid_subscribe_options";
    case errc::empty_subscription_list: return "empty_subscription_list";
    case errc::invalid_topic_name: return "invalid_topic_name";
    case errc::invalid_topic_filter: return "invalid_topic_filter";
    case errc::malformed_variable_byte_integer: return "malformed_variable_byte_integer";
    case errc::value_out_of_range: return "value_out_of_range";
    case errc::unknown_property: return "unknown_property";
    case errc::duplicate_property: return "duplicate_property";
    case errc::property_not_allowed: return "property_not_allowed";
    case errc::invalid_property_value: return "invalid_property_value";
    case errc::properties_require_v5: return "properties_require_v5";
    case errc::invalid_options: return "invalid_options";
    case errc::invalid_state: return "invalid_state";
    case errc::connect_timeout: return "connect_timeout";
    case errc::keep_alive_timeout: return "keep_alive_timeout";
    case errc::connection_refused: return "connection_refused";
    case errc::server_disconnected: return "server_disconnected";
    case errc::transport_closed: return "transport_closed";
    case errc::protocol_violation: return "protocol_violation";
    case errc::receive_maximum_exceeded: return "receive_maximum_exceeded";
    case errc::topic_alias_invalid: return "topic_alias_invalid";
    case errc::qos_not_supported: return "qos_not_supported";
    case errc::retain_not_supported: return "retain_not_supported";
    case errc::queue_full: return "queue_full";
    case errc::dropped_from_queue: return "dropped_from_queue";
    case errc::message_expired: return "message_expired";
    case errc::session_closed: return "session_closed";
    case errc::request_timeout: return "request_timeout";
    case errc::operation_failed: return "operation_failed";
    case errc::reconnect_requested: return "reconnect_requested";
    case errc::cancelled: return "cancelled";
  }
  return "unknown_error";
}

class socket_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mqttws.socket"; }
  std::string message(int ev) const override {
    switch (static_cast<socket_errc>(ev)) {
      case socket_errc::connection_refused: return "Connection refused";
      case socket_errc::connection_reset: return "Connection reset by peer";
      case socket_errc::invalid_argument: return "Invalid argument";
      case socket_errc::network_down: return "Network is down";
    }
    return "Transport error";
  }
};

const char* kind_name(operation_kind k) {
  switch (k) {
    case operation_kind::publish: return "publish";
    case operation_kind::subscribe: return "subscribe";
    case operation_kind::unsubscribe: return "unsubscribe";
    case operation_kind::request: return "request";
  }
  return "publish";
}

/// Sets `key` to `s` unless it is empty (MQTT.js leaves absent strings out).
void set_text(js_object& o, const char* key, std::string_view s) {
  if (!s.empty()) o.set(key, string_to_js(s));
}

val to_js(const connected_event& e) {
  js_object o;
  o.set("type", "connect");
  o.set("sessionPresent", e.session_present);
  o.set("assignedClientId", string_to_js(e.assigned_client_id));
  o.set("keepalive", e.keep_alive);
  o.set("receiveMaximum", e.receive_maximum);
  o.set("maximumPacketSize", static_cast<double>(e.maximum_packet_size));
  o.set("topicAliasMaximum", e.topic_alias_maximum);
  o.set("maximumQoS", static_cast<int>(e.maximum_qos));
  o.set("retainAvailable", e.retain_available);
  o.set("properties", properties_to_js(e.properties.view()));
  return o.value();
}

val to_js(const disconnected_event& e) {
  js_object o;
  o.set("type", "disconnect");
  o.set("error", error_to_js(e.ec));
  if (e.reason) o.set("reasonCode", static_cast<int>(*e.reason));
  set_text(o, "reasonString", e.reason_string);
  set_text(o, "serverReference", e.server_reference);
  o.set("willReconnect", e.will_reconnect);
  o.set("properties", properties_to_js(e.properties.view()));
  return o.value();
}

val to_js(const reconnecting_event& e) {
  js_object o;
  o.set("type", "reconnect");
  o.set("attempt", static_cast<double>(e.attempt));
  o.set("delay", static_cast<double>(e.delay.count()));
  o.set("endpoint", string_to_js(e.endpoint));
  return o.value();
}

val to_js(const message_event&) {
  // The driver hands messages over positionally (the hot path) and never passes one here.
  return val::undefined();
}

val to_js(const operation_event& e) {
  js_object o;
  o.set("type", "operation");
  o.set("id", static_cast<double>(e.id));
  o.set("kind", kind_name(e.kind));
  o.set("error", error_to_js(e.ec));
  val codes = val::array();
  for (reason_code c : e.codes) codes.call<void>("push", static_cast<int>(c));
  o.set("reasonCodes", codes);
  set_text(o, "reasonString", e.reason_string);
  o.set("properties", properties_to_js(e.properties.view()));
  if (!e.response.empty()) o.set("response", message_to_js(e.response.view()));
  return o.value();
}

val to_js(const subscription_ended_event& e) {
  // Only what the package acts on: a handler goes when its subscription's last filter ended.
  js_object o;
  o.set("type", "subscriptionEnded");
  o.set("id", static_cast<double>(e.subscription));
  o.set("last", e.last);
  return o.value();
}

val to_js(const auth_event& e) {
  js_object o;
  o.set("type", "auth");
  o.set("reasonCode", static_cast<int>(e.code));
  o.set("properties", properties_to_js(e.properties.view()));
  return o.value();
}

}  // namespace

std::error_code make_error_code(socket_errc e) {
  static const socket_category_impl category;
  return {static_cast<int>(e), category};
}

val error_to_js(std::error_code ec, std::string_view what) {
  if (!ec) return val::null();
  js_object o;
  std::string message = ec.message();
  if (!what.empty()) {
    message += ": ";
    message += what;
  }
  if (ec.category() == category()) {
    o.set("code", errc_name(static_cast<errc>(ec.value())));
  } else {
    // Socket errors: the POSIX name.
    static const char* const names[] = {"transport_error", "ECONNREFUSED", "ECONNRESET",
                                        "EINVAL", "ENETDOWN"};
    const int v = ec.value();
    o.set("code", names[v >= 1 && v <= 4 ? v : 0]);
  }
  o.set("message", string_to_js(message));
  return o.value();
}

val string_to_js(std::string_view s) { return val(std::string(s)); }

val bytes_to_js(std::string_view b) {
  // A view into wasm memory, copied by slice(): the copy is the caller's.
  return val(typed_memory_view(b.size(), reinterpret_cast<const std::uint8_t*>(b.data())))
      .call<val>("slice");
}

namespace {

/// A PUBLISH's fields, as the message event and packetsend/packetreceive both give them.
void set_publish(js_object& o, const publish& p) {
  o.set("topic", string_to_js(p.topic));
  o.set("payload", bytes_to_js(p.payload));
  o.set("qos", static_cast<int>(p.qos));
  o.set("retain", p.retain);
  o.set("dup", p.dup);
  if (p.qos != qos::at_most_once) o.set("messageId", p.packet_id);
  if (!p.props.empty()) o.set("properties", properties_to_js(p.props));
}

}  // namespace

val message_to_js(const publish& p) {
  js_object o;
  set_publish(o, p);
  return o.value();
}

val event_to_js(const session_event& e) {
  return std::visit([](const auto& x) { return to_js(x); }, e);
}

const char* cmd_name(packet_type t) {
  switch (t) {
    case packet_type::connect: return "connect";
    case packet_type::connack: return "connack";
    case packet_type::publish: return "publish";
    case packet_type::puback: return "puback";
    case packet_type::pubrec: return "pubrec";
    case packet_type::pubrel: return "pubrel";
    case packet_type::pubcomp: return "pubcomp";
    case packet_type::subscribe: return "subscribe";
    case packet_type::suback: return "suback";
    case packet_type::unsubscribe: return "unsubscribe";
    case packet_type::unsuback: return "unsuback";
    case packet_type::pingreq: return "pingreq";
    case packet_type::pingresp: return "pingresp";
    case packet_type::disconnect: return "disconnect";
    case packet_type::auth: return "auth";
  }
  return "reserved";
}

namespace {

void set_properties(js_object& o, const properties& p) {
  if (!p.empty()) o.set("properties", properties_to_js(p));
}

val codes_to_js(const reason_code_list& codes) {
  val a = val::array();
  for (reason_code c : codes) a.call<void>("push", static_cast<int>(c));
  return a;
}

void fill(js_object& o, const connect& c, protocol_version) {
  o.set("protocolId", c.version == protocol_version::v31 ? "MQIsdp" : "MQTT");
  o.set("protocolVersion", static_cast<int>(c.version));
  o.set("clean", c.clean_start);
  o.set("keepalive", c.keep_alive);
  o.set("clientId", string_to_js(c.client_id));
  if (c.username) o.set("username", string_to_js(*c.username));
  if (c.password) o.set("password", bytes_to_js(*c.password));
  if (c.will) {
    js_object w;
    w.set("topic", string_to_js(c.will->topic));
    w.set("payload", bytes_to_js(c.will->payload));
    w.set("qos", static_cast<int>(c.will->qos));
    w.set("retain", c.will->retain);
    set_properties(w, c.will->props);
    o.set("will", w.value());
  }
  set_properties(o, c.props);
}

void fill(js_object& o, const connack& c, protocol_version v) {
  o.set("sessionPresent", c.session_present);
  if (v == protocol_version::v5) {
    o.set("reasonCode", static_cast<int>(c.code));
  } else {
    // The code on the wire (the codec maps 3.1.1's 1..5 onto reason codes).
    std::uint8_t rc = 0;
    (void)to_v311_connack(c.code, rc);
    o.set("returnCode", static_cast<int>(rc));
  }
  set_properties(o, c.props);
}

void fill(js_object& o, const publish& p, protocol_version) { set_publish(o, p); }

template <packet_type T>
void fill(js_object& o, const basic_pub_response<T>& r, protocol_version v) {
  o.set("messageId", r.packet_id);
  if (v == protocol_version::v5) o.set("reasonCode", static_cast<int>(r.code));
  set_properties(o, r.props);
}

void fill(js_object& o, const subscribe& s, protocol_version) {
  o.set("messageId", s.packet_id);
  val subs = val::array();
  for (const subscription& x : s.subscriptions) {
    js_object e;
    e.set("topic", string_to_js(x.filter));
    e.set("qos", static_cast<int>(x.options.max_qos));
    e.set("nl", x.options.no_local);
    e.set("rap", x.options.retain_as_published);
    e.set("rh", static_cast<int>(x.options.retain_handling));
    subs.call<void>("push", e.value());
  }
  o.set("subscriptions", subs);
  set_properties(o, s.props);
}

void fill(js_object& o, const suback& s, protocol_version) {
  o.set("messageId", s.packet_id);
  o.set("granted", codes_to_js(s.codes));
  set_properties(o, s.props);
}

void fill(js_object& o, const unsubscribe& u, protocol_version) {
  o.set("messageId", u.packet_id);
  val filters = val::array();
  for (std::string_view f : u.filters) filters.call<void>("push", string_to_js(f));
  o.set("unsubscriptions", filters);
  set_properties(o, u.props);
}

void fill(js_object& o, const unsuback& u, protocol_version v) {
  o.set("messageId", u.packet_id);
  if (v == protocol_version::v5) o.set("granted", codes_to_js(u.codes));
  set_properties(o, u.props);
}

void fill(js_object&, const pingreq&, protocol_version) {}
void fill(js_object&, const pingresp&, protocol_version) {}

/// DISCONNECT and AUTH: a reason code and properties on MQTT 5, nothing on 3.1.1.
void fill_code(js_object& o, reason_code code, const properties& props, protocol_version v) {
  if (v == protocol_version::v5) o.set("reasonCode", static_cast<int>(code));
  set_properties(o, props);
}
void fill(js_object& o, const disconnect& d, protocol_version v) {
  fill_code(o, d.code, d.props, v);
}
void fill(js_object& o, const auth& a, protocol_version v) { fill_code(o, a.code, a.props, v); }

}  // namespace

void set_packet(js_object& o, const packet& p, protocol_version v) {
  o.set("cmd", cmd_name(type_of(p)));
  std::visit([&](const auto& x) { fill(o, x, v); }, p);
}

}  // namespace mqttws::wasm

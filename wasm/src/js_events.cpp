#include "js_events.hpp"

#include <string>
#include <type_traits>
#include <variant>

#include "js_convert.hpp"

namespace mqttws::wasm {
namespace {

val codes_to_js(const std::vector<reason_code>& codes) {
  val a = val::array();
  for (reason_code c : codes) a.call<void>("push", static_cast<int>(c));
  return a;
}

val event(const connected_event& e) {
  val o = val::object();
  o.set("type", std::string("connect"));
  o.set("sessionPresent", e.session_present);
  o.set("assignedClientId", e.assigned_client_id);
  o.set("keepalive", static_cast<int>(e.keep_alive));
  o.set("receiveMaximum", static_cast<int>(e.receive_maximum));
  o.set("maximumPacketSize", static_cast<double>(e.maximum_packet_size));
  o.set("topicAliasMaximum", static_cast<int>(e.topic_alias_maximum));
  o.set("maximumQoS", static_cast<int>(e.maximum_qos));
  o.set("retainAvailable", e.retain_available);
  o.set("properties", to_js(e.properties.view()));
  return o;
}

val event(const disconnected_event& e) {
  val o = val::object();
  o.set("type", std::string("disconnect"));
  o.set("error", e.ec ? to_js(e.ec) : val::null());
  if (e.reason) o.set("reasonCode", static_cast<int>(*e.reason));
  if (!e.reason_string.empty()) o.set("reasonString", e.reason_string);
  if (!e.server_reference.empty()) o.set("serverReference", e.server_reference);
  o.set("willReconnect", e.will_reconnect);
  return o;
}

val event(const reconnecting_event& e) {
  val o = val::object();
  o.set("type", std::string("reconnect"));
  o.set("attempt", static_cast<double>(e.attempt));
  o.set("delay", static_cast<double>(e.delay.count()));
  o.set("endpoint", e.endpoint);
  return o;
}

val event(const message_event& e) {
  val o = to_js(e.message.view());
  o.set("type", std::string("message"));
  val subs = val::array();
  for (operation_id id : e.subscriptions) subs.call<void>("push", static_cast<double>(id));
  o.set("subscriptions", subs);
  return o;
}

val event(const operation_event& e) {
  static const char* const kinds[] = {"publish", "subscribe", "unsubscribe", "request"};
  val o = val::object();
  o.set("type", std::string("operation"));
  o.set("id", static_cast<double>(e.id));
  o.set("kind", std::string(kinds[static_cast<int>(e.kind)]));
  o.set("error", e.ec ? to_js(e.ec) : val::null());
  o.set("reasonCodes", codes_to_js(e.codes));
  if (!e.reason_string.empty()) o.set("reasonString", e.reason_string);
  if (!e.response.empty()) o.set("response", to_js(e.response.view()));
  return o;
}

val event(const auth_event& e) {
  val o = val::object();
  o.set("type", std::string("auth"));
  o.set("reasonCode", static_cast<int>(e.code));
  o.set("properties", to_js(e.properties.view()));
  return o;
}

}  // namespace

val to_js(const publish& p) {
  val o = val::object();
  o.set("topic", std::string(p.topic));
  o.set("payload", to_uint8array(p.payload));
  o.set("qos", static_cast<int>(p.qos));
  o.set("retain", p.retain);
  o.set("dup", p.dup);
  if (p.qos != qos::at_most_once) o.set("messageId", static_cast<int>(p.packet_id));
  if (!p.props.empty()) o.set("properties", to_js(p.props));
  return o;
}

val to_js(const session_event& e) {
  return std::visit([](const auto& x) { return event(x); }, e);
}

}  // namespace mqttws::wasm

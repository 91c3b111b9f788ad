#include "events.hpp"

#include <variant>

namespace mqttws::wasm {
namespace {

void write_publish(record_writer& w, const publish& p) {
  w.str(p.topic);
  w.str(p.payload);
  w.u8(static_cast<unsigned>(p.qos));
  w.u8(p.retain);
  w.u8(p.dup);
  w.num(p.packet_id);
  if (p.props.empty()) {
    w.str({});
  } else {
    w.props(p.props, property_context::publish);
  }
}

void write_owned(record_writer& w, const owned_properties& p) {
  const std::vector<std::uint8_t>& b = p.bytes();
  w.str(std::string_view(reinterpret_cast<const char*>(b.data()), b.size()));
}

void write(record_writer& w, const connected_event& e) {
  w.u8(static_cast<unsigned>(kind::connect));
  w.u8(e.session_present);
  w.str(e.assigned_client_id);
  w.num(e.keep_alive);
  w.num(e.receive_maximum);
  w.num(e.maximum_packet_size);
  w.num(e.topic_alias_maximum);
  w.u8(static_cast<unsigned>(e.maximum_qos));
  w.u8(e.retain_available);
  write_owned(w, e.properties);
}

void write(record_writer& w, const disconnected_event& e) {
  w.u8(static_cast<unsigned>(kind::disconnect));
  w.error(e.ec);
  w.num(e.reason ? static_cast<double>(*e.reason) : -1);
  w.str(e.reason_string);
  w.str(e.server_reference);
  w.u8(e.will_reconnect);
}

void write(record_writer& w, const reconnecting_event& e) {
  w.u8(static_cast<unsigned>(kind::reconnect));
  w.num(e.attempt);
  w.num(static_cast<double>(e.delay.count()));
  w.str(e.endpoint);
}

void write(record_writer& w, const message_event& e) {
  w.u8(static_cast<unsigned>(kind::message));
  write_publish(w, e.message.view());
  w.num(static_cast<double>(e.subscriptions.size()));
  for (operation_id id : e.subscriptions) w.num(static_cast<double>(id));
}

void write(record_writer& w, const operation_event& e) {
  w.u8(static_cast<unsigned>(kind::operation));
  w.num(static_cast<double>(e.id));
  w.u8(static_cast<unsigned>(e.kind));
  w.error(e.ec);
  w.num(static_cast<double>(e.codes.size()));
  for (reason_code c : e.codes) w.u8(static_cast<unsigned>(c));
  w.str(e.reason_string);
  w.u8(!e.response.empty());
  if (!e.response.empty()) write_publish(w, e.response.view());
}

void write(record_writer& w, const auth_event& e) {
  w.u8(static_cast<unsigned>(kind::auth));
  w.u8(static_cast<unsigned>(e.code));
  write_owned(w, e.properties);
}

}  // namespace

void write_event(record_writer& w, const session_event& e) {
  std::visit([&w](const auto& x) { write(w, x); }, e);
}

}  // namespace mqttws::wasm

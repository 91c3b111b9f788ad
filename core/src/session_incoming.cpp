// Packets we receive: dispatch by state, incoming publishes (QoS flows, topic aliases, Receive
// Maximum, delivery and routing), subscriptions and their acknowledgements, request replies.
#include <algorithm>

#include "mqttws/error.hpp"
#include "session_impl.hpp"
#include "wire.hpp"

namespace mqttws {

void session::impl::on_packet(packet& p) {
  const bool connecting = state == session_state::awaiting_connack;
  // Before CONNACK only CONNACK and AUTH may arrive (MQTT-3.2.0-1 from the client's view).
  if (connecting && !std::holds_alternative<connack>(p) && !std::holds_alternative<auth>(p)) {
    close_with(errc::protocol_violation, reason_code::protocol_error);
    return;
  }
  if (auto* c = std::get_if<connack>(&p)) return on_connack(*c);
  if (auto* x = std::get_if<mqttws::publish>(&p)) return on_publish(*x);
  if (auto* x = std::get_if<puback>(&p)) return on_puback(*x);
  if (auto* x = std::get_if<pubrec>(&p)) return on_pubrec(*x);
  if (auto* x = std::get_if<pubrel>(&p)) return on_pubrel(*x);
  if (auto* x = std::get_if<pubcomp>(&p)) return on_pubcomp(*x);
  if (auto* x = std::get_if<suback>(&p)) return on_suback(*x);
  if (auto* x = std::get_if<unsuback>(&p)) return on_unsuback(*x);
  if (std::holds_alternative<pingresp>(p)) {
    if (auto rtt = keeping_alive.pingresp(now)) counters.last_ping_rtt = *rtt;
    return;
  }
  if (auto* d = std::get_if<mqttws::disconnect>(&p)) {
    const reason_code code = d->code;
    std::string server_reference(d->props.server_reference.value_or(""));
    if ((code == reason_code::use_another_server || code == reason_code::server_moved) &&
        !server_reference.empty()) {
      reconnecting.redirect_to(server_reference);
    }
    const bool fatal = code == reason_code::not_authorized || code == reason_code::banned ||
                       code == reason_code::session_taken_over ||
                       code == reason_code::bad_authentication_method;
    actions.push_back({transport_action::kind::close, {}});
    // Copied before connection_lost() resets the decoder the views point into.
    owned_properties props = keep(d->props, property_context::disconnect);
    connection_lost(errc::server_disconnected, code,
                    std::string(d->props.reason_string.value_or("")), std::move(server_reference),
                    !fatal, std::move(props));
    return;
  }
  if (auto* a = std::get_if<auth>(&p)) {
    // AUTH continues a handshake or a re-authentication we started; success ends the latter.
    const bool ok = a->code == reason_code::continue_authentication ||
                    (a->code == reason_code::success && !connecting);
    if (!ok || !config.authentication_method) {
      close_with(errc::protocol_violation, reason_code::protocol_error);
      return;
    }
    auth_event e;
    e.code = a->code;
    (void)owned_properties::make(a->props, property_context::auth, e.properties);
    emit(std::move(e));
    return;
  }
  // CONNECT, SUBSCRIBE, UNSUBSCRIBE and PINGREQ only ever go from client to server.
  close_with(errc::protocol_violation, reason_code::protocol_error);
}

void session::impl::on_publish(const mqttws::publish& p) {
  std::string_view topic = p.topic;
  if (p.props.topic_alias) {
    // 3.3.2.3.4: 0 and anything above the maximum we announced are Protocol Errors, and
    // so is an alias used before it was set.
    switch (aliases_in.resolve(*p.props.topic_alias, topic)) {
      case alias_in::outcome::ok: break;
      case alias_in::outcome::out_of_range:
        close_with(errc::topic_alias_invalid, reason_code::topic_alias_invalid);
        return;
      case alias_in::outcome::unknown:
        close_with(errc::topic_alias_invalid, reason_code::protocol_error);
        return;
    }
  }
  if (p.qos != qos::at_most_once) receiving.received();
  switch (p.qos) {
    case qos::at_most_once:
      deliver(p, topic);
      break;
    case qos::at_least_once:
      deliver(p, topic);
      send(puback{p.packet_id, reason_code::success, {}});
      break;
    case qos::exactly_once:
      // Delivered once on the first PUBLISH, then remembered until PUBREL, so a resent
      // PUBLISH is acknowledged again but not delivered again (4.3.3, method B).
      if (!incoming_qos2.count(p.packet_id)) {
        if (incoming_qos2.size() >= our_receive_maximum()) {
          close_with(errc::receive_maximum_exceeded, reason_code::receive_maximum_exceeded);
          return;
        }
        // Remembered durably before it is delivered and acknowledged, or a restart would
        // deliver the broker's resend a second time.
        if (!store_ok(store->save_incoming(p.packet_id))) return;
        incoming_qos2.insert(p.packet_id);
        deliver(p, topic);
      }
      send(pubrec{p.packet_id, reason_code::success, {}});
      break;
  }
}

void session::impl::deliver(const mqttws::publish& p, std::string_view topic) {
  counters.messages_received++;
  // The user gets the full topic and no alias (aliases mean nothing outside this
  // connection), nor the Subscription Identifiers the session assigned itself (routing aids
  // the user never asked for); theirs stay.
  std::vector<std::uint32_t> own, theirs;
  for (std::uint32_t id : p.props.subscription_identifiers) {
    (subscriptions.own_id(id) ? own : theirs).push_back(id);
  }
  // Usually the packet as it arrived is the message: its bytes are taken over (less those
  // identifiers), not encoded again; an alias (replaced by the topic) makes a new encoding.
  // The decoder's last packet is p's own bytes: deliver() runs for the packet the decoder
  // just returned (and p's topic lying inside them says so).
  const std::string_view raw = decoder.last_packet();
  const bool as_received = !p.props.topic_alias && !raw.empty() &&
                           p.topic.data() >= raw.data() &&
                           p.topic.data() + p.topic.size() <= raw.data() + raw.size();
  owned_publish msg;
  std::error_code ec;
  if (as_received) {
    ec = owned_publish::adopt_received(raw, config.version, own.data(), own.size(), msg);
  } else {
    mqttws::publish copy = p;
    copy.topic = topic;
    copy.props.topic_alias.reset();
    if (!own.empty()) {
      copy.props.subscription_identifiers = subscription_id_list(theirs.data(), theirs.size());
    }
    ec = owned_publish::make(copy, config.version, msg);
  }
  if (ec) return;  // cannot happen for a decoded packet

  if (p.props.correlation_data) {
    if (operation_id op = requests.answer(*p.props.correlation_data, topic)) {
      operation_event e;
      e.id = op;
      e.kind = operation_kind::request;
      e.response = std::move(msg);
      emit(std::move(e));
      return;
    }
  }
  message_event e;
  e.message = std::move(msg);
  subscriptions.route(topic, p.props.subscription_identifiers, e.subscriptions);
  emit(std::move(e));
}

void session::impl::on_pubrel(const pubrel& p) {
  if (incoming_qos2.count(p.packet_id)) {
    // Forgotten durably before PUBCOMP: a stale id would make a later message that reuses
    // it look like a duplicate after a restart, and it would never be delivered.
    if (!store_ok(store->remove_incoming(p.packet_id))) return;
    incoming_qos2.erase(p.packet_id);
    send(pubcomp{p.packet_id, reason_code::success, {}});
  } else {
    // Already released (our PUBCOMP was lost) or never seen.
    send(pubcomp{p.packet_id,
                 is_v5() ? reason_code::packet_identifier_not_found : reason_code::success,
                 {}});
  }
}

std::optional<sub_command> session::impl::take_answered(std::uint16_t packet_id,
                                                         operation_kind kind,
                                                         std::optional<std::size_t> code_count) {
  std::optional<sub_command> c;
  // An acknowledgement for no command of ours (a broker's stale state after a resume, or a
  // duplicate) changes nothing: ignored, as MQTT.js and mosquitto's clients do. One that
  // contradicts the command it answers is a protocol error.
  switch (commands.take_answered(packet_id, kind, code_count, c)) {
    case command_flow::answer::ours:
      ids.release(packet_id);
      return c;
    case command_flow::answer::contradicts:
      close_with(errc::protocol_violation, reason_code::protocol_error);
      return std::nullopt;
    case command_flow::answer::unknown:
      break;
  }
  return std::nullopt;
}

void session::impl::on_suback(const suback& p) {
  std::optional<sub_command> answered =
      take_answered(p.packet_id, operation_kind::subscribe, p.codes.size());
  if (!answered) return;
  sub_command& c = *answered;

  // Granted filters are kept for resubscription; refused ones end, a resubscription's too.
  std::vector<reason_code> codes(p.codes.begin(), p.codes.end());
  subscription_book::ended_list ended;
  subscriptions.answered(c.op, c.filters, codes, ended);
  if (!c.internal && !c.replay) {
    complete(c.op, operation_kind::subscribe, {}, std::move(codes),
             keep(p.props, property_context::suback));
  }
  report(std::move(ended));
}

void session::impl::on_unsuback(const unsuback& p) {
  // A 3.1.1 UNSUBACK carries no codes to count.
  std::optional<sub_command> answered =
      take_answered(p.packet_id, operation_kind::unsubscribe,
                    is_v5() ? std::optional<std::size_t>(p.codes.size()) : std::nullopt);
  if (!answered) return;
  const sub_command& c = *answered;

  // 3.1.1 UNSUBACK has no codes: the broker always removes the filters, so each one is
  // reported as success and callers see one code per filter in both versions.
  std::vector<reason_code> codes(p.codes.begin(), p.codes.end());
  if (!is_v5()) codes.assign(c.filters.size(), reason_code::success);
  subscription_book::ended_list ended;
  for (std::size_t i = 0; i < c.filters.size(); ++i) {
    // "No subscription existed" also means the filter is gone.
    if (!is_success(codes[i])) continue;
    subscriptions.unsubscribed(c.filters[i], c.op, codes[i], ended);
    requests.unsubscribed(c.filters[i]);
  }
  complete(c.op, operation_kind::unsubscribe, {}, std::move(codes),
           keep(p.props, property_context::unsuback));
  report(std::move(ended));
}

void session::impl::send_command(sub_command&& c) {
  std::uint16_t id;
  if (!online() || !ids.allocate(id)) {
    commands.wait(std::move(c));  // for a connection, or for a free identifier
    return;
  }
  std::vector<std::uint8_t> bytes;
  std::error_code ec;
  if (c.kind == operation_kind::subscribe) {
    std::vector<subscription> subs;
    for (std::size_t i = 0; i < c.filters.size(); ++i) subs.push_back({c.filters[i], c.options[i]});
    mqttws::subscribe s;
    s.packet_id = id;
    s.subscriptions = subs;
    s.props = c.props.view();
    // Our own identifier is only a routing aid: a broker without Subscription Identifier
    // Available would take it as a protocol error (0xA1), so it is left out there.
    if (c.own_id && !broker_subscription_ids) s.props.subscription_identifiers = {};
    ec = encode(s, config.version, bytes);
  } else {
    std::vector<std::string_view> filters(c.filters.begin(), c.filters.end());
    mqttws::unsubscribe u;
    u.packet_id = id;
    u.filters = filters;
    u.props = c.props.view();
    ec = encode(u, config.version, bytes);
  }
  if (!ec && bytes.size() > broker_maximum_packet_size) ec = errc::packet_too_large;
  if (ec) {
    ids.release(id);
    if (!c.internal && !c.replay) complete(c.op, c.kind, ec);
    // Nothing was subscribed: the filters' routes end (a resubscription's included).
    subscription_book::ended_list ended;
    if (c.kind == operation_kind::subscribe) subscriptions.not_sent(c.op, c.filters, ended);
    report(std::move(ended));
    return;
  }
  put_encoded(bytes);
  commands.sent(id, std::move(c));
}

void session::impl::resubscribe() {
  // The broker lost the session, and with it our subscriptions (3.2.2.1.2): make them again,
  // in the order they were made, under their operations. Collected first: a resubscription
  // that cannot be sent ends filters, which changes the book.
  std::vector<sub_command> replays;
  subscriptions.each_granted([&replays](operation_id op, const subscription_book::subscription& s,
                                        const std::vector<const subscription_book::filter_entry*>& granted) {
    sub_command& again = replays.emplace_back();
    again.op = op;
    again.internal = s.internal;
    again.replay = true;
    again.own_id = s.own_id;
    again.props = s.props;
    for (const subscription_book::filter_entry* e : granted) {
      again.filters.push_back(e->filter);
      again.options.push_back(e->options);
    }
  });
  for (sub_command& c : replays) send_command(std::move(c));
}

void session::impl::fail_request(operation_id op, std::error_code ec) {
  if (requests.remove(op)) complete(op, operation_kind::request, ec);
}

}  // namespace mqttws

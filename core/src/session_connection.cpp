// Connections: opening, CONNECT/CONNACK, keepalive, losses, reconnection with backoff over
// the endpoint list, server redirects, and the one timer.
#include <algorithm>

#include "mqttws/error.hpp"
#include "connect_view.hpp"
#include "session_impl.hpp"
#include "wire.hpp"

namespace mqttws {
namespace {

// Refusals that the same CONNECT would get again: reconnecting cannot help, so the session
// ends instead of hammering the broker.
bool is_fatal(reason_code c) {
  switch (c) {
    case reason_code::unsupported_protocol_version:
    case reason_code::client_identifier_not_valid:
    case reason_code::bad_user_name_or_password:
    case reason_code::not_authorized:
    case reason_code::banned:
    case reason_code::bad_authentication_method:
    case reason_code::session_taken_over:  // another client took the id: do not fight over it
      return true;
    default:
      return false;
  }
}

bool is_redirect(reason_code c) {
  return c == reason_code::use_another_server || c == reason_code::server_moved;
}

}  // namespace

void session::impl::begin_attempt() {
  const std::string& endpoint = reconnecting.begin_attempt();
  state = session_state::connecting;
  connect_deadline = now + config.connect_timeout;
  actions.push_back({transport_action::kind::open, endpoint});
}

void session::impl::send_connect() {
  if (state != session_state::connecting) return;  // a late open after a timeout or close
  decoder.reset();
  decoder.set_protocol_version(config.version);
  decoder.set_maximum_packet_size(our_maximum_packet_size());
  drop_unwritten(errc::session_closed);  // nothing of an earlier connection goes on this one

  // The first connection asks what the options say; later ones resume a persistent session
  // and start afresh otherwise.
  connect_view c(config, ever_connected ? !persistent : config.clean_start);
  clean_start_sent = c.packet.clean_start;
  if (is_v5() && receiving.reduced()) c.packet.props.receive_maximum = receiving.advertised();
  state = session_state::awaiting_connack;
  send(c.packet);
}

void session::impl::on_connack(const connack& p) {
  if (state != session_state::awaiting_connack) {
    close_with(errc::protocol_violation, reason_code::protocol_error);
    return;
  }
  const std::string reason_string(p.props.reason_string.value_or(""));
  const std::string server_reference(p.props.server_reference.value_or(""));
  if (!is_success(p.code)) {
    if (is_redirect(p.code) && !server_reference.empty()) {
      reconnecting.redirect_to(server_reference);
    }
    actions.push_back({transport_action::kind::close, {}});
    connection_lost(errc::connection_refused, p.code, reason_string, server_reference,
                    config.reconnect_after_refusal || !is_fatal(p.code),
                    keep(p.props, property_context::connack));
    return;
  }
  // MQTT-3.2.2-4 (5.0) / 3.2.2-1 (3.1.1): a clean start never finds a session present.
  if (clean_start_sent && p.session_present) {
    close_with(errc::protocol_violation, reason_code::protocol_error);
    return;
  }

  state = session_state::connected;
  ever_connected = true;
  reconnecting.connected();
  counters.connections++;

  const properties& pr = p.props;
  broker_receive_maximum = pr.receive_maximum.value_or(65535);
  // Every connection starts pacing afresh: whatever the last one carried says nothing about
  // this one (a link that failed may fail again after a few bytes).
  sending.start(broker_receive_maximum);
  receiving.connected(now);
  broker_maximum_packet_size = pr.maximum_packet_size.value_or(max_packet_size);
  aliases_out.reset(is_v5() && config.auto_topic_alias ? pr.topic_alias_maximum.value_or(0) : 0);
  broker_maximum_qos = pr.maximum_qos.value_or(qos::exactly_once);
  broker_retain_available = pr.retain_available.value_or(true);
  keeping_alive.start(pr.server_keep_alive.value_or(config.keep_alive));
  if (pr.assigned_client_identifier) {
    config.client_id = std::string(*pr.assigned_client_identifier);
  }
  response_information = std::string(pr.response_information.value_or(""));
  aliases_in.reset();

  connected_event e;
  e.session_present = p.session_present;
  e.assigned_client_id = std::string(pr.assigned_client_identifier.value_or(""));
  e.keep_alive = keeping_alive.in_force();
  e.receive_maximum = broker_receive_maximum;
  e.maximum_packet_size = broker_maximum_packet_size;
  e.topic_alias_maximum = pr.topic_alias_maximum.value_or(0);
  e.maximum_qos = broker_maximum_qos;
  e.retain_available = broker_retain_available;
  e.wildcard_subscription_available = pr.wildcard_subscription_available.value_or(true);
  e.subscription_identifiers_available = pr.subscription_identifier_available.value_or(true);
  broker_subscription_ids = e.subscription_identifiers_available;
  e.shared_subscription_available = pr.shared_subscription_available.value_or(true);
  (void)owned_properties::make(pr, property_context::connack, e.properties);
  emit(std::move(e));

  // Session state first (MQTT-4.4.0-1: resend in-flight PUBLISH and PUBREL in order), then
  // subscriptions, then whatever waited for this connection.
  resume_inflight(p.session_present);
  if (!p.session_present) resubscribe();
  while (commands.has_waiting() && online()) send_command(commands.next());
  send_queued();
}

void session::impl::close_with(std::error_code ec, reason_code reason) {
  if (state != session_state::connected && state != session_state::awaiting_connack) return;
  // MQTT 5 tells the broker why (4.13); 3.1.1 just closes.
  if (is_v5()) {
    mqttws::disconnect d;
    d.code = reason;
    // Not send(): its failure path comes back here.
    (void)put(d);
  }
  actions.push_back({transport_action::kind::close, {}});
  connection_lost(ec);
}

void session::impl::transport_gone(std::error_code ec) {
  if (state == session_state::disconnecting) {
    // The close we asked for: the session ends here.
    state = session_state::closed;
    disconnected_event e;
    emit(std::move(e));
    return;
  }
  if (state != session_state::connecting && state != session_state::awaiting_connack &&
      state != session_state::connected) {
    return;  // already handled (we closed it ourselves) or never open
  }
  drop_unwritten(ec);
  connection_lost(ec);
}

void session::impl::connection_lost(std::error_code ec, std::optional<reason_code> reason,
                                    std::string reason_string, std::string server_reference,
                                    bool may_reconnect, owned_properties props) {
  const bool was_connected = state == session_state::connected;
  if (was_connected && ec) receiving.lost(now);
  decoder.reset();
  keeping_alive.stop();
  aliases_out.reset(0);
  // SUBSCRIBE/UNSUBSCRIBE without an answer are sent again on the next connection (they are
  // idempotent); in-flight PUBLISH keep their identifiers for the resume.
  std::vector<std::uint16_t> released;
  commands.unanswered_wait_again(released);
  for (std::uint16_t id : released) ids.release(id);

  // reconnect() asks for one attempt even when reconnecting is off. A drain ends with the
  // connection it waited on: reconnecting would only resend what the user is ending.
  const bool again = !draining && reconnecting.will_retry(may_reconnect);
  disconnected_event e;
  e.ec = ec;
  e.reason = reason;
  e.reason_string = std::move(reason_string);
  e.server_reference = std::move(server_reference);
  e.will_reconnect = again;
  e.properties = std::move(props);
  emit(std::move(e));
  if (again) {
    schedule_reconnect(was_connected);
  } else {
    // The operations did not fail themselves: the session ended under them. Why it ended is
    // in the disconnected_event just emitted.
    end_session();
  }
}

void session::impl::schedule_reconnect(bool after_established) {
  reconnecting_event e;
  e.delay = reconnecting.schedule(now, after_established);
  e.attempt = reconnecting.attempts();
  e.endpoint = reconnecting.upcoming_endpoint();
  state = session_state::waiting_to_reconnect;
  emit(std::move(e));
}

void session::impl::end_session() {
  state = session_state::closed;
  draining.reset();
  reconnecting.cancel();
  fail_pending(errc::session_closed);
  if (!persistent) (void)store->clear();
}

void session::impl::keepalive_tick() {
  switch (keeping_alive.due(now)) {
    case keepalive::action::timed_out:
      // No PINGRESP: the connection is half-open (MQTT-3.1.2-24 from our side).
      actions.push_back({transport_action::kind::close, {}});
      connection_lost(errc::keep_alive_timeout);
      break;
    case keepalive::action::send_ping:
      // MQTT-3.1.2-23: a control packet within every keep alive period; PINGREQ when idle —
      // even while an earlier PINGREQ is unanswered, or the broker would drop us at 1.5 x
      // Keep Alive.
      if (send(pingreq{})) keeping_alive.ping_sent(now);
      break;
    case keepalive::action::none:
      break;
  }
}

void session::impl::on_timer() {
  switch (state) {
    case session_state::waiting_to_reconnect:
      if (reconnecting.due() && now >= *reconnecting.due()) begin_attempt();
      break;
    case session_state::connecting:
    case session_state::awaiting_connack:
      if (now >= connect_deadline) {
        actions.push_back({transport_action::kind::close, {}});
        connection_lost(errc::connect_timeout);
      }
      break;
    case session_state::connected:
      keepalive_tick();
      break;
    default:
      break;
  }
  std::vector<operation_id> expired;
  requests.expire(now, expired);
  for (operation_id op : expired) complete(op, operation_kind::request, errc::request_timeout);
  expire_queued();
  continue_drain();  // its deadline, or the expiry of the last message it waited for
}

std::optional<time_point> session::impl::deadline() const {
  std::optional<time_point> t;
  auto consider = [&t](time_point x) {
    if (!t || x < *t) t = x;
  };
  switch (state) {
    case session_state::waiting_to_reconnect:
      if (reconnecting.due()) consider(*reconnecting.due());
      break;
    case session_state::connecting:
    case session_state::awaiting_connack:
      consider(connect_deadline);
      break;
    case session_state::connected:
      if (auto ping = keeping_alive.deadline()) consider(*ping);
      break;
    default:
      break;
  }
  if (auto reply = requests.deadline()) consider(*reply);
  if (const std::optional<time_point> e = flow.earliest_expiry()) consider(*e);
  if (draining) consider(draining->deadline);
  return t;
}

}  // namespace mqttws

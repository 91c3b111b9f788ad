// The session's public surface: construction, validation, commands, and the pull outputs.
// The state machine's behaviour lives in session_connection.cpp (connections, timers),
// session_outgoing.cpp (publishes we send) and session_incoming.cpp (packets we receive).
#include "mqttws/session.hpp"

#include <algorithm>
#include <type_traits>

#include "connect_view.hpp"
#include "session_impl.hpp"
#include "transient_store.hpp"
#include "wire.hpp"

namespace mqttws {

std::string_view to_string(session_state s) noexcept {
  switch (s) {
    case session_state::idle: return "idle";
    case session_state::connecting: return "connecting";
    case session_state::awaiting_connack: return "awaiting_connack";
    case session_state::connected: return "connected";
    case session_state::waiting_to_reconnect: return "waiting_to_reconnect";
    case session_state::disconnecting: return "disconnecting";
    case session_state::closed: return "closed";
  }
  return "unknown";
}

namespace {

bool is_persistent(const session_config& c) {
  if (c.version == protocol_version::v5) return c.session_expiry_interval.value_or(0) > 0;
  return !c.clean_start;
}

}  // namespace

std::error_code session::validate(const session_config& o) {
  if (o.endpoints.empty()) return errc::invalid_options;
  if (o.connect_timeout <= duration::zero() || o.ping_timeout < duration::zero()) {
    return errc::invalid_options;
  }
  // The backoff clamps bad values for its own safety, but a session refuses them: a
  // multiplier below 1, jitter outside [0, 1] (NaN fails both) or an initial delay above the
  // maximum is a configuration mistake the user should hear about, not have quietly fixed.
  const backoff_options& b = o.backoff;
  if (b.initial_delay < duration::zero() || b.max_delay < duration::zero() ||
      b.initial_delay > b.max_delay || !(b.multiplier >= 1.0) || !(b.jitter >= 0.0) ||
      !(b.jitter <= 1.0)) {
    return errc::invalid_options;
  }
  const connect_view c(o, o.clean_start);
  if (o.version != protocol_version::v5) {
    if (!c.packet.props.empty() || (c.packet.will && !c.packet.will->props.empty())) {
      return errc::properties_require_v5;
    }
    // MQTT-3.1.3-7: a 3.1.1 client with an empty identifier must ask for a clean session.
    if (o.client_id.empty() && !o.clean_start) return errc::invalid_options;
  }
  std::size_t size = 0;
  return encoded_size(c.packet, o.version, size);
}

std::error_code session::validate(const session_options& o) {
  session_config c;
  const std::error_code conversion = to_session_config(o, c);
  // validate()'s own checks come first: they are what the view-based options were always
  // checked for first (a property the conversion drops would otherwise hide them).
  const std::error_code ec = validate(c);
  return ec ? ec : conversion;
}

session::impl::impl(session_config c, session_store* s, std::error_code conversion_error)
    : config(std::move(c)),
      store(s),
      decoder(config.version),
      keeping_alive(config.ping_timeout),
      sending(config.initial_send_window),
      receiving(config.receive_maximum.value_or(65535), config.adaptive_receive_maximum),
      reconnecting(config.endpoints, config.backoff, config.reconnect),
      aliases_in(config.topic_alias_maximum.value_or(0)),
      subscriptions(config.report_subscription_ends) {
  options_error = session::validate(config);
  if (!options_error) options_error = conversion_error;
  persistent = is_persistent(config);
  counters.state = state;

  if (!store) {
    own_store = std::make_unique<transient_store>();
    store = own_store.get();
  }
  // Resume what a previous process left in a persistent store: its messages keep their
  // stage and packet identifiers and are resent after the next CONNACK (or discarded by a
  // clean start in connect()).
  std::vector<stored_publish> messages;
  std::vector<std::uint16_t> incoming;
  if (std::error_code ec = store->load(messages, incoming)) {
    if (!options_error) options_error = ec;
    return;
  }
  for (stored_publish& m : messages) {
    outgoing out;
    out.sequence = m.sequence;
    out.stage = m.state;
    // Never reused, even for an entry skipped below: a new message with its sequence would
    // replace it in the store (stored_publish::sequence is unique).
    flow.sequence_seen(m.sequence);
    const auto stored_version = static_cast<protocol_version>(m.version);
    if (owned_publish::adopt(std::move(m.packet), stored_version, out.message)) {
      continue;  // unreadable: nothing can be sent from it
    }
    if (stored_version != config.version) {
      // Stored by a session of another protocol version (the application changed it between
      // runs): those bytes would be a malformed packet on this connection. Encode it again;
      // a message that cannot be (MQTT 5 properties for 3.1.1) cannot be sent at all.
      owned_publish again;
      if (owned_publish::make(out.message.view(), config.version, again)) continue;
      out.message = std::move(again);
    }
    if (out.stage != stored_publish::stage::queued && ids.claim(m.packet_id)) {
      out.message.set_packet_id(m.packet_id);
      flow.put_in_flight(std::move(out));
    } else {
      // Never sent, or a store that holds an identifier twice: the message goes out again as
      // a new one rather than be lost or collide.
      out.stage = stored_publish::stage::queued;
      flow.push(std::move(out));
    }
  }
  incoming_qos2.insert(incoming.begin(), incoming.end());
}

session::session(const session_options& options, session_store* store) {
  session_config c;
  const std::error_code conversion = to_session_config(options, c);
  impl_ = std::make_unique<impl>(std::move(c), store, conversion);
}
session::session(session_config config, session_store* store)
    : impl_(std::make_unique<impl>(std::move(config), store, std::error_code())) {}
session::~session() = default;
session::session(session&&) noexcept = default;
session& session::operator=(session&&) noexcept = default;

std::error_code session::connect(time_point now) {
  impl& d = *impl_;
  d.now = now;
  if (d.options_error) return d.options_error;
  if (d.state != session_state::idle) return errc::invalid_state;
  if (d.config.clean_start) {
    // A clean start discards the session state a previous process stored; messages published
    // on this object before connect() are not session state yet and stay queued.
    // Before connect() nothing is in flight but what the store held.
    while (!d.flow.in_flight().empty()) {
      const impl::outgoing m = d.flow.take_in_flight(d.flow.inflight_begin());
      d.ids.release(m.message.view().packet_id);
      (void)d.store->remove(m.sequence);
    }
    for (auto it = d.flow.queued_begin(); it != d.flow.queued_end();) {
      if (it->op == 0 && it->request_op == 0) {
        const impl::outgoing m = d.flow.take(it);
        (void)d.store->remove(m.sequence);
      } else {
        ++it;
      }
    }
    for (std::uint16_t id : d.incoming_qos2) (void)d.store->remove_incoming(id);
    d.incoming_qos2.clear();
  }
  d.begin_attempt();
  return {};
}

result<operation_id> session::publish(const mqttws::publish& p, time_point now) {
  impl& d = *impl_;
  MQTTWS_TRY(d.begin_command(now));
  const operation_id op = d.next_op;
  impl::outgoing m;
  m.op = op;
  MQTTWS_TRY(d.prepare(p, m));
  MQTTWS_TRY(d.enqueue(std::move(m)));  // its last check, then its first change
  d.next_op++;
  d.send_queued();
  return op;
}

template <class Packet>
std::error_code session::impl::prepare_command(Packet probe, sub_command& c) const {
  probe.packet_id = 1;  // the placeholder: the real one is assigned when it is sent
  MQTTWS_TRY(encodes(probe));
  constexpr bool sub = std::is_same_v<Packet, mqttws::subscribe>;
  c.kind = sub ? operation_kind::subscribe : operation_kind::unsubscribe;
  return owned_properties::make(
      probe.props, sub ? property_context::subscribe : property_context::unsubscribe, c.props);
}

operation_id session::impl::issue(sub_command&& c) {
  const operation_id op = c.op;
  send_command(std::move(c));
  return op;
}

result<operation_id> session::subscribe(subscription_list subscriptions, const properties& props,
                                        time_point now) {
  impl& d = *impl_;
  MQTTWS_TRY(d.begin_command(now));
  mqttws::subscribe probe;
  probe.subscriptions = subscriptions;
  probe.props = props;
  // The session's own Subscription Identifier, unless the caller chose one (or the broker
  // cannot take one, or none is left).
  std::uint32_t own_id = 0;
  if (d.is_v5() && d.config.auto_subscription_identifiers && props.subscription_identifiers.empty() &&
      d.broker_subscription_ids) {
    own_id = d.subscriptions.next_own_id();
    if (own_id != 0) probe.props.subscription_identifiers = subscription_id_list(&own_id, 1);
  }
  sub_command c;
  MQTTWS_TRY(d.prepare_command(probe, c));

  c.op = d.next_op++;
  c.own_id = own_id != 0;
  subscription_book::subscription book_entry;
  for (const subscription& s : subscriptions) {
    c.filters.emplace_back(s.filter);
    c.options.push_back(s.options);
    book_entry.filters.push_back({std::string(s.filter), s.options, false});
  }
  book_entry.props = c.props;
  book_entry.own_id = c.own_id;
  // Routes exist from now on: retained messages may arrive right after the SUBACK.
  d.subscriptions.add(c.op, std::move(book_entry));
  return d.issue(std::move(c));
}

result<operation_id> session::unsubscribe(topic_filter_list filters, const properties& props,
                                          time_point now) {
  impl& d = *impl_;
  MQTTWS_TRY(d.begin_command(now));
  mqttws::unsubscribe probe;
  probe.filters = filters;
  probe.props = props;
  sub_command c;
  MQTTWS_TRY(d.prepare_command(probe, c));

  c.op = d.next_op++;
  for (std::string_view f : filters) c.filters.emplace_back(f);
  return d.issue(std::move(c));
}

result<operation_id> session::request(const mqttws::publish& p, duration timeout,
                                      time_point now) {
  impl& d = *impl_;
  d.now = now;
  if (!d.is_v5()) return errc::properties_require_v5;
  MQTTWS_TRY(d.begin_command(now));
  const operation_id op = d.next_op;
  // Only looked at: a refused request takes no number (nor anything else).
  const std::string n = d.requests.peek_number();

  // The response topic: the caller's, or "{prefix}/{n}" under a prefix the session
  // subscribes to once with a wildcard.
  std::string response_topic, filter;
  if (p.props.response_topic) {
    response_topic = std::string(*p.props.response_topic);
    filter = response_topic;
  } else {
    std::string prefix(d.config.response_topic_prefix);
    if (prefix.empty()) prefix = d.response_information;
    if (prefix.empty()) prefix = "mqttws/response/" + d.config.client_id;
    response_topic = prefix + "/" + n;
    filter = prefix + "/+";
  }
  std::string correlation = p.props.correlation_data
                                ? std::string(*p.props.correlation_data)
                                : "mqttws-request-" + n;
  if (d.requests.waiting(correlation)) return errc::invalid_state;  // ambiguous replies

  mqttws::publish q = p;
  q.props.response_topic = response_topic;
  q.props.correlation_data = correlation;
  impl::outgoing m;
  m.request_op = op;
  MQTTWS_TRY(d.prepare(q, m));
  // The response filter's SUBSCRIBE, when it is not subscribed yet: checked like any
  // subscribe(), made only once the publish is accepted.
  const bool subscribing = !d.requests.subscribed(filter);
  sub_command c;
  if (subscribing) {
    const subscription s{filter, subscribe_options{qos::at_least_once, false, false,
                                                   retain_handling::send_on_subscribe}};
    mqttws::subscribe probe;
    probe.subscriptions = subscription_list(&s, 1);
    MQTTWS_TRY(d.prepare_command(probe, c));
    c.op = op;
    c.internal = true;
    c.filters.push_back(filter);
    c.options.push_back(s.options);
  }
  MQTTWS_TRY(d.enqueue(std::move(m)));  // the last check, then the first change

  d.next_op++;
  (void)d.requests.next_number();  // the one peeked at above
  if (subscribing) {
    // Before the publish goes out: commands go out before queued publishes on a connection.
    d.requests.subscribing(filter);
    subscription_book::subscription response_sub;
    response_sub.filters.push_back({filter, c.options.front(), false});
    response_sub.props = c.props;
    response_sub.internal = true;  // answered by Correlation Data, not routed
    d.subscriptions.add(op, std::move(response_sub));
    d.send_command(std::move(c));
  }
  d.requests.add(std::move(correlation), op, std::move(response_topic), now + timeout);
  d.send_queued();
  return op;
}

std::error_code session::impl::check_disconnect(reason_code code,
                                                const properties& props) const {
  mqttws::disconnect pkt;
  pkt.code = code;
  pkt.props = props;
  MQTTWS_TRY(encodes(pkt));
  // A DISCONNECT may shorten or extend the session (MQTT 5, 3.14.2.2.2) — but not revive one
  // the CONNECT asked to end with the connection: that is a protocol error, refused here
  // before anything changes.
  if (is_v5() && props.session_expiry_interval && *props.session_expiry_interval != 0 &&
      config.session_expiry_interval.value_or(0) == 0) {
    return errc::invalid_property_value;
  }
  return {};
}

void session::impl::disconnect_now(reason_code code, const properties& props) {
  draining.reset();
  if (is_v5() && props.session_expiry_interval) {
    persistent = *props.session_expiry_interval > 0;
  }
  const session_state was = state;
  fail_pending(errc::session_closed);
  if (!persistent) (void)store->clear();
  if (was == session_state::connected) {
    mqttws::disconnect pkt;
    pkt.code = code;
    pkt.props = props;
    send(pkt);
    actions.push_back({transport_action::kind::close, {}});
    state = session_state::disconnecting;
  } else {
    if (was == session_state::connecting || was == session_state::awaiting_connack) {
      actions.push_back({transport_action::kind::close, {}});
    }
    end_session();
    // Whatever the state, disconnect() ends with one disconnected_event (ec clear), as it
    // does after the DISCONNECT when connected: drivers see one way for a session to end.
    emit(disconnected_event{});
  }
}

void session::impl::continue_drain() {
  if (!draining) return;
  const bool drained = flow.empty();
  if (!drained && now < draining->deadline) return;
  // Moved out first: disconnect_now() clears `draining`, and its props are views into it.
  const drain_plan plan = std::move(*draining);
  disconnect_now(plan.code, plan.props.view());
}

std::error_code session::disconnect(time_point now, reason_code code, const properties& props) {
  impl& d = *impl_;
  d.now = now;
  // During a drain commands are refused, but not this one: it is how a drain is forced.
  if (!d.draining) MQTTWS_TRY(d.begin_command(now));
  MQTTWS_TRY(d.check_disconnect(code, props));
  d.disconnect_now(code, props);
  return {};
}

std::error_code session::disconnect_after_drain(time_point now, duration drain_timeout,
                                                reason_code code, const properties& props) {
  impl& d = *impl_;
  MQTTWS_TRY(d.begin_command(now));  // also refuses a second drain
  MQTTWS_TRY(d.check_disconnect(code, props));
  impl::drain_plan plan;
  plan.code = code;
  MQTTWS_TRY(owned_properties::make(props, property_context::disconnect, plan.props));
  // Saturated: a timeout of duration::max() means "no bound" and must not wrap around.
  plan.deadline = drain_timeout >= time_point::max() - now ? time_point::max()
                                                           : now + drain_timeout;
  d.draining = std::move(plan);
  // Offline, nothing to wait for, or no time to wait: the disconnect happens now.
  if (!d.online() || drain_timeout <= duration::zero()) d.draining->deadline = now;
  d.continue_drain();
  return {};
}

std::error_code session::authenticate(reason_code code, const properties& props,
                                      time_point now) {
  impl& d = *impl_;
  d.now = now;
  if (!d.is_v5()) return errc::properties_require_v5;
  if (code != reason_code::continue_authentication && code != reason_code::re_authenticate) {
    return errc::invalid_reason_code;
  }
  const bool handshake = d.state == session_state::awaiting_connack;
  if (!(handshake && code == reason_code::continue_authentication) && !d.online()) {
    return errc::invalid_state;
  }
  mqttws::auth pkt;
  pkt.code = code;
  pkt.props = props;
  if (!pkt.props.authentication_method) {
    if (d.config.authentication_method) {
      pkt.props.authentication_method = *d.config.authentication_method;
    }
  }
  if (!pkt.props.authentication_method) return errc::invalid_state;  // no enhanced auth in use
  MQTTWS_TRY(d.encodes(pkt));
  d.send(pkt);
  return {};
}

std::error_code session::set_credentials(std::optional<std::string_view> username,
                                         std::optional<std::string_view> password) {
  impl& d = *impl_;
  if (!d.is_v5() && password && !username) return errc::invalid_options;
  d.config.username.reset();
  d.config.password.reset();
  if (username) d.config.username.emplace(*username);
  if (password) d.config.password.emplace(*password);
  return {};
}

std::error_code session::reconnect(time_point now) {
  impl& d = *impl_;
  d.now = now;
  // A drain waits on this connection; a new one would only be dropped again.
  if (d.draining) return errc::invalid_state;
  switch (d.state) {
    case session_state::waiting_to_reconnect:
      d.reconnecting.retry_now(now);
      return {};
    case session_state::connected:
      // DISCONNECT 0x00: a reconnection on purpose is no reason to publish the will (3.14.4).
      // Not send(): its failure path would end the connection a second time.
      (void)d.put(mqttws::disconnect{});
      [[fallthrough]];
    case session_state::connecting:
    case session_state::awaiting_connack:
      // The close comes after the bytes queued before it (the DISCONNECT), as in close_with().
      d.actions.push_back({transport_action::kind::close, {}});
      d.reconnecting.retry_at_once();
      d.connection_lost(errc::reconnect_requested);
      return {};
    default:
      return errc::invalid_state;
  }
}

std::error_code session::ping(time_point now) {
  impl& d = *impl_;
  d.now = now;
  if (!d.online()) return errc::invalid_state;
  if (d.keeping_alive.awaiting_pingresp()) return {};  // its timeout is running already
  if (d.send(pingreq{})) d.keeping_alive.ping_sent(now);
  return {};
}

std::error_code session::cancel(operation_id id, time_point now) {
  impl& d = *impl_;
  d.now = now;
  if (id == 0) return errc::invalid_state;
  for (auto it = d.flow.queued_begin(); it != d.flow.queued_end(); ++it) {
    if (it->op != id) continue;
    const impl::outgoing m = d.flow.take(it);
    d.drop_unsent(m, errc::cancelled);
    d.continue_drain();  // it may have been the last one a drain waited for
    return {};
  }
  return errc::invalid_state;
}

void session::on_transport_open(time_point now) {
  impl_->now = now;
  impl_->send_connect();
}

void session::receive(const std::uint8_t* data, std::size_t size, time_point now) {
  impl& d = *impl_;
  d.now = now;
  if (d.state != session_state::awaiting_connack && d.state != session_state::connected) return;
  d.counters.bytes_received += size;
  if (size > 0) d.keeping_alive.heard(now);
  d.decoder.feed(data, size);
  packet p;
  std::error_code ec;
  while ((d.state == session_state::awaiting_connack || d.state == session_state::connected) &&
         d.decoder.next(p, ec)) {
    d.counters.packets_received++;
    d.on_packet(p);
  }
  if (ec && (d.state == session_state::awaiting_connack || d.state == session_state::connected)) {
    d.close_with(ec, ec == errc::packet_too_large ? reason_code::packet_too_large
                                                  : reason_code::malformed_packet);
  }
  d.continue_drain();  // acknowledgements may have completed the last publish
}

void session::on_transport_closed(std::error_code ec, time_point now) {
  impl& d = *impl_;
  d.now = now;
  d.transport_gone(ec ? ec : make_error_code(errc::transport_closed));
}

void session::handle_timeout(time_point now) {
  impl_->now = now;
  impl_->on_timer();
}

bool session::poll_transmit(std::vector<std::uint8_t>& out) {
  impl& d = *impl_;
  std::vector<operation_id> done;
  if (!d.wire.take(out, d.config.max_transmit_bytes, done)) return false;
  // QoS 0 publishes are done once handed to the transport.
  for (operation_id op : done) d.complete(op, operation_kind::publish, {});
  return true;
}

std::optional<transport_action> session::poll_transport_action() {
  impl& d = *impl_;
  if (d.actions.empty()) return std::nullopt;
  transport_action a = std::move(d.actions.front());
  d.actions.pop_front();
  return a;
}

std::optional<session_event> session::poll_event() {
  impl& d = *impl_;
  if (d.events.empty()) return std::nullopt;
  std::optional<session_event> e(std::in_place, std::move(d.events.front()));
  d.events.pop_front();
  return e;
}

std::optional<time_point> session::next_timeout() const { return impl_->deadline(); }

session_state session::state() const { return impl_->state; }

session_stats session::stats() const {
  const impl& d = *impl_;
  session_stats s = d.counters;
  s.state = d.state;
  s.inflight_outgoing = d.flow.in_flight().size();
  s.inflight_incoming = d.incoming_qos2.size();
  s.queued = d.flow.queued().size();
  s.queued_bytes = d.flow.queued_bytes();
  s.reconnect_attempts = d.reconnecting.attempts();
  return s;
}

std::string_view session::client_id() const { return impl_->config.client_id; }

}  // namespace mqttws
